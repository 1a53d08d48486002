"""Answers run on threads of their own, at most ``n`` at a time.

A question is blocking work (the model, the store), so it runs on a thread. Left to the
server's shared thread pool, a burst of questions waiting on a hung store would take every
thread, and routes that never touch the store (``/healthz``, ``/widget.js``, ``/read``,
``/api/articles``) would queue behind them. Questions instead take a token of this limiter;
the rest of the app keeps the shared pool. Requests beyond ``n`` wait on the event loop,
holding no thread.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter

T = TypeVar("T")
_END = object()


class AnswerThreads:
    def __init__(self, n: int) -> None:
        self._limiter = CapacityLimiter(n)

    async def run(self, fn: Callable[[], T]) -> T:
        return await anyio.to_thread.run_sync(fn, limiter=self._limiter)

    async def iterate(self, items: Iterator[T]) -> AsyncIterator[T]:
        """``items`` advanced on these threads, one step at a time (for streamed answers)."""
        while True:
            item = await anyio.to_thread.run_sync(next, items, _END, limiter=self._limiter)
            if item is _END:
                return
            yield item  # type: ignore[misc]
