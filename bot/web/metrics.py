"""Prometheus metrics of one app replica (``prometheus-client``), served at ``/metrics``.

Each service has its own registry (several apps in one test process must not share
counters). What is counted: HTTP requests by route template and status, their latency,
answers by answerer / refused / LLM fallback and their latency, and — read at scrape time,
from memory — the index size and whether the store and the shared session store answer.
Route templates, not paths, label requests: an article id in a path would make every
article a new time series.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.records.recorder import RecorderStats
from bot.schemas import Answer

# Seconds; answers take ~0.03-0.3 s extractive and 5-60 s with a small local LLM
# (bench/RESULTS.md), so the buckets span both.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


@dataclass(frozen=True)
class IndexGauges:
    """Read at each scrape: chunks and articles in memory, and whether the stores answer."""

    chunks: Callable[[], float]
    articles: Callable[[], float]
    store_up: Callable[[], float]
    shared_state_up: Callable[[], float]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "newsbot_http_requests", "HTTP requests", ["route", "method", "status"], registry=self.registry
        )
        self.request_seconds = Histogram(
            "newsbot_http_request_seconds",
            "HTTP request time, to the end of the response (streams included)",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.answers = Counter(
            "newsbot_answers",
            "Answers given",
            ["answerer", "refused", "fallback"],
            registry=self.registry,
        )
        self.answer_seconds = Histogram(
            "newsbot_answer_seconds",
            "Time to a whole answer",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )

    def watch_index(self, gauges: IndexGauges) -> None:
        for name, text, read in (
            ("newsbot_index_chunks", "Chunks in the index", gauges.chunks),
            ("newsbot_index_articles", "Articles in the index", gauges.articles),
            ("newsbot_store_up", "1 when the article store answered its last call", gauges.store_up),
            (
                "newsbot_shared_state_up",
                "1 when Redis (if used) answered its last call",
                gauges.shared_state_up,
            ),
        ):
            Gauge(name, text, registry=self.registry).set_function(read)

    def watch_records(self, stats: RecorderStats) -> None:
        """The recorder's counts, read at each scrape (it counts; this only shows)."""
        for name, text, read in (
            ("newsbot_records_written", "Questions and votes written to the records' database",
             lambda: stats.written),
            ("newsbot_records_failed_writes", "Writes to the records' database that failed",
             lambda: stats.failed_writes),
            ("newsbot_records_dropped", "Records lost (queue overflow or refused by the database)",
             lambda: stats.dropped),
            ("newsbot_records_pending", "Records waiting to be written", lambda: stats.pending),
            ("newsbot_records_up", "1 when the last write to the records' database worked",
             lambda: float(stats.up)),
        ):  # fmt: skip
            Gauge(name, text, registry=self.registry).set_function(read)

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.request_seconds.labels(route).observe(seconds)

    def answered(self, answer: Answer) -> None:
        self.answers.labels(answer.answerer, _flag(answer.refused), _flag(answer.fallback)).inc()
        self.answer_seconds.observe(answer.timings.total_ms / 1000)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def _flag(value: bool) -> str:
    return "true" if value else "false"
