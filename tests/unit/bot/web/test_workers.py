"""``AnswerThreads``: questions run on their own threads, at most ``n`` at a time."""

from __future__ import annotations

import threading
import time

import anyio

from bot.web.workers import AnswerThreads


def test_at_most_n_answers_run_at_once_and_the_rest_wait() -> None:
    threads, running, most = AnswerThreads(2), [0], [0]
    lock = threading.Lock()

    def answer() -> str:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return threading.current_thread().name

    async def main() -> list[str]:
        names: list[str] = []

        async def one() -> None:
            names.append(await threads.run(answer))

        async with anyio.create_task_group() as group:
            for _ in range(6):
                group.start_soon(one)
        return names

    names = anyio.run(main)
    assert len(names) == 6 and most[0] == 2
    assert threading.main_thread().name not in names  # never on the event loop's thread


def test_a_stream_is_advanced_on_the_threads_in_order() -> None:
    threads = AnswerThreads(1)
    seen: list[str] = []

    def items():  # type: ignore[no-untyped-def]
        for i in range(3):
            seen.append(threading.current_thread().name)
            yield i

    async def main() -> list[int]:
        return [item async for item in threads.iterate(items())]

    assert anyio.run(main) == [0, 1, 2]
    assert threading.main_thread().name not in seen
