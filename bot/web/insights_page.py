"""The editors' page as HTML: every recorded text (questions, answers, readers' comments,
article titles) is escaped; the only live markup is ours. No script, no external resource."""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any
from urllib.parse import quote

from bot.records.grouping import Group
from bot.records.insights import FRESH_S, Insights, RatedAnswer
from bot.records.recorder import REASON_LABELS
from bot.web.charts import Series, bar_chart
from index.store import Takedown

PERIODS = (1, 7, 30, 90)
_BOLD = re.compile(r"\*\*([^*<>]+)\*\*")
STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1040px; padding: 16px;
  color: #111827; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #e5e7eb; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 4px 8px;
  border-bottom: 1px solid #f3f4f6; vertical-align: top; } td.n { text-align: right; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; } .card { border: 1px solid #e5e7eb; border-radius: 8px;
  padding: 8px 14px; min-width: 120px; } .card b { display: block; font-size: 1.4rem; }
.chart { width: 100%; height: auto; } .tick { font-size: 11px; fill: #4b5563; } .axis { stroke: #9ca3af; }
.rated { border: 1px solid #fecaca; border-radius: 8px; padding: 8px 12px; margin: 10px 0; }
blockquote { margin: 4px 0 4px 12px; color: #374151; border-left: 3px solid #e5e7eb; padding-left: 8px; }
.muted { color: #6b7280; } nav a { margin-right: 10px; } form.inline { display: inline; }
"""
# The page runs nothing and loads nothing: a comment that slipped past escaping still could not.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "Cache-Control": "no-store",
    # same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" with the
    # login and logout forms, and the origin guard rightly refuses that.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


def page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )


def login_page(message: str = "") -> str:
    note = f'<p role="alert">{escape(message)}</p>' if message else ""
    return page(
        "Newsroom insights: log in",
        "<h1>Newsroom insights</h1>"
        f"{note}"
        '<form method="post" action="/admin/login">'
        '<label for="token">Editors\' token</label> '
        '<input id="token" name="token" type="password" autocomplete="current-password" required> '
        '<button type="submit">Log in</button></form>'
        '<p class="muted">The token is the app\'s NEWSBOT_EDITOR_TOKEN.</p>',
    )


def insights_page(
    insights: Insights, days: int, takedowns: Sequence[Takedown] = (), fresh_s: float = FRESH_S
) -> str:
    """``fresh_s``: how long the page's figures are kept before a recount (``InsightsCache``)."""
    sections = [
        _header(days),
        _as_of(insights, fresh_s),
        _cards(insights),
        "<h2>Questions per day</h2>",
        _per_day_chart(insights),
        "<h2>Unanswered questions: what readers want that the articles do not say</h2>",
        _groups(insights.unanswered, "No refusals in this period."),
        "<h2>Most asked</h2>",
        _groups(insights.top, "No questions in this period."),
        _shown_of(len(insights.top), insights.distinct),
        "<h2>Answers readers rated down</h2>",
        "".join(_rated(r) for r in insights.worst) or '<p class="empty">No answer was rated down.</p>',
        "<h2>Questions per article</h2>",
        _articles(insights),
        "<h2>Answer time</h2>",
        _latency_chart(insights),
        "<h2>Taken down</h2>",
        _takedowns(takedowns),
    ]
    return page("Newsroom insights", "".join(sections))


def _takedowns(takedowns: Sequence[Takedown]) -> str:
    """The takedowns in force: kept out of the index until lifted through the publishing API."""
    if not takedowns:
        return '<p class="empty">No article is taken down.</p>'
    rows = "".join(
        f"<tr><td>{escape(t.title or t.article_id)}<br><code>{escape(t.article_id)}</code></td>"
        f"<td>{escape(t.taken_down_at)}</td><td>{escape(t.reason)}</td></tr>"
        for t in takedowns
    )
    return (
        "<table><thead><tr><th>Article</th><th>Taken down</th><th>Reason</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        "<p class=muted>Lifted with <code>DELETE /api/admin/takedowns/{id}</code> "
        "(the publishing token); the next build, feed poll or publication indexes the article again.</p>"
    )


def _header(days: int) -> str:
    periods = " ".join(
        f'<a href="/admin?days={d}"{" aria-current=page" if d == days else ""}>{_period(d)}</a>'
        for d in PERIODS
    )
    return (
        f"<h1>Newsroom insights <span class=muted>· {_period(days)}</span></h1>"
        f'<nav aria-label="Period">{periods} · <a href="/admin/export.csv?days={days}">Download CSV</a> · '
        '<form class="inline" method="post" action="/admin/logout">'
        '<button type="submit">Log out</button></form>'
        "</nav>"
    )


def _as_of(i: Insights, fresh_s: float) -> str:
    """When the figures were counted: the page keeps them a while (``InsightsCache``)."""
    if i.as_of is None:
        return ""
    return (
        f'<p class="muted">As of {i.as_of:%H:%M} UTC (figures over {fresh_s:.0f} s old are recounted '
        "in the background: reload to see the new count).</p>"
    )


def _period(days: int) -> str:
    return "last 24 hours" if days == 1 else f"last {days} days"


def _cards(i: Insights) -> str:
    share = f"{i.refused / i.questions:.0%}" if i.questions else "–"
    cards = [
        ("Questions", f"{i.questions:,}"),
        ("Unanswered", f"{i.refused:,} ({share})"),
        ("Rated up / down", f"{i.votes_up:,} / {i.votes_down:,}"),
        ("Answer time p50 / p95", f"{i.p50_ms:,.0f} / {i.p95_ms:,.0f} ms"),
        (
            "AI assistants' questions (not counted above)",
            f"{i.agent_questions:,} ({i.agent_refused:,} unanswered)",
        ),
    ]
    truncated = '<p class="muted">Only the newest 200,000 questions are counted.</p>' if i.truncated else ""
    body = "".join(f'<div class="card">{escape(name)}<b>{escape(value)}</b></div>' for name, value in cards)
    return f'<div class="cards">{body}</div>{truncated}'


def _per_day_chart(i: Insights) -> str:
    labels = [d.day.strftime("%b %d") for d in i.days]
    answered = Series("Answered", [d.questions - d.refused for d in i.days], "#2563eb")
    refused = Series("Unanswered", [d.refused for d in i.days], "#f59e0b")
    rows = "".join(
        f"<tr><td>{d.day.isoformat()}</td><td class=n>{d.questions}</td><td class=n>{d.refused}</td></tr>"
        for d in i.days
    )
    head = "<tr><th>Day</th><th>Questions</th><th>Unanswered</th></tr>"
    table = f"<details><summary>As a table</summary><table>{head}{rows}</table></details>"
    return bar_chart("Questions per day", labels, [answered, refused]) + (table if i.days else "")


def _latency_chart(i: Insights) -> str:
    labels = [d.day.strftime("%b %d") for d in i.days]
    p50 = Series("p50 ms", [d.p50_ms for d in i.days], "#10b981")
    p95 = Series("p95 ms", [d.p95_ms for d in i.days], "#6366f1")
    return bar_chart("Answer time per day (ms)", labels, [p50, p95], stacked=False)


def _groups(groups: list[Group], empty: str) -> str:
    if not groups:
        return f'<p class="empty">{escape(empty)}</p>'
    rows = "".join(
        f"<tr><td>{escape(g.text)}</td><td class=n>{g.count}</td>"
        f"<td>{escape(' · '.join(g.variants))}</td><td>{escape(', '.join(g.articles))}</td></tr>"
        for g in groups
    )
    head = "<tr><th>Question</th><th>Times</th><th>Also asked as</th><th>On article pages</th></tr>"
    return f"<table>{head}{rows}</table>"


def _shown_of(shown: int, distinct: int) -> str:
    if distinct <= shown:
        return ""
    return f'<p class="muted">The {shown} most asked of {distinct:,} different questions.</p>'


def _rated(r: RatedAnswer) -> str:
    reason = next((label for key, label in REASON_LABELS.items() if key == r.reason), "No reason given")
    comment = f"<p>Reader's comment: <q>{escape(r.comment)}</q></p>" if r.comment else ""
    scope = f" · on article {escape(r.article_id)}" if r.article_id else ""
    quotes = "".join(_quote(c) for c in r.citations)
    earlier = "".join(
        f"<li>{escape(str(t[0]))} → {_answer_html(str(t[1]))}</li>" for t in r.history if len(t) >= 2
    )
    before = f"<p>Earlier in the conversation:</p><ol>{earlier}</ol>" if earlier else ""
    return (
        f'<article class="rated"><p><b>{escape(r.question)}</b> '
        f'<span class="muted">{r.asked_at:%Y-%m-%d %H:%M} UTC{scope}</span></p>'
        f"{before}<p>Reader's reason: <b>{escape(reason)}</b></p>{comment}"
        f"<p>The answer: {_answer_html(r.answer)}</p>"
        f"{f'<p>Passages it cited:</p>{quotes}' if quotes else ''}</article>"
    )


def _answer_html(text: str) -> str:
    """The answer as readers saw it: escaped, its **bold** (the answerers' only markup) bold."""
    return _BOLD.sub(r"<b>\1</b>", escape(text))


def _quote(citation: dict[str, Any]) -> str:
    title = escape(str(citation.get("title", "")))
    n, quote = escape(str(citation.get("n", ""))), escape(str(citation.get("quote", "")))
    return f"<blockquote>[{n}] {quote} — <i>{title}</i></blockquote>"


def _articles(i: Insights) -> str:
    if not i.articles:
        return '<p class="empty">No article was asked about or cited.</p>'
    rows = "".join(
        f'<tr><td><a href="/read/{quote(a.article_id, safe="")}">{escape(a.title or a.article_id)}</a>'
        f"<br><span class=muted>{escape(a.article_id)}</span></td>"
        f"<td class=n>{a.asked_on_page}</td><td class=n>{a.cited}</td></tr>"
        for a in i.articles
    )
    return (
        f"<table><tr><th>Article</th><th>Asked on its page</th><th>Answers citing it</th></tr>{rows}</table>"
    )
