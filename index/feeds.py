"""Feeds as sources: RSS 2.0, Atom and news sitemaps, each item's full article fetched.

``python -m index add-feed URL`` stores a subscription (``DATA_DIR/feeds.json``);
``python -m index watch`` polls them. A poll asks with ``If-None-Match`` /
``If-Modified-Since`` (a 304 costs nothing), parses the feed with ``feedparser`` (a news
sitemap, ``<urlset>`` with ``news:`` tags, with the standard library), and fetches the page
of each item it has not seen in this version (link + the feed's updated date), extracted
with trafilatura; the feed's title, author, dates and categories win over the page's. A
failing feed or item is reported and retried later (backing off), never blocking the others.

Politeness: one request at a time, ``host_delay_s`` between two requests to one host,
robots.txt obeyed (fetched once per host per poll; a 4xx means no rules, a 5xx or a timeout
means "not now"), every request with a timeout, a total deadline and a size cap, at most
``max_redirects`` redirects.
"""

from __future__ import annotations

import calendar
import ipaddress
import json
import os
import time
import urllib.robotparser
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from langchain_core.documents import Document

from index.errors import InputError
from index.loaders import ArticleLoadError, LoadFailure, make_document, parse_html_article, url_article_id

ORIGIN_KIND = "feed"


@dataclass(frozen=True)
class FeedConfig:
    """Initial choices, not tuned."""

    timeout_s: float = 10.0  # each request: connect, and each read
    deadline_s: float = 30.0  # each request, in all (a server that drips bytes)
    max_feed_bytes: int = 5_000_000
    max_page_bytes: int = 5_000_000
    max_redirects: int = 5
    host_delay_s: float = 1.0  # between two requests to one host
    max_items: int = 100  # items read per poll of one feed (the newest first, as feeds list them)
    retry_s: float = 300.0  # a failed feed is tried again after this, doubling, up to a day
    seen_per_feed: int = 1000  # item versions remembered per feed (not fetched again)
    user_agent: str = "newsbot-feeds/1.0"


class FetchError(Exception):
    """A request that did not give a usable answer (its message is shown as the reason)."""


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
    """The feeds to poll, kept in a JSON file (written whole, then renamed into place)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> list[Subscription]:
        if not self.path.exists():
            return []
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return [Subscription(**item) for item in data]

    def save(self, subscriptions: list[Subscription]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps([asdict(s) for s in subscriptions], indent=1), encoding="utf-8")
        os.replace(partial, self.path)

    def add(self, url: str) -> bool:
        """False when already subscribed."""
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise InputError(f"not an http(s) URL: {url!r}")
        current = self.load()
        if any(s.url == url for s in current):
            return False
        self.save([*current, Subscription(url)])
        return True

    def remove(self, url: str) -> bool:
        current = self.load()
        kept = [s for s in current if s.url != url]
        self.save(kept)
        return len(kept) < len(current)


@dataclass(frozen=True)
class Fetched:
    status: int
    url: str  # after redirects
    headers: dict[str, str]
    body: bytes

    def text(self) -> str:
        charset = ""
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            charset = value.strip('"') if key.lower() == "charset" else charset
        try:
            return self.body.decode(charset or "utf-8")
        except (LookupError, UnicodeDecodeError):
            return self.body.decode("latin-1")  # every byte is a character: never fails


class Fetcher:
    """Polite HTTP GETs (see the module's docstring)."""

    def __init__(self, config: FeedConfig = FeedConfig(), client: Any = None) -> None:
        import httpx

        self.config = config
        self._client = client or httpx.Client(
            timeout=config.timeout_s, follow_redirects=False, headers={"User-Agent": config.user_agent}
        )
        self._last: dict[str, float] = {}  # host → when it was last asked
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}

    def forget_robots(self) -> None:
        self._robots.clear()

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        if host not in self._robots:
            self._robots[host] = self._read_robots(host)
        rules = self._robots[host]
        if rules is None:
            raise FetchError("robots.txt could not be read; trying again later")
        return rules.can_fetch(self.config.user_agent, url)

    def _read_robots(self, host: str) -> urllib.robotparser.RobotFileParser | None:
        rules = urllib.robotparser.RobotFileParser()
        try:
            found = self._get(f"{host}/robots.txt", {}, 500_000)
        except FetchError:
            return None
        if 400 <= found.status < 500:
            rules.parse([])  # no rules: everything allowed
        elif found.status >= 500:
            return None
        else:
            rules.parse(found.text().splitlines())
        return rules

    def get(self, url: str, headers: dict[str, str], max_bytes: int) -> Fetched:
        if not self.allowed(url):
            raise FetchError("disallowed by robots.txt")
        return self._get(url, headers, max_bytes)

    def _get(self, url: str, headers: dict[str, str], max_bytes: int) -> Fetched:
        import httpx

        for _ in range(self.config.max_redirects + 1):
            self._wait_for(url)
            try:
                found = self._one(url, headers, max_bytes)
            except httpx.TimeoutException as err:
                raise FetchError(f"timed out after {self.config.timeout_s:g} s") from err
            except httpx.HTTPError as err:
                raise FetchError(f"could not fetch: {err}") from err
            if found.status in (301, 302, 303, 307, 308) and "location" in found.headers:
                url = urljoin(url, found.headers["location"])
                if urlsplit(url).scheme not in ("http", "https"):
                    raise FetchError(f"redirected to a non-http URL: {url}")
                continue
            return found
        raise FetchError(f"more than {self.config.max_redirects} redirects")

    def _one(self, url: str, headers: dict[str, str], max_bytes: int) -> Fetched:
        started = time.monotonic()
        with self._client.stream("GET", url, headers=headers) as response:
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > max_bytes:
                    raise FetchError(f"larger than {max_bytes / 1e6:g} MB")
                if time.monotonic() - started > self.config.deadline_s:
                    raise FetchError(f"not received within {self.config.deadline_s:g} s")
            return Fetched(response.status_code, str(response.url), dict(response.headers), bytes(body))

    def _wait_for(self, url: str) -> None:
        host = urlsplit(url).netloc
        wait = self._last.get(host, 0.0) + self.config.host_delay_s - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last[host] = time.monotonic()


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
    if "<urlset" in head:
        return _parse_sitemap(body)
    import feedparser

    parsed = feedparser.parse(body)
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
    """What one poll of one feed gave."""

    documents: list[Document] = field(default_factory=list)
    failures: list[LoadFailure] = field(default_factory=list)
    not_modified: bool = False


class FeedReader:
    def __init__(self, fetcher: Fetcher, config: FeedConfig = FeedConfig()) -> None:
        self.fetcher = fetcher
        self.config = config

    def poll(self, sub: Subscription, now: float) -> Poll:
        """Read ``sub`` (updating its state in place): its new or updated items as documents."""
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
        poll = Poll()
        for item in items[: self.config.max_items]:
            if sub.seen.get(item.link) == item.version:
                continue
            if not same_site(item.link, sub.url):
                # A feed speaks for its own site: a link elsewhere (an internal address, say)
                # is not fetched on its word.
                poll.failures.append(LoadFailure(item.link, "not on the feed's site; not fetched"))
                continue
            try:
                poll.documents.append(self._article(item, outlet))
            except (FetchError, ArticleLoadError) as err:
                poll.failures.append(LoadFailure(item.link, str(err)))
                continue  # not remembered: tried again at the next poll
            sub.seen[item.link] = item.version
        sub.seen = dict(list(sub.seen.items())[-self.config.seen_per_feed :])
        sub.etag, sub.modified = found.headers.get("etag", ""), found.headers.get("last-modified", "")
        self._succeeded(sub)
        return poll

    def _article(self, item: FeedItem, outlet: str) -> Document:
        page = self.fetcher.get(item.link, {}, self.config.max_page_bytes)
        if page.status >= 400:
            raise FetchError(f"HTTP {page.status}")
        doc = parse_html_article(
            page.text(), url_article_id(page.url), item.link, url=page.url, origin_kind=ORIGIN_KIND
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


def same_site(url: str, feed_url: str) -> bool:
    """The same host, or hosts under the same domain (www.x.example and feeds.x.example)."""
    host, home = urlsplit(url).hostname or "", urlsplit(feed_url).hostname or ""
    if urlsplit(url).scheme not in ("http", "https") or not host:
        return False
    if host == home:
        return True
    if _is_ip(host) or _is_ip(home) or "." not in host:
        return False  # addresses and bare names: only the very same one
    return host.split(".")[-2:] == home.split(".")[-2:]


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def due(subscriptions: list[Subscription], now: float, every_s: float) -> Iterator[Subscription]:
    return (s for s in subscriptions if s.due(now, every_s))
