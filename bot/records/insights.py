"""What the editors' page shows, read from the records of a period.

Read once per page view: the period's questions (at most ``MAX_ROWS``, the newest) with their
votes, aggregated here rather than in SQL so that SQLite and PostgreSQL give the same
figures and near-duplicates can be grouped (``grouping``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, Select, select
from sqlalchemy.exc import SQLAlchemyError

from bot.records.grouping import Group, group_questions
from bot.records.recorder import RecordsUnavailableError
from bot.records.tables import answers, feedback, questions
from bot.stats import percentile

MAX_ROWS = 200_000  # questions read per page view (20k: 0.9 s here); a busier period shows its newest
WORST = 30  # answers rated down shown, newest first
TOP = 20  # groups of questions shown
TITLE_ROWS = 2000  # newest answers whose citations name the articles' titles


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
    distinct: int = 0  # groups of questions in all (the page shows the TOP largest)
    days: list[Day] = field(default_factory=list)
    top: list[Group] = field(default_factory=list)
    unanswered: list[Group] = field(default_factory=list)
    worst: list[RatedAnswer] = field(default_factory=list)
    articles: list[ArticleCount] = field(default_factory=list)


def read_insights(engine: Engine, since: datetime) -> Insights:
    """The period's insights; ``RecordsUnavailableError`` when the database cannot be read."""
    try:
        with engine.connect() as connection:
            rows = list(connection.execute(_questions_since(since).limit(MAX_ROWS + 1)).mappings())
            votes = Counter(connection.execute(_votes_since(since)).scalars())
            worst = [_rated(r) for r in connection.execute(_worst_since(since).limit(WORST)).mappings()]
            cited = list(connection.execute(_recent_citations(since)).scalars())
    except SQLAlchemyError as err:
        raise _unavailable(err) from None
    insights = Insights(since=since, truncated=len(rows) > MAX_ROWS, worst=worst)
    rows = rows[:MAX_ROWS]
    insights.questions = len(rows)
    insights.refused = sum(1 for r in rows if r["refused"])
    insights.votes_up, insights.votes_down = votes["up"], votes["down"]
    latencies = [r["latency_ms"] for r in rows]
    insights.p50_ms, insights.p95_ms = _percentile(latencies, 0.5), _percentile(latencies, 0.95)
    insights.days = _days(rows)
    everything = group_questions(((r["question"], r["article_id"]) for r in rows), len(rows))
    insights.top, insights.distinct = everything[:TOP], len(everything)
    refusals = ((r["question"], r["article_id"]) for r in rows if r["refused"])
    insights.unanswered = group_questions(refusals, TOP)
    titles = {c["article_id"]: c.get("title", "") for citations in cited for c in (citations or [])}
    titles.update({c["article_id"]: c.get("title", "") for r in worst for c in r.citations})
    insights.articles = _articles(rows, titles)
    return insights


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


def _unavailable(err: SQLAlchemyError) -> RecordsUnavailableError:
    return RecordsUnavailableError(f"The records cannot be read right now ({type(err).__name__}).")


def _questions_since(since: datetime) -> Select[Any]:
    q = questions.c
    columns = (q.asked_at, q.question, q.article_id, q.refused, q.latency_ms, q.cited_articles)
    return select(*columns).where(q.asked_at >= since).order_by(q.asked_at.desc())


def _recent_citations(since: datetime) -> Select[Any]:
    """The newest answers' citations: where the articles' titles are found (the recorded
    questions name articles by id; reading every answer's citations would cost the page)."""
    newest = answers.join(questions, questions.c.id == answers.c.id)
    query = select(answers.c.citations).select_from(newest).where(questions.c.asked_at >= since)
    return query.order_by(questions.c.asked_at.desc()).limit(TITLE_ROWS)


def _votes_since(since: datetime) -> Select[Any]:
    return select(feedback.c.rating).where(feedback.c.updated_at >= since)


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
        .where(feedback.c.rating == "down", feedback.c.updated_at >= since)
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


def _days(rows: list[Any]) -> list[Day]:
    by_day: dict[date, list[Any]] = {}
    for row in rows:
        by_day.setdefault(_utc(row["asked_at"]).date(), []).append(row)
    return [
        Day(
            day=day,
            questions=len(items),
            refused=sum(1 for r in items if r["refused"]),
            p50_ms=_percentile([r["latency_ms"] for r in items], 0.5),
            p95_ms=_percentile([r["latency_ms"] for r in items], 0.95),
        )
        for day, items in sorted(by_day.items())
    ]


def _articles(rows: list[Any], titles: dict[str, str]) -> list[ArticleCount]:
    """Questions per article: asked on its page (the widget's scope) and answered from it."""
    on_page: Counter[str] = Counter(r["article_id"] for r in rows if r["article_id"])
    cited: Counter[str] = Counter(a for r in rows for a in (r["cited_articles"] or []))
    ids = sorted(set(on_page) | set(cited), key=lambda a: (-(on_page[a] + cited[a]), a))
    return [ArticleCount(a, titles.get(a, ""), on_page[a], cited[a]) for a in ids[:TOP]]


def _percentile(values: list[float], q: float) -> float:
    return percentile(values, q) or 0.0


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes (stored as UTC)."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
