"""The insights of a period, read from a real SQLite file of recorded exchanges."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Engine

from bot.records.database import database_url, open_database, upgrade
from bot.records.grouping import Group
from bot.records.insights import ArticleCount, Day, export_rows, read_insights
from bot.records.recorder import DatabaseRecorder, Vote, write
from bot.records.tables import Channel
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


def known_rows(tmp_path: Path) -> Engine:
    """Five questions over two days with known latencies, pages, citations and votes."""
    engine = open_database(database_url(None, tmp_path))
    upgrade(engine)
    yesterday, today = NOW - timedelta(days=1, hours=1), NOW - timedelta(hours=1)
    rows = [  # question, page, latency, refused, cited, when
        ("Who leads Russia's delegation?", "talks", 100.0, False, ["talks"], yesterday),
        ("who is leading the russian delegation", None, 300.0, True, [], yesterday + timedelta(minutes=1)),
        ("Who leads Russia's delegation?", "talks", 200.0, False, ["talks", "grain"], today),
        ("When do the talks resume?", "grain", 400.0, False, ["grain"], today + timedelta(minutes=1)),
        ("When do the talks resume?", None, 1000.0, True, [], today + timedelta(minutes=2)),
    ]
    exchanges = [
        replace(
            exchange(n, at=at, refused=refused),
            question=text,
            article_id=page,
            latency_ms=latency,
            cited_articles=cited,
            citations=[{"n": 1, "article_id": a, "title": a.title()} for a in cited],
        )
        for n, (text, page, latency, refused, cited, at) in enumerate(rows)
    ]
    with engine.begin() as connection:
        write(connection, exchanges)
        write(
            connection,
            [Vote(exchanges[0].answer_id, "up", at=NOW), Vote(exchanges[3].answer_id, "down", at=NOW)],
        )
    return engine


def test_the_figures_of_known_rows(tmp_path: Path) -> None:
    """Issue 24, item 11: the counting was reworked for 200k questions; these figures are
    worked out by hand from the rows."""
    insights = read_insights(known_rows(tmp_path), NOW - timedelta(days=7))
    assert (insights.questions, insights.refused, insights.truncated) == (5, 2, False)
    assert (insights.votes_up, insights.votes_down) == (1, 1)
    assert (insights.p50_ms, insights.p95_ms) == (300.0, 1000.0)  # of 100 200 300 400 1000
    assert insights.days == [
        Day(date(2026, 11, 25), 2, 1, 100.0, 300.0),
        Day(date(2026, 11, 26), 3, 1, 400.0, 1000.0),
    ]
    assert insights.top == [
        Group("Who leads Russia's delegation?", 3, ["who is leading the russian delegation"], ["talks"]),
        Group("When do the talks resume?", 2, [], ["grain"]),
    ]
    assert insights.distinct == 2
    assert [(g.text, g.count) for g in insights.unanswered] == [
        ("When do the talks resume?", 1),
        ("who is leading the russian delegation", 1),
    ]
    assert insights.articles == [ArticleCount("talks", "Talks", 2, 2), ArticleCount("grain", "Grain", 1, 2)]
    assert insights.as_of is not None


def test_a_busier_period_counts_its_newest_questions(tmp_path: Path) -> None:
    insights = read_insights(known_rows(tmp_path), NOW - timedelta(days=7), max_rows=3)
    assert (insights.questions, insights.refused, insights.truncated) == (3, 1, True)
    assert [(d.day, d.questions) for d in insights.days] == [(date(2026, 11, 26), 3)]


def test_agents_questions_are_counted_apart_from_readers(tmp_path: Path) -> None:
    recorder = recorded(tmp_path)
    agents = [
        replace(exchange(10 + n, at=NOW - timedelta(hours=2), refused=refused), channel=Channel.AGENT)
        for n, refused in enumerate([False, True, False])
    ]
    for agent in agents:
        recorder.record(agent)
    assert recorder.flush()
    recorder.vote(Vote(agents[0].answer_id, "down", "wrong", "an agent's vote", at=NOW))
    assert recorder.flush()
    insights = read_insights(recorder.engine, NOW - timedelta(days=30))
    assert (insights.agent_questions, insights.agent_refused) == (3, 1)
    # every reader's figure is as without them
    assert insights.questions == 5 and insights.refused == 1
    assert (insights.votes_up, insights.votes_down, insights.worst) == (0, 0, [])
    assert [g.count for g in insights.top] == [3, 2] and [g.count for g in insights.unanswered] == [1]
    assert [(d.questions, d.refused) for d in insights.days] == [(3, 1), (2, 0)]
    recorder.close()
