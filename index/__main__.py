"""Command line: ``python -m index build|watch|add-feed|remove-feed|feeds|status|remove``."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Sequence

from index.config import IndexSettings, apply_offline_env
from index.errors import NewsbotError, NotFoundError
from index.progress import progress_reporter
from index.sync import BuildStats
from index.watch import WatchConfig

FEEDS_FILE = "feeds.json"  # in the data folder: the subscriptions and their poll state


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m index",
        description="Build and inspect the Chroma index of news articles. Settings come from "
        "NEWSBOT_* environment variables (NEWSBOT_DATA_DIR, NEWSBOT_CHROMA_HOST, ...).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser(
        "build",
        help="index new and changed articles, drop removed ones",
        description="Index articles from files, folders and http(s) URLs (default: the source "
        "folder, NEWSBOT_SOURCE_DIR=source_docs). Unchanged articles are skipped; articles whose "
        "files are gone from the given folders are removed. Exit code 1 if any source failed.",
    )
    build.add_argument("paths", nargs="*", metavar="PATH", help="file, folder or URL")
    build.add_argument("--no-prune", action="store_true", help="keep indexed articles whose files are gone")
    build.add_argument(
        "--progress",
        choices=["auto", "bar", "plain", "none"],
        default="auto",
        help="progress display: bar (tqdm), plain lines, none; auto = bar on a terminal",
    )
    watch = sub.add_parser(
        "watch",
        help="keep the index in step with the source folder",
        description="Sync the source folder (default NEWSBOT_SOURCE_DIR) now and whenever a file in "
        "it is added, changed or removed (checked every --every seconds), and poll the subscribed "
        "feeds (add-feed) every --feeds-every seconds: the same sync as build, one line per article "
        "added, updated or removed. Runs beside the app or as its own service.",
    )
    watch.add_argument("paths", nargs="*", metavar="PATH", help="file or folder (default: the source folder)")
    watch.add_argument("--once", action="store_true", help="sync once and exit (for cron)")
    watch.add_argument(
        "--every", type=_seconds, default=2.0, help="seconds between looks at the files (default 2)"
    )
    watch.add_argument(
        "--feeds-every", type=_seconds, default=300.0, help="seconds between polls of each feed (default 300)"
    )
    add_feed = sub.add_parser(
        "add-feed",
        help="subscribe to an RSS/Atom feed or a news sitemap",
        description="Store a feed subscription (RSS 2.0, Atom, or a news sitemap); `watch` polls it "
        "and indexes each item's full article.",
    )
    add_feed.add_argument("url")
    remove_feed = sub.add_parser("remove-feed", help="unsubscribe (indexed articles stay)")
    remove_feed.add_argument("url")
    sub.add_parser("feeds", help="the subscribed feeds and how their last poll went")
    status = sub.add_parser("status", help="articles, chunks, model, store and last build")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    remove = sub.add_parser(
        "remove",
        help="delete one article's chunks from the index",
        description="Delete an article from the index. If its file is still "
        "in the source folder, the next build adds it again.",
    )
    remove.add_argument("article_id")
    return parser


def _seconds(value: str) -> float:
    seconds = float(value)
    if not seconds >= 0.1:
        raise argparse.ArgumentTypeError("at least 0.1 s")
    return seconds


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    apply_offline_env()
    try:
        settings = IndexSettings()
        if args.command == "build":
            return _build(settings, args.paths, not args.no_prune, args.progress)
        if args.command == "watch":
            return _watch(settings, args.paths, args.once, WatchConfig(args.every, args.feeds_every))
        if args.command in ("add-feed", "remove-feed", "feeds"):
            return _feeds(settings, args.command, getattr(args, "url", ""))
        if args.command == "status":
            return _status(settings, args.json)
        return _remove(settings, args.article_id)
    except NewsbotError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code


def _build(settings: IndexSettings, paths: list[str], prune: bool, mode: str) -> int:
    from index.factory import make_indexer
    from index.store import write_lock

    sources: list[str] = paths or [str(settings.source_dir)]
    with write_lock(settings):
        indexer = make_indexer(settings)
        if gap := indexer.store.lexical_gap():
            print(f"lexical index: {gap}; bringing it in line with the store first", file=sys.stderr)
        report, close = progress_reporter(mode)
        try:
            stats = indexer.build(sources, prune=prune, progress=report)
        finally:
            close()
    _print_summary(stats)
    return 1 if stats.failures else 0


def _watch(settings: IndexSettings, paths: list[str], once: bool, config: WatchConfig) -> int:
    import signal
    import threading
    from functools import partial
    from pathlib import Path

    from index.factory import make_indexer
    from index.feeds import FeedConfig, FeedReader, Subscriptions
    from index.fetch import Fetcher
    from index.store import write_lock
    from index.watch import Watcher

    sources = [Path(p) for p in paths] or [settings.source_dir]
    say = partial(print, flush=True)
    fetching = FeedConfig(
        timeout_s=settings.fetch_timeout_s, max_page_bytes=int(settings.max_file_mb * 1_000_000)
    )
    feeds = (Subscriptions(settings.data_dir / FEEDS_FILE), FeedReader(Fetcher(fetching), fetching))
    lock = partial(write_lock, settings)
    watcher = Watcher(make_indexer(settings), sources, lock, say, config, feeds)
    if once:
        stats = watcher.sync()
        failed = watcher.poll_feeds()
        print(stats.summary())
        return 1 if stats.failures or failed else 0
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # a service manager's stop: finish, then exit
    say(
        f"watching {', '.join(map(str, sources))} every {config.files_every_s:g} s, feeds every "
        f"{config.feeds_every_s:g} s (Ctrl-C stops)"
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: the sync in progress is crash-safe
        watcher.run(stop)
    return 0


def _feeds(settings: IndexSettings, command: str, url: str) -> int:
    from datetime import UTC, datetime

    from index.feeds import Subscriptions

    subscriptions = Subscriptions(settings.data_dir / FEEDS_FILE)
    if command == "add-feed":
        print(f"subscribed to {url}" if subscriptions.add(url) else f"already subscribed to {url}")
        return 0
    if command == "remove-feed":
        if not subscriptions.remove(url):
            raise NotFoundError(f"not subscribed to {url}")
        print(f"unsubscribed from {url} (its articles stay indexed)")
        return 0
    for sub in subscriptions.load():
        checked = (
            datetime.fromtimestamp(sub.checked_at, UTC).isoformat(timespec="seconds")
            if sub.checked_at
            else "never"
        )
        state = f"failing ({sub.failures}x): {sub.last_error}" if sub.failures else "ok"
        print(f"{sub.url}  checked {checked}  {len(sub.seen)} items seen  {state}")
    return 0


def _print_summary(stats: BuildStats) -> None:
    for failure in stats.failures:
        print(f"failed: {failure}", file=sys.stderr)
    print(stats.summary())


def _status(settings: IndexSettings, as_json: bool) -> int:
    from index.store import open_store

    store = open_store(settings)
    articles = store.articles()
    build = store.build_info()
    info = {
        "articles": len(articles),
        "chunks": store.count(),
        "model": build.get("model", ""),
        "store_mode": store.mode,
        "store_location": store.location,
        "collection": store.collection_name,
        "last_build_at": build.get("last_build_at", "never"),
        "last_build_summary": build.get("last_build_summary", ""),
        "articles_with_sentence_notes": sum(1 for a in articles.values() if a.noted_chunks),
        "lexical_index_chunks": store.lexical.count() if store.lexical else 0,
        "lexical_index_gap": store.lexical_gap(),
    }
    if as_json:
        print(json.dumps(info, indent=2))
    else:
        for key, value in info.items():
            print(f"{key.replace('_', ' ')}: {value}")
        if settings.nlp and info["articles_with_sentence_notes"] < len(articles):
            # Indexed before the notes existed (or with NEWSBOT_NLP=false): answers fall back on
            # rule-based spotting until a build re-annotates them.
            print("hint: some articles have no sentence notes; `python -m index build` adds them")
        if info["lexical_index_gap"]:
            print("hint: the lexical index is not in line with the store; `python -m index build` repairs it")
    return 0


def _remove(settings: IndexSettings, article_id: str) -> int:
    from index.errors import NotFoundError
    from index.store import open_store, write_lock
    from index.sync import remove_article

    with write_lock(settings):
        deleted = remove_article(open_store(settings), article_id)
    if not deleted:
        raise NotFoundError(f"no article with id {article_id!r} in the index")
    print(f"removed {article_id} ({deleted} chunks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
