"""The editors' page as HTML: bold kept, everything else escaped; charts drawn from the numbers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from bot.records.grouping import Group
from bot.records.insights import Day, Insights, RatedAnswer
from bot.web.charts import Series, bar_chart
from bot.web.insights_page import insights_page


def test_the_answer_keeps_its_bold_and_nothing_else_of_what_was_recorded_is_live() -> None:
    rated = RatedAnswer(
        answer_id="a" * 32,
        asked_at=datetime(2026, 11, 26, 9, 30, tzinfo=UTC),
        question="<b>who</b>?",
        article_id="x<y",
        answer="In **Istanbul** [1] <script>x()</script> **<i>z</i>**",
        rating="down",
        reason="not_in_source",
        comment="<img src=x onerror=alert(1)>",
        citations=[{"n": 1, "quote": "<q>", "title": "T&C"}],
        history=[["<u>first</u>?", "**It** was <i>so</i>"]],
    )
    insights = Insights(since=datetime(2026, 11, 1, tzinfo=UTC), questions=1, worst=[rated])
    insights.unanswered = [Group("<svg onload=alert(1)>", 2, ["v<1>"], ["a<b"])]
    html = insights_page(insights, 30)
    assert "In <b>Istanbul</b> [1] &lt;script&gt;x()&lt;/script&gt; <b>&lt;i&gt;z&lt;/i&gt;</b>" in html
    assert "Not in the source" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html and "<img" not in html and "<svg onload" not in html
    assert "[1] &lt;q&gt; — <i>T&amp;C</i>" in html and "x&lt;y" in html
    assert "<li>&lt;u&gt;first&lt;/u&gt;? → <b>It</b> was &lt;i&gt;so&lt;/i&gt;</li>" in html


def test_charts_scale_bars_to_the_largest_total_and_escape_labels() -> None:
    svg = bar_chart("Q<s>", ["a<b", "c"], [Series("answered", [3, 1], "#000"), Series("x", [1, 0], "#111")])
    assert svg.startswith('<svg class="chart"') and "Q&lt;s&gt;" in svg and "a&lt;b" in svg
    heights = [float(h) for h in re.findall(r'height="([0-9.]+)" fill="#[0-9a-f]+"><title>', svg)]
    assert len(heights) == 4 and heights[0] == 3 * heights[2] == 3 * heights[1] and heights[3] == 0
    assert heights[0] + heights[1] == 220 - 24 - 36  # the tallest total fills the plot
    assert "nothing recorded" in bar_chart("Empty", [], [])


def test_articles_link_to_their_reading_page_and_a_long_tail_is_counted() -> None:
    from bot.records.insights import ArticleCount

    insights = Insights(since=datetime(2026, 11, 1, tzinfo=UTC), distinct=45)
    insights.top = [Group(f"q{n}", 1) for n in range(20)]
    insights.articles = [ArticleCount("a b/c", "Title <1>", 2, 3)]
    html = insights_page(insights, 30)
    assert '<a href="/read/a%20b%2Fc">Title &lt;1&gt;</a>' in html
    assert "The 20 most asked of 45 different questions." in html


def test_a_day_shows_in_the_table_under_the_chart() -> None:
    insights = Insights(since=datetime(2026, 11, 1, tzinfo=UTC), questions=5, refused=2)
    insights.days = [Day(date(2026, 11, 25), 5, 2, 40.0, 90.0)]
    html = insights_page(insights, 7)
    assert "<td>2026-11-25</td><td class=n>5</td><td class=n>2</td>" in html and "(40%)" in html


def test_ai_assistants_questions_have_their_own_card() -> None:
    insights = Insights(
        since=datetime(2026, 11, 1, tzinfo=UTC), questions=5, agent_questions=1234, agent_refused=7
    )
    html = insights_page(insights, 7)
    assert "AI assistants&#x27; questions (not counted above)<b>1,234 (7 unanswered)</b>" in html
