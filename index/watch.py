"""``python -m index watch``: keep the index in step with the source folder, unattended.

Looks at the folder's files (name, size, modification time) every ``files_every_s`` and runs
the same idempotent, crash-safe sync as ``index build`` when anything changed — and once at
the start, so a watcher killed mid-sync and started again completes that sync. Prints one
line per article added, updated or removed, and one per source that failed (it is retried on
the next change; the articles it held are kept). ``--once`` syncs and exits (for cron).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from index.errors import NewsbotError
from index.loaders import iter_source_files
from index.sync import BuildStats, Indexer

Files = dict[str, tuple[int, int]]  # path → (size, modification time in ns)


@dataclass(frozen=True)
class WatchConfig:
    # A file saved is noticed this long after at the latest; a scan of a folder of a few
    # thousand files costs milliseconds. Initial choice, not tuned.
    files_every_s: float = 2.0


class Watcher:
    def __init__(
        self,
        indexer: Indexer,
        sources: Sequence[Path],
        lock: Callable[[], AbstractContextManager[None]],
        say: Callable[[str], None] = print,
        config: WatchConfig = WatchConfig(),
    ) -> None:
        self.indexer = indexer
        self.sources = list(sources)
        self._lock = lock
        self._say = say
        self.config = config

    def files(self) -> Files:
        found: Files = {}
        for source in self.sources:
            for path in iter_source_files(source):
                try:
                    stat = path.stat()
                except OSError:
                    continue  # removed while we looked: the next scan sees it gone
                found[str(path)] = (stat.st_size, stat.st_mtime_ns)
        return found

    def sync(self) -> BuildStats:
        with self._lock():
            stats = self.indexer.build([str(s) for s in self.sources])
        for line in _lines(stats):
            self._say(line)
        return stats

    def run(self, stop: threading.Event) -> None:
        """Sync now, then again whenever the files change, until ``stop`` is set. A sync that
        cannot run (another build holds the lock, the store is down) is retried next time."""
        seen: Files | None = None
        while True:
            now = self.files()
            if now != seen:
                seen = now if self._try_sync() else None
            if stop.wait(self.config.files_every_s):
                return

    def _try_sync(self) -> bool:
        try:
            self.sync()
        except NewsbotError as err:
            self._say(f"{_now()} waiting: {err}")
            return False
        return True


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _lines(stats: BuildStats) -> Iterator[str]:
    stamp = _now()
    for kind, article_id in stats.changes:
        yield f"{stamp} {kind} {article_id}"
    for failure in stats.failures:
        yield f"{stamp} failed {failure}"
