"""Feeds as sources against a local site: RSS, Atom and a news sitemap read, each item's
article fetched with the feed's metadata; conditional requests; robots.txt; broken feeds and
items reported without blocking the others; the watcher indexes a new item in one poll."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest

from bot.config import Settings
from index.errors import InputError
from index.feeds import FeedConfig, FeedReader, Subscription, Subscriptions
from index.fetch import Fetcher
from index.watch import Watcher
from tests.feed_server import Site, article_page, rss, serving
from tests.unit.index.test_sync import indexer_for

FAST = FeedConfig(timeout_s=1.0, deadline_s=5.0, host_delay_s=0.0, max_page_bytes=2_000_000)
BODY = (
    "The Aldermoor harbour authority named Quentin Vasquez as its new chief on Monday. "
    "Vasquez said the ferry timetable would be restored by Friday, after a year of delays."
)
DATE = "Mon, 12 May 2025 08:00:00 GMT"


@pytest.fixture
def site() -> Iterator[Site]:
    with serving() as site:
        site.pages["/robots.txt"] = ("text/plain", b"User-agent: *\nDisallow: /private/\n")
        site.pages["/a1.html"] = article_page("Harbour names a chief", BODY)
        site.pages["/a2.html"] = article_page("Ferry timetable", BODY.replace("Friday", "Sunday"))
        yield site


def _reader() -> FeedReader:
    return FeedReader(Fetcher(FAST), FAST)


def test_rss_items_become_articles_with_the_feeds_metadata(site: Site) -> None:
    site.pages["/rss.xml"] = rss(
        site.base, [("/a1.html", "Harbour names a new chief", DATE), ("/a2.html", "Timetable", DATE)]
    )
    sub = Subscription(f"{site.base}/rss.xml")
    poll = _reader().poll(sub, 0.0)
    assert not poll.failures and len(poll.documents) == 2
    meta = poll.documents[0].metadata
    assert meta["title"] == "Harbour names a new chief" and meta["source"] == "Aldermoor Gazette"
    assert meta["published_at"] == "2025-05-12T08:00:00Z" and meta["category"] == "Local"
    assert meta["origin_kind"] == "feed" and meta["url"] == f"{site.base}/a1.html"
    assert "Vasquez" in poll.documents[0].page_content and "newsletter" not in poll.documents[0].page_content
    reader = _reader()
    assert len(reader.poll(sub, 1.0).documents) == 2  # not marked seen: fetched again
    reader.seen(sub, poll)  # indexed: now it is
    assert reader.poll(sub, 2.0).documents == []


def test_a_conditional_request_costs_nothing_when_the_feed_is_unchanged(site: Site) -> None:
    site.pages["/rss.xml"] = rss(site.base, [("/a1.html", "Harbour", DATE)])
    site.etags["/rss.xml"] = '"v1"'
    sub, reader = Subscription(f"{site.base}/rss.xml"), _reader()
    reader.poll(sub, 0.0)
    before = len(site.requests)
    assert reader.poll(sub, 1.0).not_modified
    assert [r[0] for r in site.requests[before:]] == ["/rss.xml"]
    assert site.requests[-1][2].get("If-None-Match") == '"v1"'


def test_atom_and_a_news_sitemap_are_read(site: Site) -> None:
    site.pages["/atom.xml"] = (
        "application/atom+xml",
        f"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Coastal Times</title>
        <entry><title>Harbour chief</title><link href="{site.base}/a1.html"/>
        <updated>2025-05-13T10:00:00Z</updated><published>2025-05-12T08:00:00Z</published>
        <author><name>Ann Writer</name></author></entry></feed>""".encode(),
    )
    site.pages["/news-sitemap.xml"] = (
        "application/xml",
        f"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>{site.base}/a2.html</loc>
        <news:news><news:publication><news:name>Harbour Post</news:name><news:language>en</news:language>
        </news:publication><news:publication_date>2025-05-14T07:00:00Z</news:publication_date>
        <news:title>Timetable restored by Sunday</news:title></news:news></url></urlset>""".encode(),
    )
    atom = _reader().poll(Subscription(f"{site.base}/atom.xml"), 0.0).documents[0].metadata
    assert (atom["source"], atom["author"], atom["updated_at"]) == (
        "Coastal Times",
        "Ann Writer",
        "2025-05-13T10:00:00Z",
    )
    news = _reader().poll(Subscription(f"{site.base}/news-sitemap.xml"), 0.0).documents[0].metadata
    assert (news["source"], news["title"], news["published_at"]) == (
        "Harbour Post",
        "Timetable restored by Sunday",
        "2025-05-14T07:00:00Z",
    )


def test_broken_items_are_reported_and_the_others_read(site: Site) -> None:
    site.pages["/latin1.html"] = article_page(
        "Café owner", BODY.replace("Vasquez", "Müller"), charset="iso-8859-1"
    )
    items = [
        "/a1.html",
        "/missing.html",
        "/big.html",
        "/slow.html",
        "/loop-a",
        "/private/secret.html",
        "/latin1.html",
    ]
    site.pages["/rss.xml"] = rss(site.base, [(p, p, DATE) for p in items])
    sub = Subscription(f"{site.base}/rss.xml")
    poll = _reader().poll(sub, 0.0)
    assert {d.metadata["url"].rsplit("/", 1)[1] for d in poll.documents} == {"a1.html", "latin1.html"}
    assert "Müller" in next(d for d in poll.documents if "latin1" in d.metadata["url"]).page_content
    reasons = {f.origin.rsplit("/", 1)[1]: f.reason for f in poll.failures}
    assert "404" in reasons["missing.html"] and "larger than" in reasons["big.html"]
    assert "timed out" in reasons["slow.html"] and "redirects" in reasons["loop-a"]
    assert "robots.txt" in reasons["secret.html"]
    assert not any(r[0] == "/private/secret.html" for r in site.requests)  # never asked for
    assert {link for link, _ in poll.fetched} == {f"{site.base}/a1.html", f"{site.base}/latin1.html"}


def test_links_off_the_feeds_site_are_not_fetched(site: Site) -> None:
    """A feed cannot make the indexer fetch another host (an internal address, say)."""
    site.pages["/rss.xml"] = (
        "application/rss+xml",
        rss(site.base, [("/a1.html", "Harbour", DATE)])[1].replace(
            b"</channel>",
            b"<item><title>x</title><link>http://169.254.169.254/latest/meta-data</link></item></channel>",
        ),
    )
    poll = _reader().poll(Subscription(f"{site.base}/rss.xml"), 0.0)
    assert len(poll.documents) == 1
    assert [f.reason.split(":")[0] for f in poll.failures] == ["not on the site asked for"]


def test_a_broken_feed_backs_off_and_recovers(site: Site) -> None:
    site.pages["/rss.xml"] = ("application/rss+xml", b"<rss><channel><item><title>unclosed")
    sub = Subscription(f"{site.base}/rss.xml")
    poll = _reader().poll(sub, 100.0)
    assert poll.failures and sub.failures == 1 and sub.retry_at == 100.0 + FAST.retry_s
    assert not sub.due(100.0 + FAST.retry_s - 1, every_s=0)
    site.pages["/rss.xml"] = rss(site.base, [("/a1.html", "Harbour", DATE)])
    assert len(_reader().poll(sub, 100.0 + FAST.retry_s).documents) == 1 and sub.failures == 0


def test_the_watcher_indexes_a_new_feed_item_in_one_poll(
    site: Site, make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings()
    settings.source_dir.mkdir(parents=True, exist_ok=True)
    subscriptions = Subscriptions(tmp_path / "feeds.json")
    site.pages["/rss.xml"] = rss(site.base, [("/a1.html", "Harbour names a chief", DATE)])
    assert subscriptions.add(f"{site.base}/rss.xml") and not subscriptions.add(f"{site.base}/rss.xml")
    lines: list[str] = []
    feeds = (subscriptions, _reader())
    watcher = Watcher(indexer_for(settings), [settings.source_dir], nullcontext, lines.append, feeds=feeds)
    assert watcher.poll_feeds(now=1_000.0) == 0
    assert watcher.poll_feeds(now=1_001.0) == 0 and len(site.requests) == 3  # not due: nothing asked
    site.pages["/rss.xml"] = rss(
        site.base, [("/a2.html", "Ferry timetable", DATE), ("/a1.html", "Harbour names a chief", DATE)]
    )
    watcher.poll_feeds(now=10_000.0)  # due again: only the new item is fetched
    pages = [r[0] for r in site.requests if r[0].endswith(".html")]
    assert pages == ["/a1.html", "/a2.html"]
    added = [line.split()[2] for line in lines if line.split()[1] == "added"]
    assert len(added) == 2 and set(watcher.indexer.store.articles()) == set(added)
    assert subscriptions.load()[0].seen.keys() == {f"{site.base}/a1.html", f"{site.base}/a2.html"}
    assert not watcher.sync().removed  # a folder sync never prunes feed articles


def test_redirects_are_checked_like_links(site: Site) -> None:
    """Review findings: a redirect off the site, or into robots-disallowed paths, is refused."""
    port = site.base.rsplit(":", 1)[1]
    site.redirects["/out.html"] = f"http://localhost:{port}/a1.html"  # another host name
    site.redirects["/in.html"] = "/private/secret.html"
    site.pages["/rss.xml"] = rss(
        site.base, [("/out.html", "out", DATE), ("/in.html", "in", DATE), ("/a1.html", "ok", DATE)]
    )
    poll = _reader().poll(Subscription(f"{site.base}/rss.xml"), 0.0)
    reasons = {f.origin.rsplit("/", 1)[1]: f.reason for f in poll.failures}
    assert "not on the site asked for" in reasons["out.html"] and "robots.txt" in reasons["in.html"]
    assert len(poll.documents) == 1 and not any(r[0] == "/private/secret.html" for r in site.requests)


def test_a_gzip_bomb_is_capped(site: Site) -> None:
    site.pages["/rss.xml"] = rss(site.base, [("/bomb.html", "bomb", DATE)])
    poll = _reader().poll(Subscription(f"{site.base}/rss.xml"), 0.0)
    assert "larger than" in poll.failures[0].reason


def test_feed_bodies_are_never_opened_as_paths_and_bad_urls_are_failures(site: Site) -> None:
    from index.feeds import parse_feed
    from index.fetch import FetchError

    with pytest.raises(FetchError):
        parse_feed(b"/etc/hostname")  # feedparser would read that file
    site.pages["/rss.xml"] = rss(site.base, [("/a1.html", "ok", DATE)])
    bad = site.pages["/rss.xml"][1].replace(
        b"</channel>", b"<item><link>http://127.0.0.1:0x1/a</link></item></channel>"
    )
    site.pages["/rss.xml"] = ("application/rss+xml", bad)
    poll = _reader().poll(Subscription(f"{site.base}/rss.xml"), 0.0)
    assert len(poll.documents) == 1 and len(poll.failures) == 1
    site.pages["/index.xml"] = (
        "application/xml",
        b'<?xml version="1.0"?><sitemapindex><sitemap/></sitemapindex>',
    )
    assert "sitemap index" in _reader().poll(Subscription(f"{site.base}/index.xml"), 0.0).failures[0].reason


def test_a_failed_item_is_retried_even_when_the_feed_has_an_etag(site: Site) -> None:
    site.pages["/rss.xml"] = rss(site.base, [("/late.html", "late", DATE)])
    site.etags["/rss.xml"] = '"v1"'
    sub, reader = Subscription(f"{site.base}/rss.xml"), _reader()
    assert reader.poll(sub, 0.0).failures and sub.etag == ""  # no validator kept: no 304 next time
    site.pages["/late.html"] = article_page("Late", BODY)
    assert len(reader.poll(sub, 1.0).documents) == 1 and sub.etag == '"v1"'


def test_subscriptions_saved_by_watch_and_add_feed_at_once_both_land(tmp_path: Path) -> None:
    subscriptions = Subscriptions(tmp_path / "feeds.json")
    subscriptions.add("https://a.example/rss")
    polled = subscriptions.load()[0]  # a watch holds this while it polls...
    subscriptions.add("https://b.example/rss")  # ...and add-feed runs meanwhile
    polled.checked_at = 123.0
    subscriptions.update(polled)
    stored = {s.url: s.checked_at for s in subscriptions.load()}
    assert stored == {"https://a.example/rss": 123.0, "https://b.example/rss": 0.0}
    (tmp_path / "feeds.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(InputError, match="not a readable subscriptions file"):
        subscriptions.load()


def test_pages_with_queries_get_their_own_ids() -> None:
    from index.feeds import _item_id

    assert _item_id("https://x.example/article.php?id=1") != _item_id("https://x.example/article.php?id=2")
    assert _item_id("https://x.example/news/harbour") == "x.example-news-harbour"
