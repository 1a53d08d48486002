"""Feeds as sources: RSS 2.0, Atom and news sitemaps, each item's full article fetched.

``python -m index add-feed URL`` stores a subscription (``DATA_DIR/feeds.json``);
``python -m index watch`` polls them. A poll asks with ``If-None-Match`` /
``If-Modified-Since`` (a 304 costs nothing), parses the feed with ``feedparser`` (a news
sitemap, ``<urlset>`` with ``news:`` tags, with the standard library), and fetches the page
of each item it has not seen in this version (link + the feed's updated date), extracted
with trafilatura; the feed's title, author, dates and categories win over the page's. A
failing feed or item is reported and retried later (backing off), never blocking the others.

Every request goes through ``index.fetch.Fetcher``: robots.txt, one host at a time with a
delay, timeouts, caps, redirects kept on the feed's site, no private addresses (pinned).
"""

from __future__ import annotations

import calendar
import fcntl
import hashlib
import io
import json
import os
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from langchain_core.documents import Document

from index.errors import InputError
from index.fetch import FetchConfig, Fetcher, FetchError
from index.loaders import (
    ArticleLoadError,
    LoadFailure,
    is_web_url,
    make_document,
    parse_html_article,
    url_article_id,
)

ORIGIN_KIND = "feed"


@dataclass(frozen=True)
class FeedConfig(FetchConfig):
    """The fetcher's settings (``index.fetch``) and a feed's own. Initial choices, not tuned."""

    max_feed_bytes: int = 5_000_000
    max_page_bytes: int = 5_000_000
    max_items: int = 100  # items read per poll of one feed (the newest first, as feeds list them)
    poll_budget_s: float = 120.0  # fetching one feed's items stops after this (the rest: next poll)
    retry_s: float = 300.0  # a failed feed is tried again after this, doubling, up to a day
    seen_per_feed: int = 1000  # item versions remembered per feed (not fetched again)
    user_agent: str = "newsbot-feeds/1.0"


@dataclass
class Subscription:
    url: str
    etag: str = ""
    modified: str = ""
    checked_at: float = 0.0
    failures: int = 0
    retry_at: float = 0.0
    last_error: str = ""
    seen: dict[str, str] = field(default_factory=dict)  # item link → the version fetched

    def due(self, now: float, every_s: float) -> bool:
        return now >= max(self.retry_at, self.checked_at + every_s)


class Subscriptions:
    """The feeds to poll, kept in a JSON file. Every change is a read-modify-write under an
    exclusive lock on a side file, written to a temporary file and renamed into place: a
    ``watch`` saving a feed's state and an ``add-feed`` at the same moment both land."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[Subscription]:
        if not self.path.exists():
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return [Subscription(**item) for item in data]
        except (ValueError, TypeError) as err:
            raise InputError(f"{self.path} is not a readable subscriptions file: {err}") from err

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield  # released when the file closes

    def _save(self, subscriptions: list[Subscription]) -> None:
        partial = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}")
        with open(partial, "w", encoding="utf-8") as out:
            json.dump([asdict(s) for s in subscriptions], out, indent=1)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, self.path)

    def add(self, url: str) -> bool:
        """False when already subscribed."""
        if not is_web_url(url):
            raise InputError(f"not an http(s) URL: {url!r}")
        with self._locked():
            current = self.load()
            if any(s.url == url for s in current):
                return False
            self._save([*current, Subscription(url)])
        return True

    def remove(self, url: str) -> bool:
        with self._locked():
            current = self.load()
            kept = [s for s in current if s.url != url]
            self._save(kept)
        return len(kept) < len(current)

    def update(self, sub: Subscription) -> None:
        """Store one feed's new state (nothing, if it was unsubscribed meanwhile)."""
        with self._locked():
            current = self.load()
            self._save([sub if s.url == sub.url else s for s in current])


@dataclass(frozen=True)
class FeedItem:
    link: str
    title: str = ""
    author: str = ""
    published: str = ""
    updated: str = ""
    categories: tuple[str, ...] = ()

    @property
    def version(self) -> str:
        return self.updated or self.published or "-"


def parse_feed(body: bytes) -> tuple[str, list[FeedItem]]:
    """The feed's title (the outlet) and its items, newest first as listed."""
    head = body[:2000].decode("utf-8", errors="replace")
    if "<sitemapindex" in head:
        raise FetchError("a sitemap index: subscribe to the news sitemaps it lists")
    if "<urlset" in head:
        return _parse_sitemap(body)
    import feedparser

    parsed = feedparser.parse(io.BytesIO(body))  # bytes alone: feedparser may open them as a path
    items = [
        FeedItem(
            link=entry.get("link", ""),
            title=entry.get("title", ""),
            author=entry.get("author", ""),
            published=_iso(entry.get("published_parsed")),
            updated=_iso(entry.get("updated_parsed")),
            categories=tuple(t.get("term", "") for t in entry.get("tags", []) if t.get("term")),
        )
        for entry in parsed.entries
    ]
    linked = [i for i in items if i.link]
    if not linked and parsed.get("bozo"):  # lenient parsing of broken XML found nothing usable
        raise FetchError(f"not a feed ({parsed.get('bozo_exception') or 'unreadable'})")
    return str(parsed.feed.get("title", "")), linked


_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "n": "http://www.google.com/schemas/sitemap-news/0.9",
}


def _parse_sitemap(body: bytes) -> tuple[str, list[FeedItem]]:
    try:
        root = ET.fromstring(body)  # expat: no external entities; entity expansion is capped
    except ET.ParseError as err:
        raise FetchError(f"not a sitemap ({err})") from err
    outlet, items = "", []
    for url in root.findall("s:url", _NS):
        link = (url.findtext("s:loc", "", _NS) or "").strip()
        news = url.find("n:news", _NS)
        if not link:
            continue
        if news is None:
            items.append(FeedItem(link=link, updated=(url.findtext("s:lastmod", "", _NS) or "").strip()))
            continue
        outlet = outlet or (news.findtext("n:publication/n:name", "", _NS) or "").strip()
        items.append(
            FeedItem(
                link=link,
                title=(news.findtext("n:title", "", _NS) or "").strip(),
                published=(news.findtext("n:publication_date", "", _NS) or "").strip(),
                categories=tuple(
                    k.strip() for k in (news.findtext("n:keywords", "", _NS) or "").split(",") if k.strip()
                ),
            )
        )
    return outlet, items


def _iso(parsed: Any) -> str:
    if not parsed:
        return ""
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Poll:
    """What one poll of one feed gave. ``fetched``: the (link, version) of each document, to
    be marked seen once they are indexed (``FeedReader.seen``), not before."""

    documents: list[Document] = field(default_factory=list)
    fetched: list[tuple[str, str]] = field(default_factory=list)
    failures: list[LoadFailure] = field(default_factory=list)
    not_modified: bool = False


class FeedReader:
    def __init__(self, fetcher: Fetcher, config: FeedConfig = FeedConfig()) -> None:
        self.fetcher = fetcher
        self.config = config

    def poll(self, sub: Subscription, now: float) -> Poll:
        """Read ``sub`` (its poll state updated in place): its new or updated items' articles."""
        sub.checked_at = now
        headers = {k: v for k, v in (("If-None-Match", sub.etag), ("If-Modified-Since", sub.modified)) if v}
        try:
            found = self.fetcher.get(sub.url, headers, self.config.max_feed_bytes)
            if found.status == 304:
                self._succeeded(sub)
                return Poll(not_modified=True)
            if found.status >= 400:
                raise FetchError(f"HTTP {found.status}")
            outlet, items = parse_feed(found.body)
        except FetchError as err:
            self._failed(sub, str(err), now)
            return Poll(failures=[LoadFailure(sub.url, str(err))])
        poll = self._items(sub, outlet, items)
        if not poll.failures:
            # Only then: with a failed item, the next poll must fetch the feed again (not a
            # 304) to retry it, or it could leave the feed before it is ever read.
            sub.etag, sub.modified = found.headers.get("etag", ""), found.headers.get("last-modified", "")
        self._succeeded(sub)
        return poll

    def _items(self, sub: Subscription, outlet: str, items: list[FeedItem]) -> Poll:
        poll = Poll()
        budget = time.monotonic() + self.config.poll_budget_s
        for item in items[: self.config.max_items]:
            if sub.seen.get(item.link) == item.version:
                continue
            if time.monotonic() > budget:  # the rest at the next poll: the folder must not wait
                poll.failures.append(LoadFailure(item.link, "postponed: this poll ran out of time"))
                continue
            try:
                poll.documents.append(self._article(item, outlet, sub.url))
                poll.fetched.append((item.link, item.version))
            except (FetchError, ArticleLoadError) as err:
                poll.failures.append(LoadFailure(item.link, str(err)))
        return poll

    def seen(self, sub: Subscription, poll: Poll) -> None:
        """Mark the poll's articles seen (they are indexed): not fetched again in this version."""
        sub.seen.update(poll.fetched)
        sub.seen = dict(list(sub.seen.items())[-self.config.seen_per_feed :])

    def _article(self, item: FeedItem, outlet: str, feed_url: str) -> Document:
        page = self.fetcher.get(item.link, {}, self.config.max_page_bytes, site=feed_url)
        if page.status >= 400:
            raise FetchError(f"HTTP {page.status}")
        doc = parse_html_article(
            page.text(), _item_id(page.url), item.link, url=page.url, origin_kind=ORIGIN_KIND
        )
        given = {
            "title": item.title,
            "author": item.author,
            "published_at": item.published,
            "updated_at": item.updated if item.updated != item.published else "",
            "source": outlet,
            "category": ", ".join(item.categories),
        }
        meta = {**doc.metadata, **{k: v for k, v in given.items() if v}}
        return make_document(doc.page_content, meta, item.link, ORIGIN_KIND)

    def _succeeded(self, sub: Subscription) -> None:
        sub.failures, sub.retry_at, sub.last_error = 0, 0.0, ""

    def _failed(self, sub: Subscription, reason: str, now: float) -> None:
        sub.failures += 1
        sub.last_error = reason
        sub.retry_at = now + min(self.config.retry_s * 2 ** (sub.failures - 1), 86_400.0)


def _item_id(url: str) -> str:
    """The article id of a page: its host and path, and a digest of its query when it has one
    (article.php?id=1 and ?id=2 are two articles)."""
    query = urlsplit(url).query
    base = url_article_id(url)
    return f"{base[:70]}-{hashlib.sha256(query.encode()).hexdigest()[:8]}" if query else base


def due(subscriptions: list[Subscription], now: float, every_s: float) -> Iterator[Subscription]:
    return (s for s in subscriptions if s.due(now, every_s))
