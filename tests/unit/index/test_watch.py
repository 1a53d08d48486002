"""``index watch``: a file added, changed or removed is synced within a scan; one line per
change; a source that fails is reported and the rest synced; a busy index is retried."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from bot.config import Settings
from index.errors import IndexBusyError
from index.watch import WatchConfig, Watcher
from tests.corpus import article_text, write_articles
from tests.e2e.servers import eventually
from tests.unit.index.test_sync import indexer_for

FAST = WatchConfig(files_every_s=0.05)


@contextmanager
def _watching(
    settings: Settings, lines: list[str], lock: Callable[[], object] = nullcontext
) -> Iterator[Watcher]:
    watcher = Watcher(indexer_for(settings), [settings.source_dir], lock, lines.append, FAST)  # type: ignore[arg-type]
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    try:
        yield watcher
    finally:
        stop.set()
        thread.join(10)


def _said(lines: list[str], kind: str, what: str) -> bool:
    return any(line.split()[1:3] == [kind, what] for line in lines)


def test_added_changed_removed_files_are_synced_one_line_each(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    write_articles(settings.source_dir, 2)
    lines: list[str] = []
    with _watching(settings, lines) as watcher:
        assert eventually(
            lambda: _said(lines, "added", "article-000") and _said(lines, "added", "article-001"), 10
        )
        store = watcher.indexer.store
        (settings.source_dir / "article-002.txt").write_text(article_text(2), encoding="utf-8")
        assert eventually(lambda: _said(lines, "added", "article-002"), 10)
        (settings.source_dir / "article-000.txt").write_text(article_text(7), encoding="utf-8")
        assert eventually(lambda: _said(lines, "updated", "article-000"), 10)
        (settings.source_dir / "article-001.txt").unlink()
        assert eventually(lambda: _said(lines, "removed", "article-001"), 10)
        assert set(store.articles()) == {"article-000", "article-002"}
        before = len(lines)
    assert len([line for line in lines if " added " in line]) == 3 and before == len(lines)


def test_a_bad_file_is_reported_and_the_others_synced(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    write_articles(settings.source_dir, 1)
    (settings.source_dir / "broken.json").write_text("{not json", encoding="utf-8")
    lines: list[str] = []
    with _watching(settings, lines) as watcher:
        assert eventually(lambda: _said(lines, "added", "article-000"), 10)
        assert eventually(lambda: any(" failed " in line and "broken.json" in line for line in lines), 10)
        assert set(watcher.indexer.store.articles()) == {"article-000"}


def test_a_busy_index_is_retried(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    write_articles(settings.source_dir, 1)
    busy = [True]

    @contextmanager
    def lock() -> Iterator[None]:
        if busy[0]:
            raise IndexBusyError("another build is writing; try again later")
        yield

    lines: list[str] = []
    with _watching(settings, lines, lock):
        assert eventually(lambda: any(" waiting: another build" in line for line in lines), 10)
        busy[0] = False
        assert eventually(lambda: _said(lines, "added", "article-000"), 10)


def test_once_syncs_and_returns(make_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = make_settings()
    write_articles(settings.source_dir, 2)
    lines: list[str] = []
    stats = Watcher(indexer_for(settings), [settings.source_dir], nullcontext, lines.append).sync()
    assert stats.added == 2 and len(lines) == 2
    assert (
        Watcher(indexer_for(settings), [settings.source_dir], nullcontext, lines.append).sync().unchanged == 2
    )
    assert len(lines) == 2  # nothing changed: nothing said


def test_a_surprise_error_is_reported_and_the_watch_goes_on(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    write_articles(settings.source_dir, 1)
    calls = [0]

    @contextmanager
    def lock() -> Iterator[None]:
        calls[0] += 1
        if calls[0] == 1:
            raise RuntimeError("disk full")
        yield

    lines: list[str] = []
    with _watching(settings, lines, lock):
        assert eventually(lambda: _said(lines, "added", "article-000"), 10)
    assert any(" error: RuntimeError: disk full" in line for line in lines)
