"""Answers as safe HTML/Markdown for the web chat: citations as links, sources with highlights.

Questions, answers and article text are untrusted. Everything from them is HTML-escaped and
its Markdown punctuation backslash-escaped, so it renders as text; only markup made here
(bold answer phrases, citation links, the sources panel) is live. URLs must be http(s).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.articles import ArticleLibrary, QuoteInContext
from bot.language.patterns import MARKUP
from bot.schemas import Answer, ArticleRef, Citation
from index.loaders import is_web_url

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}()#+!|~])")


def text_md(text: str) -> str:
    """Untrusted text as Markdown that renders literally (no HTML, links, emphasis)."""
    # Markdown escapes first: the entities html.escape makes must not get backslashes.
    return html.escape(_MD_SPECIAL.sub(r"\\\1", text), quote=False)


def safe_url(url: str) -> str | None:
    return url.strip() if is_web_url(url) else None


def cite_anchor(turn: int, n: int) -> str:
    return f"src-{turn}-{n}"


def answer_md(answer: Answer, turn: int) -> str:
    """The answer's Markdown: its bold phrases and [n] links kept, everything else literal."""
    known = {c.n for c in answer.citations}
    parts: list[str] = []
    for piece in MARKUP.split(answer.text):
        if piece.startswith("**") and piece.endswith("**") and len(piece) > 4:
            parts.append(f"**{text_md(piece[2:-2])}**")
        elif (m := re.fullmatch(r"\[(\d+)\]", piece)) and int(m.group(1)) in known:
            n = int(m.group(1))
            parts.append(
                f'<a class="cite" href="#{cite_anchor(turn, n)}" data-turn="{turn}" data-n="{n}" '
                f'title="Show source {n}">[{n}]</a>'
            )
        else:
            parts.append(text_md(piece))
    body = "".join(parts)
    if answer.refused:
        body = '<div class="refusal"><strong>Not in the articles.</strong></div>\n\n' + body
        if answer.related:
            body += "\n\n**Related articles:**\n" + "\n".join(f"- {_ref_md(r)}" for r in answer.related)
    if answer.notice:
        body += f"\n\n*{text_md(answer.notice)}*"
    return body


def pending_md(text: str) -> str:
    """Streamed text so far, shown literally (links appear when the answer is complete)."""
    return text_md(text) + " ▍"


def _ref_md(ref: ArticleRef) -> str:
    label = text_md(ref.title or ref.article_id)
    meta = " · ".join(text_md(x) for x in (ref.source, ref.published_at[:10]) if x)
    url = safe_url(ref.url)
    link = f"[{label}]({url})" if url else label
    return f"{link}{f' ({meta})' if meta else ''}"


@dataclass(frozen=True)
class SourcesTurn:
    """One answered question and its citations, as shown in the sources panel."""

    turn: int
    question: str
    citations: Sequence[Citation]


def sources_html(turns: Sequence[SourcesTurn], library: ArticleLibrary | None) -> str:
    """The sources panel: the latest answer's sources open, earlier ones folded away."""
    if not turns or not any(t.citations for t in turns):
        return '<div class="sources-empty">Sources of the answers appear here.</div>'
    blocks = []
    for i, turn in enumerate(reversed(turns)):
        if not turn.citations:
            continue
        items = "".join(_source_item(turn.turn, c, library) for c in turn.citations)
        opened = " open" if i == 0 else ""
        blocks.append(
            f'<details class="sources-turn"{opened}><summary>Sources for “{html.escape(turn.question)}”'
            f'</summary><ol class="sources">{items}</ol></details>'
        )
    return "".join(blocks)


def _source_item(turn: int, c: Citation, library: ArticleLibrary | None) -> str:
    ctx = library.context(c) if library else QuoteInContext("", c.quote, "")
    updated = f"Updated {c.updated_at[:10]}" if c.updated_at else ""
    meta = " · ".join(html.escape(x) for x in (c.source, c.author, c.published_at[:10], updated) if x)
    url = safe_url(c.url)
    title = html.escape(c.title or c.article_id)
    if url:
        title = f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
    return (
        f'<li id="{cite_anchor(turn, c.n)}" class="source" value="{c.n}">'
        f'<div class="source-title">[{c.n}] {title}</div>'
        f'<div class="source-meta">{meta}</div>'
        f'<blockquote class="source-context">{html.escape(ctx.before)}'
        f"<mark>{html.escape(ctx.quote)}</mark>{html.escape(ctx.after)}</blockquote></li>"
    )
