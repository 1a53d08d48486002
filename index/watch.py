"""``python -m index watch``: keep the index in step with the source folder and the feeds.

Looks at the folder's files (name, size, modification time) every ``files_every_s`` and runs
the same idempotent, crash-safe sync as ``index build`` when anything changed — and once at
the start, so a watcher killed mid-sync and started again completes that sync. Polls each
subscribed feed (index/feeds.py) every ``feeds_every_s`` and syncs its new and updated items
(feed articles are never pruned: an item leaving a feed stays in the archive). Prints one
line per article added, updated or removed, and one per source or item that failed (retried
later; what it held before is kept). ``--once`` does one round and exits (for cron).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from index.errors import NewsbotError
from index.feeds import FeedReader, Subscriptions, due
from index.loaders import iter_source_files
from index.sync import BuildStats, Indexer

log = logging.getLogger(__name__)

Files = dict[str, tuple[int, int]]  # path → (size, modification time in ns)


@dataclass(frozen=True)
class WatchConfig:
    # A file saved is noticed this long after at the latest; a scan of a folder of a few
    # thousand files costs milliseconds. Initial choice, not tuned.
    files_every_s: float = 2.0
    feeds_every_s: float = 300.0  # each feed polled this often (a 304 when unchanged)


class Watcher:
    def __init__(
        self,
        indexer: Indexer,
        sources: Sequence[Path],
        lock: Callable[[], AbstractContextManager[None]],
        say: Callable[[str], None] = print,
        config: WatchConfig = WatchConfig(),
        feeds: tuple[Subscriptions, FeedReader] | None = None,
    ) -> None:
        self.indexer = indexer
        self.sources = list(sources)
        self._lock = lock
        self._say = say
        self.config = config
        self._feeds = feeds

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
        return self._indexed(lambda: self.indexer.build([str(s) for s in self.sources]))

    def _indexed(self, write: Callable[[], BuildStats]) -> BuildStats:
        """One write under the lock, then a line per change and per failure."""
        with self._lock():
            stats = write()
        for line in _lines(stats):
            self._say(line)
        return stats

    def poll_feeds(self, now: float | None = None) -> int:
        """Poll the feeds that are due and sync what they bring; each feed's state is stored
        after its own sync, and its articles count as seen only once indexed (a busy index:
        they are fetched again at its next poll, not every few seconds). Returns the failures."""
        if self._feeds is None:
            return 0
        subscriptions, reader = self._feeds
        reader.fetcher.forget_robots()  # read again each round: a site may change its rules
        now = time.time() if now is None else now
        failed = 0
        for sub in list(due(subscriptions.load(), now, self.config.feeds_every_s)):
            poll = reader.poll(sub, now)
            try:
                if poll.documents:
                    failed += len(self._indexed(partial(self.indexer.sync, poll.documents)).failures)
                reader.seen(sub, poll)
            finally:
                subscriptions.update(sub)  # its poll time at least: not polled again at once
            for failure in poll.failures:
                self._say(f"{_now()} failed {failure}")
            failed += len(poll.failures)
        return failed

    def run(self, stop: threading.Event) -> None:
        """Sync now, then again whenever the files change and whenever a feed is due, until
        ``stop`` is set. A sync that cannot run (another build holds the lock, the store is
        down) is retried next time."""
        seen: Files | None = None
        while True:
            now = self.files()
            if now != seen:
                seen = now if self._try(self.sync) else None
            self._try(self.poll_feeds)
            if stop.wait(self.config.files_every_s):
                return

    def _try(self, step: Callable[[], object]) -> bool:
        try:
            step()
        except NewsbotError as err:
            self._say(f"{_now()} waiting: {err}")
            return False
        except Exception as err:  # a bug or a surprise from a library: report it, keep watching
            log.exception("watch step failed")
            self._say(f"{_now()} error: {type(err).__name__}: {err}")
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
