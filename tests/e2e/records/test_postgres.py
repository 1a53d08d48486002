"""The records in a real PostgreSQL (a shared database for several replicas): migrations,
writes, votes from another replica, insights, purge, and an outage that loses nothing."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bot.records.database import current_revision, database_url, open_database
from bot.records.insights import read_insights
from bot.records.recorder import DatabaseRecorder, Vote, purge
from bot.records.tables import feedback, questions
from tests.e2e.servers import Postgres, eventually, start_app, start_postgres, stop_app
from tests.unit.bot.records.test_recorder import NOW, exchange

ADMIN = "editors-token-0123456789"
WHY = "Why are the talks in Istanbul?"


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    server = start_postgres()
    yield server
    server.remove()


def recorder_on(server: Postgres) -> DatabaseRecorder:
    return DatabaseRecorder(open_database(database_url(server.url, server.home)), retention_days=30)


def rows(recorder: DatabaseRecorder, table: object) -> int:
    with recorder.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_two_replicas_record_and_vote_in_one_database(postgres: Postgres) -> None:
    a, b = recorder_on(postgres), recorder_on(postgres)
    assert a.flush() and b.flush()  # both ran the migrations: the second found them done
    assert current_revision(a.engine) == "0002"
    mine = exchange(1)
    a.record(mine)
    b.record(exchange(2))
    assert a.flush() and b.flush()
    b.vote(Vote(mine.answer_id, "down", "not_in_source", "Ce n'est pas ça ✓"))  # answered on A, rated on B
    b.vote(Vote(mine.answer_id, "down", "wrong"))
    assert b.flush()
    with a.engine.connect() as connection:
        votes = connection.execute(select(feedback.c.reason, feedback.c.comment)).all()
    assert [tuple(v) for v in votes] == [("wrong", None)]
    insights = read_insights(a.engine, NOW - timedelta(days=1))
    assert (
        insights.questions >= 2 and insights.votes_down == 1 and insights.worst[0].answer_id == mine.answer_id
    )
    a.close()
    b.close()


def test_replicas_migrating_a_new_database_at_once_all_succeed(postgres: Postgres) -> None:
    """Issue 24, item 10: two replicas starting together on a new database both ran the
    migrations; one failed (a duplicate table) and had to retry. Now they take turns."""
    import subprocess
    import sys

    from sqlalchemy import create_engine, text

    fresh = f"race_{os.getpid()}_{time.monotonic_ns()}"
    admin = create_engine(database_url(postgres.url, postgres.home), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{fresh}"'))
    admin.dispose()
    url = postgres.url.rsplit("/", 1)[0] + f"/{fresh}"
    migrate = (
        "import sys; from pathlib import Path;"
        "from bot.records.database import database_url, open_database, upgrade;"
        "upgrade(open_database(database_url(sys.argv[1], Path('.'))))"
    )
    replicas = [
        subprocess.Popen([sys.executable, "-c", migrate, url], stderr=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    errors = [p.communicate(timeout=120)[1] for p in replicas]
    assert [p.returncode for p in replicas] == [0] * 4, errors
    engine = open_database(database_url(url, postgres.home))
    assert current_revision(engine) == "0002"
    engine.dispose()


def test_an_outage_loses_nothing_and_writing_resumes(postgres: Postgres) -> None:
    recorder = recorder_on(postgres)
    assert recorder.flush()
    before = rows(recorder, questions)
    postgres.stop()
    try:
        for n in range(20):
            recorder.record(exchange(100 + n))  # the answers go on
        assert not recorder.flush(timeout_s=2)
        assert not recorder.stats.up and recorder.stats.pending == 20
    finally:
        postgres.start()
    assert recorder.flush(timeout_s=60)
    assert rows(recorder, questions) == before + 20 and recorder.stats.dropped == 0
    recorder.close()


def test_purge_on_postgresql(postgres: Postgres) -> None:
    recorder = recorder_on(postgres)
    old = exchange(7, at=NOW - timedelta(days=60))
    recorder.record(old)
    recorder.vote(Vote(old.answer_id, "up", at=NOW - timedelta(days=60)))
    assert recorder.flush()
    assert purge(recorder.engine, NOW - timedelta(days=30)) >= 3
    with recorder.engine.connect() as connection:
        assert (
            connection.execute(select(questions.c.id).where(questions.c.id == old.answer_id)).first() is None
        )
    recorder.close()


def test_two_app_replicas_share_the_records(postgres: Postgres, served_index: Path) -> None:
    """Answered by replica A, rated on replica B, seen on B's editors' page: one database."""
    # Every view recounts in the background (the page keeps figures a minute by default).
    env = {
        "NEWSBOT_DATABASE_URL": postgres.url,
        "NEWSBOT_EDITOR_TOKEN": ADMIN,
        "NEWSBOT_INSIGHTS_FRESH_S": "0",
    }
    a, base_a = start_app(served_index, env)
    b, base_b = start_app(served_index, env)
    try:
        answer = httpx.post(f"{base_a}/api/chat", json={"message": WHY}, timeout=60).json()
        vote = {"answer_id": answer["answer_id"], "rating": "down", "reason": "outdated", "comment": "Old"}
        assert eventually(
            lambda: httpx.post(f"{base_b}/api/feedback", json=vote, timeout=10).status_code == 200, 10
        ), "B never found A's answer in the shared database"
        auth = {"Authorization": f"Bearer {ADMIN}"}
        assert eventually(
            lambda: "Outdated" in httpx.get(f"{base_b}/admin", headers=auth, timeout=10).text, 10
        )
        page = httpx.get(f"{base_b}/admin", headers=auth, timeout=10).text
        assert WHY.replace("'", "&#x27;") in page and "Old" in page
    finally:
        stop_app(a)
        stop_app(b)
