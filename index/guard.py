"""Calls to a service that may hang or vanish (the Chroma server, Redis), with a deadline.

Chroma's HTTP client waits forever on a server that stopped answering (its httpx client has
no timeout, and no setting gives it one). Every read the app makes of the store therefore
runs on a small pool of its own threads and is given up after ``timeout_s``: the caller gets
an ``IndexUnavailableError`` (HTTP 503) while the stuck call finishes, or not, on its pool
thread. The pool is bounded, so a hung server holds at most ``workers`` threads; after a
failure, calls fail at once for ``cooldown_s`` instead of each waiting out the timeout, and
the first call after that tries the server again (recovery needs no restart).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import TypeVar

from index.errors import IndexUnavailableError, NewsbotError

T = TypeVar("T")


@dataclass(frozen=True)
class GuardConfig:
    timeout_s: float = 5.0  # the example bound for a reader's 503
    workers: int = 8  # concurrent store calls (a question makes one to two); initial choice
    # Long enough that a burst of questions to a dead server fails fast, short enough that a
    # recovered one is used again within about a second: initial choice, not tuned.
    cooldown_s: float = 1.0


class CallGuard:
    """Runs ``call(fn)`` with a deadline; remembers whether the service last answered."""

    def __init__(
        self,
        what: str,
        config: GuardConfig = GuardConfig(),
        error: type[NewsbotError] = IndexUnavailableError,
    ) -> None:
        """``error`` is what a caller gets when the service fails (a 503 of the NewsbotError family)."""
        self.what = what
        self.config = config
        self._error = error
        self._pool = ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="store-call")
        self._slots = threading.BoundedSemaphore(config.workers)
        self._lock = threading.Lock()
        self._failed_at: float | None = None
        self._failure = ""

    @property
    def healthy(self) -> bool:
        """The last call answered (True before any call)."""
        return self._failed_at is None

    @property
    def failure(self) -> str:
        """Why the last call failed ("" when it answered)."""
        return self._failure

    def call(self, fn: Callable[[], T]) -> T:
        start = time.monotonic()
        self._refuse_while_cooling(start)
        if not self._slots.acquire(timeout=self.config.timeout_s):
            raise self._failed(f"{self.what} is not answering (all {self.config.workers} calls waiting)")
        future: Future[T] = self._pool.submit(self._run, fn)
        try:
            result = future.result(timeout=max(0.0, self.config.timeout_s - (time.monotonic() - start)))
        except FutureTimeout:
            raise self._failed(f"{self.what} did not answer within {self.config.timeout_s:g} s") from None
        except NewsbotError:
            raise
        except Exception as err:  # the client raises many unrelated types for a lost server
            raise self._failed(f"{self.what} cannot be reached: {type(err).__name__}") from err
        self._answered()
        return result

    def _run(self, fn: Callable[[], T]) -> T:
        try:
            return fn()
        finally:
            self._slots.release()

    def _refuse_while_cooling(self, now: float) -> None:
        with self._lock:
            failed_at, failure = self._failed_at, self._failure
        if failed_at is not None and now - failed_at < self.config.cooldown_s:
            raise self._error(failure)

    def _failed(self, message: str) -> NewsbotError:
        with self._lock:
            self._failed_at, self._failure = time.monotonic(), message
        return self._error(message)

    def _answered(self) -> None:
        with self._lock:
            self._failed_at, self._failure = None, ""
