"""What the editors' page shows, read from the records of a period.

``read_insights`` reads the period's questions (at most ``MAX_ROWS``, the newest: only the
columns it counts, as the driver gives them) and votes, and aggregates them here rather than
in SQL so that SQLite and PostgreSQL give the same figures and near-duplicates can be grouped
(``grouping``). At 200k questions that is ~1-2 s of a core (bench/insights_scale.py), so the
page is served from an ``InsightsCache``: a period's figures are recounted in the background
once they are a minute old, and the page says when they were counted.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Sequence
from concurrent import futures
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import CursorResult, Engine, Select, String, Text, cast, func, select
from sqlalchemy.exc import SQLAlchemyError

from bot.records.grouping import Asked, Group, QuestionKeys, count_groups
from bot.records.recorder import RecordsUnavailableError
from bot.records.tables import Channel, answers, feedback, questions
from bot.stats import percentile

log = logging.getLogger(__name__)

# Questions counted per period; a busier period shows its newest. 200k: ~1-2 s to count on
# the 2-core test machine (bench/insights_scale.py; 4.8 s before the counting was reworked).
MAX_ROWS = 200_000
WORST = 30  # answers rated down shown, newest first
TOP = 20  # groups of questions shown
TITLE_ROWS = 2000  # newest answers whose citations name the articles' titles
# Question rows fetched and counted at a time: at 200k questions the count's peak memory grew
# 115 MB instead of 163 MB (all rows at once); 1k to 250k took the same time.
BATCH_ROWS = 10_000


@dataclass(frozen=True)
class Day:
    day: date
    questions: int
    refused: int
    p50_ms: float
    p95_ms: float


@dataclass(frozen=True)
class RatedAnswer:
    answer_id: str
    asked_at: datetime
    question: str
    article_id: str | None
    answer: str
    rating: str
    reason: str | None
    comment: str | None
    citations: list[dict[str, Any]]
    history: list[list[str]] = field(default_factory=list)  # the conversation before it


@dataclass(frozen=True)
class ArticleCount:
    article_id: str
    title: str
    asked_on_page: int
    cited: int


@dataclass
class Insights:
    since: datetime
    questions: int = 0
    refused: int = 0
    votes_up: int = 0
    votes_down: int = 0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    truncated: bool = False  # more questions than MAX_ROWS in the period: the newest were read
    as_of: datetime | None = None  # when the records were read
    distinct: int = 0  # groups of questions in all (the page shows the TOP largest)
    days: list[Day] = field(default_factory=list)
    top: list[Group] = field(default_factory=list)
    unanswered: list[Group] = field(default_factory=list)
    worst: list[RatedAnswer] = field(default_factory=list)
    articles: list[ArticleCount] = field(default_factory=list)
    # Questions AI assistants asked (MCP, /ask): counted apart, so that every figure above is
    # about readers.
    agent_questions: int = 0
    agent_refused: int = 0


def read_insights(engine: Engine, since: datetime, max_rows: int = MAX_ROWS) -> Insights:
    """The period's insights, from its newest ``max_rows`` questions; ``RecordsUnavailableError``
    when the database cannot be read."""
    as_of = datetime.now(UTC)
    try:
        with engine.connect() as connection:
            period = _Period(max_rows)
            for rows in _batches(connection.execute(_questions_since(since).limit(max_rows + 1))):
                period.add(rows)
            votes = {rating: count for rating, count in connection.execute(_votes_since(since))}
            worst = [_rated(r) for r in connection.execute(_worst_since(since).limit(WORST)).mappings()]
            cited = list(connection.execute(_recent_citations(since)).scalars())
            agents = {bool(refused): count for refused, count in connection.execute(_agents_since(since))}
    except SQLAlchemyError as err:
        raise _unavailable(err) from None
    period.finish()
    insights = Insights(since=since, truncated=period.truncated, as_of=as_of, worst=worst)
    insights.questions, insights.refused = period.questions, period.refused
    insights.votes_up, insights.votes_down = votes.get("up", 0), votes.get("down", 0)
    insights.agent_questions, insights.agent_refused = sum(agents.values()), agents.get(True, 0)
    insights.p50_ms, insights.p95_ms = _percentile(period.latencies, 0.5), _percentile(period.latencies, 0.95)
    insights.days = period.days()
    keys = QuestionKeys()  # both groupings find a question's terms once
    everything = count_groups(period.asked, TOP, keys)
    insights.top, insights.distinct = everything.top, everything.distinct
    insights.unanswered = count_groups(period.unanswered, TOP, keys).top
    titles = {c["article_id"]: c.get("title", "") for citations in cited for c in (citations or [])}
    titles.update({c["article_id"]: c.get("title", "") for r in worst for c in r.citations})
    insights.articles = _articles(period, titles)
    return insights


# The columns of ``_questions_since``.
_DAY, _ARTICLE, _REFUSED, _LATENCY, _CITED = (itemgetter(n) for n in (0, 2, 3, 4, 5))
_ASKED = itemgetter(1, 2)  # (question, article page)


class _Period:
    """The period's question rows (newest first), counted a batch at a time (``BATCH_ROWS``):
    what repeats (a question on a page, a list of cited articles, a day) is counted in C
    (``Counter`` over ``itemgetter``), then worked on once per different value."""

    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self.questions = 0
        self.truncated = False  # more than max_rows: the newest max_rows are counted
        self.refused = 0
        self.asked: Counter[Asked] = Counter()  # in the order first asked
        self.unanswered: Counter[Asked] = Counter()
        self.on_page: Counter[str] = Counter()
        self.cited_lists: Counter[str] = Counter()  # each answer's cited ids, as JSON
        self.refused_by_day: Counter[Any] = Counter()
        self.by_day: dict[Any, list[float]] = {}  # the database's day value → latencies
        self.latencies: list[float] = []  # sorted by ``finish``

    def add(self, rows: Sequence[Any]) -> None:
        if self.questions + len(rows) > self.max_rows:
            self.truncated = True
            rows = rows[: self.max_rows - self.questions]
        self.questions += len(rows)
        refusals = list(filter(_REFUSED, rows))
        self.refused += len(refusals)
        self.asked.update(map(_ASKED, rows))
        self.unanswered.update(map(_ASKED, refusals))
        self.on_page.update(filter(None, map(_ARTICLE, rows)))
        self.cited_lists.update(map(_CITED, rows))
        self.refused_by_day.update(map(_DAY, refusals))
        for day, same_day in groupby(rows, _DAY):  # newest first: a day's rows are together
            self.by_day.setdefault(day, []).extend(map(_LATENCY, same_day))
        self.latencies.extend(map(_LATENCY, rows))

    def finish(self) -> None:
        # Sorted once: every percentile of it then costs a pass (the sort of a sorted list).
        self.latencies.sort()

    def days(self) -> list[Day]:
        return sorted(
            (
                Day(
                    day=_date(value),
                    questions=len(latencies),
                    refused=self.refused_by_day[value],
                    p50_ms=_percentile(latencies, 0.5),
                    p95_ms=_percentile(latencies, 0.95),
                )
                for value, latencies in self.by_day.items()
            ),
            key=lambda d: d.day,
        )

    def cited(self) -> Counter[str]:
        """Answers citing each article. Each different list is decoded once, all in one call."""
        lists = [text for text in self.cited_lists if text is not None]
        decoded = json.loads(f"[{','.join(lists)}]")
        cited: Counter[str] = Counter()
        for text, articles in zip(lists, decoded, strict=True):
            for article in articles or ():
                cited[article] += self.cited_lists[text]
        return cited


# A page view is served the figures kept for its period while they are younger than this; a
# view of older ones starts a recount in the background. A minute: counting 200k questions
# takes ~1-2 s of a core (bench/insights_scale.py), so editors reloading /admin cost at most
# one count a minute per period, and figures are at most a minute (and a count) old.
FRESH_S = 60.0
# Figures older than this are not shown while they are recounted: the view waits for the count
# (and gets the 503 of a database that cannot be read). A quarter of an hour: older figures are
# not passed off as current, and a database that has gone away is soon said to be.
STALE_S = 900.0
# The longest a view waits for a count, then a 503 that says to try again (the count goes on,
# and its figures are kept). Counting the largest period takes ~2 s; a slow database can take
# its 5 s deadline for each of the count's four reads.
WAIT_S = 10.0
PERIODS_KEPT = 8  # periods whose figures are kept (the page links four; ?days= takes any)


@dataclass(frozen=True)
class _Kept:
    insights: Insights
    counted_at: float  # the cache's clock when the count began


class InsightsCache:
    """The last figures of each period (``days``), so that a page view does not count 200k
    questions each time. Fresh figures (``fresh_s``) are served as they are; older ones are
    served too, while a thread recounts them (up to ``STALE_S``); a first view waits for the
    count. Each period is counted by one thread at a time however many editors ask, and one
    period at a time (counting is CPU work, beside the answers, on a small machine).

    ``count(days)`` reads a period's figures (``read_insights``); it raises
    ``RecordsUnavailableError`` when the database cannot be read, which a waiting view gets."""

    def __init__(
        self,
        count: Callable[[int], Insights],
        clock: Callable[[], float] = time.monotonic,
        wait_s: float = WAIT_S,
        fresh_s: float = FRESH_S,
    ) -> None:
        """``fresh_s``: how long kept figures are served without a recount (``FRESH_S``;
        ``Settings.insights_fresh_s``; 0: every view starts one, showing the last figures)."""
        self._count = count
        self._fresh_s = fresh_s
        self._clock = clock
        self._wait_s = wait_s
        self._lock = threading.Lock()  # guards the two dicts below
        self._counting = threading.Lock()  # held by the one count running
        self._kept: OrderedDict[int, _Kept] = OrderedDict()  # oldest count first
        self._running: dict[int, Future[Insights]] = {}

    @property
    def fresh_s(self) -> float:
        return self._fresh_s

    def get(self, days: int) -> Insights:
        """The period's figures: kept ones while not too old, else new ones (waited for)."""
        with self._lock:
            kept = self._kept.get(days)
            age = self._clock() - kept.counted_at if kept else math.inf
            if kept and age < self._fresh_s:
                return kept.insights
            running = self._running.get(days) or self._start(days)
            if kept and age < STALE_S:
                return kept.insights
        return self._result(running)

    def wait(self, timeout_s: float = 10.0) -> bool:
        """Wait until no count is running (tests, benchmarks); False on timeout."""
        deadline = time.monotonic() + timeout_s
        while True:
            with self._lock:
                running = list(self._running.values())
            if not running:
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            futures.wait(running, timeout=left)  # then again: a view may have started another

    def _start(self, days: int) -> Future[Insights]:
        future: Future[Insights] = Future()
        self._running[days] = future
        threading.Thread(target=self._recount, args=(days, future), name="insights", daemon=True).start()
        return future

    def _recount(self, days: int, future: Future[Insights]) -> None:
        try:
            with self._counting:
                began = self._clock()
                insights = self._count(days)
        except Exception as err:
            with self._lock:
                del self._running[days]
            log.warning("insights: the figures of %d days could not be counted: %s", days, err)
            future.set_exception(err)  # for the views waiting; kept figures stay meanwhile
            return
        with self._lock:
            self._kept[days] = _Kept(insights, began)
            self._kept.move_to_end(days)
            while len(self._kept) > PERIODS_KEPT:
                self._kept.popitem(last=False)
            del self._running[days]
        future.set_result(insights)

    def _result(self, running: Future[Insights]) -> Insights:
        try:
            return running.result(timeout=self._wait_s)
        except TimeoutError:
            raise RecordsUnavailableError(
                "The insights are still being counted; try again in a moment."
            ) from None


def export_rows(engine: Engine, since: datetime) -> Iterator[dict[str, Any]]:
    """Every question of the period with its answer and vote, oldest first (the CSV export)."""
    query = (
        select(
            questions,
            answers.c.text.label("answer"),
            feedback.c.rating,
            feedback.c.reason,
            feedback.c.comment,
        )
        .join(answers, answers.c.id == questions.c.id, isouter=True)
        .join(feedback, feedback.c.answer_id == questions.c.id, isouter=True)
        .where(questions.c.asked_at >= since)
        .order_by(questions.c.asked_at)
    )
    try:
        with engine.connect() as connection:
            for row in connection.execution_options(yield_per=1000).execute(query).mappings():
                yield dict(row)
    except SQLAlchemyError as err:
        raise _unavailable(err) from None


def _batches(result: CursorResult[Any]) -> Iterator[Sequence[Any]]:
    """The driver's own tuples, ``BATCH_ROWS`` at a time: at 200k rows, making SQLAlchemy's
    ``Row`` objects and reading through them cost ~0.15 s more. Its type processing is not needed:
    ``_questions_since`` asks for values both drivers give alike (text, numbers, a flag that
    is only tested; the day, see ``_date``)."""
    with result:
        while rows := result.cursor.fetchmany(BATCH_ROWS):
            yield rows


def _unavailable(err: SQLAlchemyError) -> RecordsUnavailableError:
    return RecordsUnavailableError(f"The records cannot be read right now ({type(err).__name__}).")


def _questions_since(since: datetime) -> Select[Any]:
    """The columns ``_Period`` reads, newest first. The day is the database's (UTC: SQLite
    keeps UTC text, PostgreSQL's session is UTC) and the cited ids are JSON text: neither is
    parsed per row, only per different value."""
    q = questions.c
    day = func.date(q.asked_at, type_=String)  # SQLite: "YYYY-MM-DD"; PostgreSQL: a date
    columns = (day, q.question, q.article_id, q.refused, q.latency_ms, cast(q.cited_articles, Text))
    return (
        select(*columns)
        .where(q.asked_at >= since, q.channel == Channel.READER.value)
        .order_by(q.asked_at.desc())
    )


def _agents_since(since: datetime) -> Select[Any]:
    q = questions.c
    return (
        select(q.refused, func.count())
        .where(q.asked_at >= since, q.channel == Channel.AGENT.value)
        .group_by(q.refused)
    )


def _recent_citations(since: datetime) -> Select[Any]:
    """The newest answers' citations: where the articles' titles are found (the recorded
    questions name articles by id; reading every answer's citations would cost the page)."""
    newest = answers.join(questions, questions.c.id == answers.c.id)
    query = select(answers.c.citations).select_from(newest).where(questions.c.asked_at >= since)
    return query.order_by(questions.c.asked_at.desc()).limit(TITLE_ROWS)


def _votes_since(since: datetime) -> Select[Any]:
    """Readers' votes (an agent may vote on the answers it got: not a reader's figure)."""
    rating = feedback.c.rating
    voted = feedback.join(questions, questions.c.id == feedback.c.answer_id)
    readers = questions.c.channel == Channel.READER.value
    return (
        select(rating, func.count())
        .select_from(voted)
        .where(feedback.c.updated_at >= since, readers)
        .group_by(rating)
    )


def _worst_since(since: datetime) -> Select[Any]:
    q = questions.c
    return (
        select(
            q.id,
            q.asked_at,
            q.question,
            q.history,
            q.article_id,
            answers.c.text,
            answers.c.citations,
            feedback,
        )
        .join(questions, questions.c.id == feedback.c.answer_id)
        .join(answers, answers.c.id == feedback.c.answer_id, isouter=True)
        .where(feedback.c.rating == "down", feedback.c.updated_at >= since, q.channel == Channel.READER.value)
        # Reports with a reason first: a reader who says why helps more than a bare thumb.
        .order_by(feedback.c.reason.is_(None), feedback.c.updated_at.desc())
    )


def _rated(row: Any) -> RatedAnswer:
    return RatedAnswer(
        answer_id=row["id"],
        asked_at=_utc(row["asked_at"]),
        question=row["question"],
        article_id=row["article_id"],
        answer=row["text"] or "",
        rating=row["rating"],
        reason=row["reason"],
        comment=row["comment"],
        citations=list(row["citations"] or []),
        history=list(row["history"] or []),
    )


def _articles(period: _Period, titles: dict[str, str]) -> list[ArticleCount]:
    """Questions per article: asked on its page (the widget's scope) and answered from it."""
    on_page, cited = period.on_page, period.cited()
    ids = sorted(set(on_page) | set(cited), key=lambda a: (-(on_page[a] + cited[a]), a))
    return [ArticleCount(a, titles.get(a, ""), on_page[a], cited[a]) for a in ids[:TOP]]


def _date(value: str | date) -> date:
    """A day as the database gives it: text from SQLite, a date from PostgreSQL."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _percentile(values: list[float], q: float) -> float:
    return percentile(values, q) or 0.0


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC)."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
