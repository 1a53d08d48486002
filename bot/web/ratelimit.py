"""Per-client and per-session request limits (the ``limits`` library's moving window).

One limiter for the API and the web chat, so a client cannot dodge its limit by switching
doors. Exceeding a limit raises ``RateLimitError`` with the seconds until the window frees
a slot: the API turns it into 429 + ``Retry-After``. Each API router that answers questions
applies it once, as a dependency that runs on the validated body (a rejected request costs
no question); the Gradio chat calls ``check`` itself.
"""

from __future__ import annotations

import math
import time
from typing import Protocol

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from bot.web.errors import RateLimitError
from index.errors import ConfigError


class RateLimiter:
    """``per_client`` and ``per_session`` are limit strings such as ``"30/minute;5/second"``."""

    def __init__(self, per_client: str, per_session: str) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._client = _parse(per_client)
        self._session = _parse(per_session)

    def check(self, client: str, session_id: str | None = None) -> None:
        self._hit(self._client, "client", client, "Too many questions from your address")
        if session_id:
            self._hit(self._session, "session", session_id, "Too many questions in this conversation")

    def _hit(self, items: list[RateLimitItem], scope: str, key: str, message: str) -> None:
        for item in items:
            if not self._limiter.hit(item, scope, key):
                reset = self._limiter.get_window_stats(item, scope, key).reset_time
                wait = max(1, math.ceil(reset - time.time()))
                raise RateLimitError(f"{message}; try again in {wait} s.", retry_after_s=wait)


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
