"""Per-client and per-session request limits (the ``limits`` library's moving window).

One limiter for the API and the web chat, so a client cannot dodge its limit by switching
doors. Exceeding a limit raises ``RateLimitError`` with the seconds until the window frees
a slot: the API turns it into 429 + ``Retry-After``. Each API router that answers questions
applies it once, as a dependency that runs on the validated body (a rejected request costs
no question); the Gradio chat calls ``check`` itself, and so does ``AgentService`` for the
agents' searches and questions (MCP tools and ``/ask``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Protocol

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage
from limits.strategies import MovingWindowRateLimiter

from bot.web.errors import RateLimitError
from index.errors import ConfigError
from index.guard import CallGuard


class RateLimiter:
    """``per_client`` and ``per_session`` are limit strings such as ``"30/minute;5/second"``.

    Counters live in ``storage``: this process's memory, or Redis shared by the replicas
    (then every check goes through ``guard``: a deadline, and a 503 when Redis is lost).
    """

    def __init__(
        self,
        per_client: str,
        per_session: str,
        storage: Storage | None = None,
        guard: CallGuard | None = None,
    ) -> None:
        self._limiter = MovingWindowRateLimiter(storage or MemoryStorage())
        self._client = _parse(per_client)
        self._session = _parse(per_session)
        self._guard = guard

    def check(self, client: str, session_id: str | None = None) -> None:
        self._hit(self._client, "client", client, "Too many questions from your address")
        if session_id:
            self._hit(self._session, "session", session_id, "Too many questions in this conversation")

    def _hit(self, items: list[RateLimitItem], scope: str, key: str, message: str) -> None:
        for item in items:
            wait = self._call(lambda: self._wait_after_hit(item, scope, key))  # noqa: B023 (called now)
            if wait:
                raise RateLimitError(f"{message}; try again in {wait} s.", retry_after_s=wait)

    def _wait_after_hit(self, item: RateLimitItem, scope: str, key: str) -> int:
        """Count one request; 0 when allowed, else the seconds until the window frees a slot."""
        if self._limiter.hit(item, scope, key):
            return 0
        reset = self._limiter.get_window_stats(item, scope, key).reset_time
        return max(1, math.ceil(reset - time.time()))

    def _call(self, fn: Callable[[], int]) -> int:
        return self._guard.call(fn) if self._guard else fn()


def _parse(spec: str) -> list[RateLimitItem]:
    try:
        return list(parse_many(spec)) if spec.strip() else []
    except ValueError as err:
        raise ConfigError(f"bad rate limit {spec!r}: {err}") from err


def client_key(client: Address | None) -> str:
    """The key of a request's client (``request.client`` of Starlette or Gradio)."""
    return client.host if client else "unknown"


class Address(Protocol):
    @property
    def host(self) -> str: ...
