"""Recording questions, answers and votes without slowing or breaking an answer.

The request thread only appends to a bounded in-memory queue; one writer thread per replica
writes batches in a transaction. When the database is down the batch stays queued, the
failure is logged (once per outage) and counted, and the writer retries with a growing pause:
answers go on, and records resume when the database is back. Past ``max_pending`` queued
records the oldest are dropped and counted (memory stays bounded in a long outage).

``NullRecorder`` is ``NEWSBOT_RECORD=off``: nothing is kept and votes are refused.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from sqlalchemy import Connection, Engine, Insert, Table, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError

from bot.question import Question, well_formed
from bot.records.database import upgrade
from bot.records.tables import Channel, answers, feedback, questions
from bot.schemas import Answer
from index.errors import NewsbotError, NotFoundError

log = logging.getLogger(__name__)

Rating = Literal["up", "down"]
Reason = Literal["wrong", "not_in_source", "outdated", "offensive", "other"]
# What readers and editors see of each reason (the web chat, the widget's own copy, /admin).
REASON_LABELS: dict[Reason, str] = {
    "wrong": "Wrong",
    "not_in_source": "Not in the source",
    "outdated": "Outdated",
    "offensive": "Offensive",
    "other": "Other",
}
MAX_COMMENT_CHARS = 1000

BATCH = 200  # records per transaction: one commit per batch, not per answer
# Seconds a first record waits for others to share its transaction (bench/records.py: without
# it, a write per answer added ~20 % to p95 at 32 clients on 2 cores).
LINGER_S = 0.5
MAX_PENDING = 50_000  # ~50 MB of queued records at most during an outage
KNOWN_ANSWERS = 100_000  # ids of recent answers kept in memory: votes on them need no query
RETRY_S = (0.5, 30.0)  # pause after a failed write: first, then doubled up to the second
# A rating asked for right after the start waits this long for the tables to be created (a
# fresh SQLite file migrates in well under a second): initial choice, not tuned.
MIGRATION_WAIT_S = 2.0
PURGE_EVERY_S = 3600.0
PURGE_CHUNK = 5000  # questions deleted per transaction
# What the editors' page shows of a cited passage (the article's text stays in the index).
TURN_CHARS = 2000  # of each earlier question and answer: a client's history is its own text
CITATION_FIELDS = {"n", "article_id", "title", "source", "published_at", "url", "chunk_id", "quote"}


class FeedbackOffError(NewsbotError):
    """Recording is switched off (``NEWSBOT_RECORD=off``): votes are not kept."""

    http_status = 404
    kind = "feedback_off"


class RecordsUnavailableError(NewsbotError):
    """The records' database cannot be read right now."""

    http_status = 503
    kind = "unavailable"


def session_hash(session_id: str) -> str | None:
    """What is kept of a conversation's id: a hash (the id itself would let its holder read
    the recorded conversation back as its own)."""
    return hashlib.sha256(f"newsbot-session:{session_id}".encode()).hexdigest()[:32] if session_id else None


@dataclass(frozen=True)
class Exchange:
    """One question and its answer, as recorded."""

    answer_id: str
    asked_at: datetime
    session: str | None
    question: str
    standalone: str
    history: list[tuple[str, str]]
    article_id: str | None
    intent: str
    answerer: str
    refused: bool
    fallback: bool
    cited_articles: list[str]
    latency_ms: float
    text: str
    citations: list[dict[str, object]]
    notice: str | None = None
    channel: Channel = Channel.READER


@dataclass(frozen=True)
class Vote:
    answer_id: str
    rating: Rating
    reason: Reason | None = None
    comment: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class RecorderStats:
    written: int = 0
    failed_writes: int = 0  # transactions that failed (an outage counts one per retry)
    dropped: int = 0  # records lost: queue overflow or a record the database refuses
    pending: int = 0
    up: bool = True


def storable(text: str, limit: int | None = None) -> str:
    """Text every database takes: a lone surrogate (which no encoder takes) replaced, NUL
    (which PostgreSQL refuses) dropped, cut at ``limit`` characters."""
    clean = well_formed(text).replace("\x00", "")
    return clean[:limit] if limit is not None else clean


def exchange_of(
    question: Question,
    answer: Answer,
    session_id: str,
    history_turns: int,
    at: datetime | None = None,
    channel: Channel = Channel.READER,
) -> Exchange:
    """What is recorded of an answered question (no client address, the session id hashed).
    The conversation before it is kept as the bot used it: its last ``history_turns`` turns
    (``Settings.history_turns``), each cut short."""
    turns = question.turns[-history_turns:] if history_turns > 0 else ()
    return Exchange(
        answer_id=answer.answer_id,
        asked_at=at or datetime.now(UTC),
        session=session_hash(session_id),
        question=storable(answer.question),
        standalone=storable(answer.standalone_question),
        history=[(storable(t.question, TURN_CHARS), storable(t.answer, TURN_CHARS)) for t in turns],
        article_id=question.article_id,
        intent=answer.intent,
        answerer=answer.answerer,
        refused=answer.refused,
        fallback=answer.fallback,
        cited_articles=list(dict.fromkeys(c.article_id for c in answer.citations)),
        latency_ms=answer.timings.total_ms,
        text=storable(answer.text),
        citations=[c.model_dump(include=CITATION_FIELDS) for c in answer.citations],
        notice=answer.notice,
        channel=channel,
    )


class Recorder(Protocol):
    enabled: bool
    stats: RecorderStats

    @property
    def engine(self) -> Engine | None:
        """Where the records can be read (None: nothing is recorded)."""
        ...

    def record(self, exchange: Exchange) -> None: ...

    def vote(self, vote: Vote) -> None:
        """Keep a vote on an answer (replacing an earlier one); ``NotFoundError`` for an answer
        never given, ``FeedbackOffError`` when recording is off."""
        ...

    def flush(self, timeout_s: float = 10.0) -> bool:
        """Wait until everything queued is written (tests, shutdown); False on timeout."""
        ...

    def wait_migrated(self, timeout_s: float = MIGRATION_WAIT_S) -> None:
        """Just started, the writer may still be creating the tables: a read waits for it (at
        most ``timeout_s``; past it, the read fails as the database's outage would)."""
        ...

    def close(self, timeout_s: float = 10.0) -> None: ...


class NullRecorder:
    """``NEWSBOT_RECORD=off``."""

    enabled = False

    def __init__(self) -> None:
        self.stats = RecorderStats()

    @property
    def engine(self) -> Engine | None:
        return None

    def record(self, exchange: Exchange) -> None:
        return None

    def vote(self, vote: Vote) -> None:
        raise FeedbackOffError("Feedback is not recorded on this site.")

    def flush(self, timeout_s: float = 10.0) -> bool:
        return True

    def wait_migrated(self, timeout_s: float = MIGRATION_WAIT_S) -> None:
        return None

    def close(self, timeout_s: float = 10.0) -> None:
        return None


Item = Exchange | Vote


class DatabaseRecorder:
    """Writes to ``engine`` from its own thread; see the module's docstring."""

    enabled = True

    def __init__(
        self,
        engine: Engine,
        retention_days: int,
        max_pending: int = MAX_PENDING,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine = engine
        self.retention = timedelta(days=retention_days)
        self.max_pending = max_pending
        self.clock = clock
        self.stats = RecorderStats()
        self._queue: deque[Item] = deque()
        self._known: OrderedDict[str, None] = OrderedDict()
        self._cond = threading.Condition()
        self._busy = False  # a batch is being written
        self._closing = False
        self._flushing = 0  # callers waiting in flush()
        self._migrated = False
        self._next_purge = 0.0
        self._thread = threading.Thread(target=self._run, name="records-writer", daemon=True)
        self._thread.start()

    @property
    def engine(self) -> Engine:
        return self._engine

    # --- the request side: never waits on the database -------------------------------------

    def record(self, exchange: Exchange) -> None:
        with self._cond:
            if self._closing:  # the writer is gone: nobody would write it
                self.stats.dropped += 1
                return
            self._known[exchange.answer_id] = None
            if len(self._known) > KNOWN_ANSWERS:
                self._known.popitem(last=False)
            self._enqueue(exchange)

    def vote(self, vote: Vote) -> None:
        if not self._knows(vote.answer_id):
            raise NotFoundError("No such answer (or it is too old to rate).")
        if vote.comment is not None:
            vote = replace(vote, comment=storable(vote.comment))
        with self._cond:
            if not self._closing:
                self._enqueue(vote)

    def _enqueue(self, item: Item) -> None:
        if len(self._queue) >= self.max_pending:
            self._queue.popleft()
            self.stats.dropped += 1
        self._queue.append(item)
        self.stats.pending = len(self._queue)
        self._cond.notify()

    def _knows(self, answer_id: str) -> bool:
        """An answer of this replica (in memory), or of another one (in the database)."""
        with self._cond:
            if answer_id in self._known:
                return True
        self.wait_migrated()
        try:
            with self._engine.connect() as connection:
                found = connection.execute(select(questions.c.id).where(questions.c.id == answer_id)).first()
        except SQLAlchemyError as err:
            log.warning("records: cannot look up an answer: %s", type(err).__name__)
            raise RecordsUnavailableError("Feedback cannot be recorded right now; try again later.") from None
        return found is not None

    def wait_migrated(self, timeout_s: float = MIGRATION_WAIT_S) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._migrated, timeout_s)

    def flush(self, timeout_s: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            self._flushing += 1  # no lingering meanwhile
            self._cond.notify_all()
            try:
                while self._queue or self._busy or not self._migrated:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._cond.wait(min(left, 0.05))
            finally:
                self._flushing -= 1
        return True

    def close(self, timeout_s: float = 10.0) -> None:
        """Write what is queued (for up to ``timeout_s``), then stop the writer."""
        self.flush(timeout_s)
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join(timeout_s)
        if self.stats.pending:
            log.warning("records: %d records could not be written before shutdown", self.stats.pending)
        self._engine.dispose()

    # --- the writer thread ----------------------------------------------------------------

    def _run(self) -> None:
        pause = RETRY_S[0]
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            try:
                self._attempt(batch)
            # Down, locked, timed out, its schema changed under us; or a migration that failed
            # another way (a replica migrating at the same moment): retried, never the end of
            # the writer.
            except Exception as err:
                self._migrated = False  # the next try checks the schema again (a new database?)
                self._failed(batch, err)
                with self._cond:  # a pause that close() cuts short
                    self._cond.wait_for(lambda: self._closing, pause)
                pause = min(pause * 2, RETRY_S[1])
                continue
            pause = RETRY_S[0]

    def _attempt(self, batch: list[Item]) -> None:
        """Write a batch; ``SQLAlchemyError`` when the database cannot be used now."""
        self._prepare()
        try:
            self._write(batch)
        except SQLAlchemyError:
            raise
        except Exception:  # a bug, or a record no driver takes: the others are still written
            log.exception("records: a batch could not be written; writing its records one by one")
            self._write_singly(batch)

    def _next_batch(self) -> list[Item] | None:
        """Up to BATCH queued records (empty when a purge is due); None when closing."""
        with self._cond:
            while not self._queue and not self._closing and time.monotonic() < self._next_purge:
                self._cond.wait(1.0)
            if self._closing and (not self._queue or not self.stats.up):  # an outage: give up
                return None
            # Let a few more arrive: one transaction for many answers costs the answering
            # threads less (CPU, the GIL, fsyncs) than one per answer under load.
            lingered = time.monotonic() + LINGER_S
            while 0 < len(self._queue) < BATCH and not (self._closing or self._flushing):
                left = lingered - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            batch = [self._queue.popleft() for _ in range(min(BATCH, len(self._queue)))]
            self._busy = True
            self.stats.pending = len(self._queue)
            return batch

    def _prepare(self) -> None:
        """Migrations once, then the retention purge every hour (both retried after an outage)."""
        if not self._migrated:
            upgrade(self._engine)
            with self._cond:
                self._migrated = True
                self._cond.notify_all()
        if time.monotonic() >= self._next_purge:
            # Rescheduled first: a purge that fails (a huge backlog past the statement timeout)
            # is retried at the next hour, and never keeps the records from being written.
            self._next_purge = time.monotonic() + PURGE_EVERY_S
            try:
                removed = purge(self._engine, self.clock() - self.retention)
            except SQLAlchemyError as err:
                log.warning(
                    "records: the retention purge failed (%s); trying again in an hour", type(err).__name__
                )
            else:
                if removed:
                    log.info("records: purged %d rows older than %s days", removed, self.retention.days)

    def _write(self, batch: list[Item]) -> None:
        if not batch:
            self._done(batch, 0, 0)
            return
        try:
            with self._engine.begin() as connection:
                write(connection, batch)
            self._done(batch, written=len(batch), dropped=0)
        except (IntegrityError, DataError):  # one bad record must not block the rest: write them one by one
            self._write_singly(batch)

    def _write_singly(self, batch: list[Item]) -> None:
        written = 0
        for item in batch:
            try:
                with self._engine.begin() as connection:
                    write(connection, [item])
                written += 1
            except SQLAlchemyError as err:
                if not isinstance(err, (IntegrityError, DataError)):
                    raise  # the database went away meanwhile: the batch waits (written ones are skipped)
                log.warning("records: a record was refused and dropped: %s", type(err.orig).__name__)
            except Exception as err:  # a record no driver takes (its text); the rest are written
                log.warning("records: a record could not be stored and was dropped: %s", type(err).__name__)
        self._done(batch, written, len(batch) - written)

    def _failed(self, batch: list[Item], err: Exception) -> None:
        with self._cond:
            self.stats.failed_writes += 1
            if self.stats.up:
                log.warning(
                    "records: the database cannot be written (%s); answers go on, %d records wait",
                    type(err).__name__,
                    len(self._queue) + len(batch),
                )
            self.stats.up = False
            self._queue.extendleft(reversed(batch))  # first in, first written when it is back
            while len(self._queue) > self.max_pending:
                self._queue.pop()
                self.stats.dropped += 1
            self.stats.pending = len(self._queue)
            self._busy = False
            self._cond.notify_all()

    def _done(self, batch: Sequence[Item], written: int, dropped: int) -> None:
        with self._cond:
            if not self.stats.up:
                log.info("records: the database is back; writing again")
            self.stats.up = True
            self.stats.written += written
            self.stats.dropped += dropped
            self._busy = False
            self._cond.notify_all()


def write(connection: Connection, batch: Sequence[Item]) -> None:
    """Questions and answers in two multi-row inserts (a record written before, by a retry after
    a lost acknowledgement, is skipped); each vote replaces an older one, never a newer one."""
    exchanges = [item for item in batch if isinstance(item, Exchange)]
    insert_new = _insert_ignoring_duplicates(connection)
    if exchanges:
        connection.execute(insert_new(questions), [_question_row(e) for e in exchanges])
        connection.execute(insert_new(answers), [_answer_row(e) for e in exchanges])
    for item in batch:
        if isinstance(item, Vote):
            _write_vote(connection, item)


def _insert_ignoring_duplicates(connection: Connection) -> Callable[[Table], Insert]:
    match connection.dialect.name:
        case "postgresql":
            return lambda table: postgresql_insert(table).on_conflict_do_nothing()
        case "sqlite":
            return lambda table: sqlite_insert(table).on_conflict_do_nothing()
        case _:  # another database: a duplicate is an IntegrityError, written one by one
            return insert


def _write_vote(connection: Connection, vote: Vote) -> None:
    values = {"rating": vote.rating, "reason": vote.reason, "comment": vote.comment, "updated_at": vote.at}
    newer = (feedback.c.answer_id == vote.answer_id) & (feedback.c.updated_at <= vote.at)
    if connection.execute(update(feedback).where(newer).values(values)).rowcount:
        return
    known = select(feedback.c.id).where(feedback.c.answer_id == vote.answer_id)
    if connection.execute(known).first() is None:  # else a newer vote (another replica's) stays
        connection.execute(insert(feedback).values(answer_id=vote.answer_id, created_at=vote.at, **values))


def _question_row(e: Exchange) -> dict[str, object]:
    return {
        "id": e.answer_id, "asked_at": e.asked_at, "session": e.session, "question": e.question,
        "standalone": e.standalone, "history": [list(turn) for turn in e.history],
        "article_id": e.article_id, "intent": e.intent, "answerer": e.answerer, "refused": e.refused,
        "fallback": e.fallback, "cited_articles": e.cited_articles, "latency_ms": e.latency_ms,
        "channel": e.channel.value,
    }  # fmt: skip


def _answer_row(e: Exchange) -> dict[str, object]:
    return {"id": e.answer_id, "text": e.text, "citations": e.citations, "notice": e.notice}


def purge(engine: Engine, before: datetime) -> int:
    """Delete what was recorded before ``before``: questions, their answers, their votes; in
    transactions of PURGE_CHUNK questions (a backlog never meets the statement timeout whole)."""
    removed = 0
    while True:
        with engine.begin() as connection:
            old = select(questions.c.id).where(questions.c.asked_at < before).limit(PURGE_CHUNK)
            ids = list(connection.execute(old).scalars())
            if ids:
                removed += connection.execute(delete(feedback).where(feedback.c.answer_id.in_(ids))).rowcount
                removed += connection.execute(delete(answers).where(answers.c.id.in_(ids))).rowcount
                removed += connection.execute(delete(questions).where(questions.c.id.in_(ids))).rowcount
            else:  # last: votes whose answer another replica never wrote go by their own date
                removed += connection.execute(delete(feedback).where(feedback.c.updated_at < before)).rowcount
                return int(removed)
