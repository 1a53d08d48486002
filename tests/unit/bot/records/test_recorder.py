"""The recorder on a real SQLite file: written off the request path, votes replace votes,
an outage loses nothing (bounded), retention purges, nothing identifying is kept."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from bot.question import Question
from bot.records.database import database_url, open_database, upgrade
from bot.records.recorder import (
    DatabaseRecorder,
    Exchange,
    FeedbackOffError,
    NullRecorder,
    Vote,
    exchange_of,
    purge,
    session_hash,
)
from bot.records.tables import answers, feedback, questions
from bot.schemas import Answer, ChatTurn, Citation
from index.errors import NotFoundError

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def exchange(
    n: int = 0, at: datetime = NOW, refused: bool = False, session: str = "sess-abcdefgh"
) -> Exchange:
    question = Question(
        f"Who leads the delegation {n}?", (ChatTurn(question="Earlier?", answer="Yes."),), "seed"
    )
    answer = Answer(
        text="Vladimir Medinsky [1].",
        citations=[
            Citation(
                n=1,
                article_id="seed",
                title="Talks",
                chunk_id="seed:0",
                quote="Medinsky leads",
                start=0,
                end=14,
            )
        ],
        refused=refused,
        answerer="extractive",
        question=question.text,
        standalone_question=question.text,
    )
    return exchange_of(question, answer, session, 6, at=at)


def engine_at(tmp_path: Path) -> Engine:
    return open_database(database_url(None, tmp_path))


def count(engine: Engine, table: object) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


@pytest.fixture
def recorder(tmp_path: Path) -> Iterator[DatabaseRecorder]:
    recorder = DatabaseRecorder(engine_at(tmp_path), retention_days=30, clock=lambda: NOW)
    yield recorder
    recorder.close()


def test_exchange_of_keeps_what_the_insights_need_and_hashes_the_session() -> None:
    e = exchange()
    assert e.question == "Who leads the delegation 0?" and e.article_id == "seed"
    assert e.history == [("Earlier?", "Yes.")] and e.cited_articles == ["seed"]
    assert e.intent == "facts" and e.answerer == "extractive" and not e.refused
    assert e.session == session_hash("sess-abcdefgh") and "sess-abcdefgh" not in str(e.session)
    assert e.citations[0]["quote"] == "Medinsky leads" and "start" not in e.citations[0]
    assert session_hash("") is None


def test_the_recorded_intent_is_the_answers_and_the_history_as_long_as_the_bots() -> None:
    turns = tuple(ChatTurn(question=f"Q{n}?", answer=f"A{n}.") for n in range(12))
    question = Question("tldr", turns)
    answer = Answer(
        text="A.", answerer="extractive", question="tldr", standalone_question="tldr", intent="summary"
    )
    recorded = exchange_of(question, answer, "s", 10)  # NEWSBOT_HISTORY_TURNS=10
    assert recorded.intent == "summary"
    assert [q for q, _ in recorded.history] == [f"Q{n}?" for n in range(2, 12)]
    assert exchange_of(question, answer, "s", 2).history == [("Q10?", "A10."), ("Q11?", "A11.")]


def test_recorded_exchanges_are_written_by_the_writer_thread(
    recorder: DatabaseRecorder, tmp_path: Path
) -> None:
    for n in range(3):
        recorder.record(exchange(n))
    assert recorder.flush()
    assert count(recorder.engine, questions) == 3 and count(recorder.engine, answers) == 3
    assert recorder.stats.written == 3 and recorder.stats.pending == 0
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("records.sqlite*"))
    hashed = session_hash("sess-abcdefgh")
    assert hashed is not None and b"sess-abcdefgh" not in raw and hashed.encode() in raw


def test_a_second_vote_replaces_the_first(recorder: DatabaseRecorder) -> None:
    e = exchange()
    recorder.record(e)
    recorder.vote(Vote(e.answer_id, "up"))
    recorder.vote(Vote(e.answer_id, "down", "wrong", "Not what the article says"))
    assert recorder.flush()
    with recorder.engine.connect() as connection:
        rows = connection.execute(select(feedback.c.rating, feedback.c.reason, feedback.c.comment)).all()
    assert [tuple(r) for r in rows] == [("down", "wrong", "Not what the article says")]


def test_a_vote_on_an_unknown_answer_is_refused(recorder: DatabaseRecorder) -> None:
    assert recorder.flush()  # the tables exist (the writer made them at start)
    with pytest.raises(NotFoundError):
        recorder.vote(Vote("0" * 32, "up"))


def test_a_vote_on_another_replicas_answer_is_found_in_the_database(tmp_path: Path) -> None:
    first = DatabaseRecorder(engine_at(tmp_path), retention_days=30)
    e = exchange()
    first.record(e)
    assert first.flush()
    other = DatabaseRecorder(engine_at(tmp_path), retention_days=30)
    other.vote(Vote(e.answer_id, "down"))
    assert other.flush() and count(other.engine, feedback) == 1
    first.close()
    other.close()


def test_an_outage_keeps_the_records_and_writes_them_when_the_database_is_back(tmp_path: Path) -> None:
    path = tmp_path / "records.sqlite"
    down = {"now": True}

    def connect() -> sqlite3.Connection:
        if down["now"]:
            raise sqlite3.OperationalError("unable to open database file")
        return sqlite3.connect(path, check_same_thread=False)

    engine = create_engine("sqlite://", creator=connect, poolclass=NullPool)
    recorder = DatabaseRecorder(engine, retention_days=30)
    for n in range(5):
        recorder.record(exchange(n))  # never raises: the reader gets the answer
    assert not recorder.flush(timeout_s=0.3)
    assert not recorder.stats.up and recorder.stats.failed_writes >= 1 and recorder.stats.pending == 5
    down["now"] = False
    assert recorder.flush(timeout_s=30)
    assert recorder.stats.up and count(engine, questions) == 5 and recorder.stats.dropped == 0
    recorder.close()


def test_a_long_outage_drops_the_oldest_records_and_counts_them(tmp_path: Path) -> None:
    def connect() -> sqlite3.Connection:
        raise sqlite3.OperationalError("down")

    recorder = DatabaseRecorder(
        create_engine("sqlite://", creator=connect, poolclass=NullPool), 30, max_pending=3
    )
    for n in range(5):
        recorder.record(exchange(n))
    assert recorder.stats.dropped >= 2 and recorder.stats.pending <= 3
    recorder.close(timeout_s=0.5)  # an outage at shutdown: the writer gives up (and says so)


def test_purge_deletes_what_is_older_than_the_retention_period(tmp_path: Path) -> None:
    engine = engine_at(tmp_path)
    recorder = DatabaseRecorder(engine, retention_days=30, clock=lambda: NOW)
    old, new = exchange(1, at=NOW - timedelta(days=31)), exchange(2, at=NOW - timedelta(days=1))
    recorder.record(old)
    recorder.record(new)
    recorder.vote(Vote(old.answer_id, "down", at=NOW - timedelta(days=31)))
    assert recorder.flush()
    assert purge(engine, NOW - timedelta(days=30)) == 3  # the old question, its answer, its vote
    with engine.connect() as connection:
        assert connection.execute(select(questions.c.id)).scalars().all() == [new.answer_id]
    assert count(engine, feedback) == 0
    recorder.close()


def test_the_writer_purges_at_start(tmp_path: Path) -> None:
    engine = engine_at(tmp_path)
    upgrade(engine)
    first = DatabaseRecorder(engine, retention_days=30, clock=lambda: NOW - timedelta(days=40))
    first.record(exchange(1, at=NOW - timedelta(days=40)))
    assert first.flush()
    first.close()
    later = DatabaseRecorder(engine_at(tmp_path), retention_days=30, clock=lambda: NOW)
    assert later.flush() and count(later.engine, questions) == 0
    later.close()


def test_recording_off_keeps_nothing_and_refuses_votes() -> None:
    off = NullRecorder()
    off.record(exchange())
    with pytest.raises(FeedbackOffError):
        off.vote(Vote("0" * 32, "up"))


def test_text_no_driver_takes_is_stored_mended_and_never_costs_the_others(recorder: DatabaseRecorder) -> None:
    good = exchange(1)
    odd_question = Question("Who?", (ChatTurn(question="x\ud800", answer="nul\x00byte"),), None)
    odd = exchange_of(
        odd_question,
        Answer(text="A.", answerer="extractive", question="Who?", standalone_question="Who?"),
        "s",
        6,
    )
    recorder.record(good)
    recorder.record(odd)
    recorder.vote(Vote(good.answer_id, "down", "other", "bad \ud800 text"))
    assert recorder.flush()
    assert count(recorder.engine, questions) == 2 and recorder.stats.dropped == 0
    with recorder.engine.connect() as connection:
        history = connection.execute(
            select(questions.c.history).where(questions.c.id == odd.answer_id)
        ).scalar_one()
        comment = connection.execute(select(feedback.c.comment)).scalar_one()
    assert history == [["x?", "nulbyte"]] and comment == "bad ? text"


def test_an_older_vote_never_replaces_a_newer_one(recorder: DatabaseRecorder) -> None:
    e = exchange()
    recorder.record(e)
    recorder.vote(Vote(e.answer_id, "down", "wrong", at=NOW))
    assert recorder.flush()
    recorder.vote(Vote(e.answer_id, "up", at=NOW - timedelta(seconds=5)))  # another replica's, late
    assert recorder.flush()
    with recorder.engine.connect() as connection:
        assert [tuple(r) for r in connection.execute(select(feedback.c.rating, feedback.c.reason))] == [
            ("down", "wrong")
        ]


def test_writing_a_record_twice_keeps_one(recorder: DatabaseRecorder) -> None:
    from bot.records.recorder import write

    e = exchange()
    assert recorder.flush()
    for _ in range(2):  # a retry after a commit whose acknowledgement was lost
        with recorder.engine.begin() as connection:
            write(connection, [e])
    assert count(recorder.engine, questions) == 1 and count(recorder.engine, answers) == 1


def test_a_failing_purge_never_keeps_records_from_being_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.records.recorder as module

    def timed_out(engine: Engine, before: datetime) -> int:
        raise OperationalError("DELETE", {}, Exception("canceling statement due to statement timeout"))

    monkeypatch.setattr(module, "purge", timed_out)
    recorder = DatabaseRecorder(engine_at(tmp_path), retention_days=30)
    recorder.record(exchange(1))
    assert recorder.flush(timeout_s=5) and count(recorder.engine, questions) == 1
    recorder.close()


def test_purge_works_through_a_backlog_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.records.recorder as module

    monkeypatch.setattr(module, "PURGE_CHUNK", 2)
    recorder = DatabaseRecorder(engine_at(tmp_path), retention_days=30, clock=lambda: NOW)
    for n in range(5):
        recorder.record(exchange(n, at=NOW - timedelta(days=40)))
    recorder.record(exchange(9))
    assert recorder.flush()
    assert purge(recorder.engine, NOW - timedelta(days=30)) == 10  # 5 questions and 5 answers
    assert count(recorder.engine, questions) == 1
    recorder.close()
