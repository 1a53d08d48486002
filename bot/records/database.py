"""The records' database: an engine from ``NEWSBOT_DATABASE_URL`` (default: a SQLite file in
the data folder, no set-up) and the Alembic migrations that bring its schema up to date.

Every call has a deadline: a database that hangs must not hold a thread forever (SQLite
waits ``busy_timeout`` for a lock; PostgreSQL gets a connect timeout and a statement
timeout). The pool is small and bounded: records are written by one thread per replica.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import ConnectionPoolEntry

from index.errors import ConfigError

MIGRATIONS = Path(__file__).parent / "migrations"
_MIGRATING = threading.Lock()
# PostgreSQL advisory lock key of the migrations (any constant no other code of ours takes).
MIGRATION_LOCK = 0x6E657773626F74  # "newsbot"
DEFAULT_FILE = "records.sqlite"
# Seconds. Records are written off the request path, so a long wait costs no reader anything;
# the deadline only frees the writer to report an outage and retry.
CALL_TIMEOUT_S = 5


def database_url(configured: str | None, data_dir: Path) -> URL:
    """The configured URL, or the SQLite file in the data folder. ``postgresql://`` means the
    psycopg 3 driver (the one installed), not SQLAlchemy's default psycopg2."""
    if not configured:
        return make_url(f"sqlite:///{data_dir / DEFAULT_FILE}")
    try:
        url = make_url(configured)
    except ArgumentError as err:
        raise ConfigError(f"NEWSBOT_DATABASE_URL is not a database URL: {err}") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def shown(url: URL) -> str:
    """The URL as logs and pages may show it: backend, host, port and database only (a
    password may hide in the user part or in the query: ``?password=``)."""
    return URL.create(url.drivername, host=url.host, port=url.port, database=url.database).render_as_string()


def open_database(url: URL) -> Engine:
    """An engine with deadlines on every call, for SQLite (WAL: readers never block the
    writer; replicas on one host may share the file, never over a network file system:
    several hosts need a server database) or any server database."""
    if url.get_backend_name() == "sqlite":
        if url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": CALL_TIMEOUT_S, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        connect_args = {
            "connect_timeout": CALL_TIMEOUT_S,
            # UTC: times come back as the app wrote them, whatever the server's time zone.
            "options": f"-c statement_timeout={CALL_TIMEOUT_S * 1000} -c timezone=UTC",
        }
    return create_engine(
        url,
        connect_args=connect_args,
        pool_size=2,
        max_overflow=2,
        pool_timeout=CALL_TIMEOUT_S,
        pool_pre_ping=True,  # a server restarted since the last call: reconnect, do not fail
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={CALL_TIMEOUT_S * 1000}")
    cursor.close()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent; safe to run at every start)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Alembic's migration context is one per process: two engines migrating at once (tests,
    # a CLI beside the app) take turns.
    with _MIGRATING, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Replicas starting together on one database take turns too: the lock is held to
            # the end of this transaction, after which the next one finds the schema done.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
