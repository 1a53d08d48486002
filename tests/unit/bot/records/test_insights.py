"""The insights of a period, read from a real SQLite file of recorded exchanges."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.records.database import database_url, open_database
from bot.records.insights import export_rows, read_insights
from bot.records.recorder import DatabaseRecorder, Vote
from tests.unit.bot.records.test_recorder import NOW, exchange


def recorded(tmp_path: Path) -> DatabaseRecorder:
    recorder = DatabaseRecorder(
        open_database(database_url(None, tmp_path)), retention_days=365, clock=lambda: NOW
    )
    days_ago = [0, 0, 1, 1, 1, 40]
    for n, ago in enumerate(days_ago):
        recorder.record(exchange(n % 2, at=NOW - timedelta(days=ago, hours=1), refused=n == 2))
    return recorder


def test_a_periods_counts_groups_votes_and_articles(tmp_path: Path) -> None:
    recorder = recorded(tmp_path)
    assert recorder.flush()
    with recorder.engine.connect() as connection:
        from sqlalchemy import select

        from bot.records.tables import questions

        ids = connection.execute(select(questions.c.id).order_by(questions.c.asked_at.desc())).scalars().all()
    recorder.vote(Vote(ids[0], "down", "wrong", "<script>alert(1)</script>", at=NOW))
    recorder.vote(Vote(ids[1], "up", at=NOW))
    assert recorder.flush()
    insights = read_insights(recorder.engine, NOW - timedelta(days=30))
    assert insights.questions == 5 and insights.refused == 1  # the 40-day-old one is outside
    assert (insights.votes_up, insights.votes_down) == (1, 1)
    assert [(d.questions, d.refused) for d in insights.days] == [(3, 1), (2, 0)]
    assert [g.count for g in insights.top] == [3, 2]  # "…delegation 0?" and "…delegation 1?"
    assert [g.count for g in insights.unanswered] == [1]
    [worst] = insights.worst
    assert (
        worst.answer_id == ids[0]
        and worst.reason == "wrong"
        and worst.citations[0]["quote"] == "Medinsky leads"
    )
    [article] = insights.articles
    assert (article.article_id, article.title, article.asked_on_page, article.cited) == (
        "seed",
        "Talks",
        5,
        5,
    )
    recorder.close()


def test_the_export_has_every_question_of_the_period_with_its_vote(tmp_path: Path) -> None:
    recorder = recorded(tmp_path)
    assert recorder.flush()
    rows = list(export_rows(recorder.engine, NOW - timedelta(days=30)))
    assert len(rows) == 5 and rows[0]["asked_at"] <= rows[-1]["asked_at"]
    assert rows[0]["answer"] == "Vladimir Medinsky [1]." and rows[0]["rating"] is None
    recorder.close()
