"""Build progress for people: a tqdm bar on a terminal, plain lines in logs (with ETA)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from index.sync import BuildProgress


def progress_reporter(mode: str) -> tuple[Callable[[BuildProgress], None], Callable[[], None]]:
    if mode == "auto":
        mode = "bar" if sys.stderr.isatty() else "plain"
    if mode == "bar":
        return _bar_reporter()
    if mode == "plain":
        return _plain_reporter(), lambda: None
    return (lambda _p: None), lambda: None


def _bar_reporter() -> tuple[Callable[[BuildProgress], None], Callable[[], None]]:
    from tqdm import tqdm

    bar: list[tqdm] = []  # created on the first report, when the total is known

    def report(p: BuildProgress) -> None:
        if not bar:
            bar.append(tqdm(total=p.chunks_total, unit="chunk", desc="embedding", file=sys.stderr))
        bar[0].n = p.chunks_done
        bar[0].set_postfix_str(f"articles {p.articles_done}/{p.articles_total}")

    return report, lambda: bar[0].close() if bar else None


def _plain_reporter() -> Callable[[BuildProgress], None]:
    started = time.perf_counter()

    def report(p: BuildProgress) -> None:
        elapsed = time.perf_counter() - started
        eta = elapsed / p.chunks_done * (p.chunks_total - p.chunks_done) if p.chunks_done else 0.0
        print(
            f"embedded {p.chunks_done}/{p.chunks_total} chunks, articles {p.articles_done}/"
            f"{p.articles_total}, ETA {eta:.0f} s",
            file=sys.stderr,
            flush=True,
        )

    return report
