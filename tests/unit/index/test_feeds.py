"""Feeds as sources against a local site: RSS, Atom and a news sitemap read, each item's
article fetched with the feed's metadata; conditional requests; robots.txt; broken feeds and
items reported without blocking the others; the watcher indexes a new item in one poll."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest

from bot.config import Settings
from index.feeds import FeedConfig, FeedReader, Fetcher, Subscription, Subscriptions
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
    assert _reader().poll(sub, 1.0).documents == []  # seen: not fetched again


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
    assert set(sub.seen) == {f"{site.base}/a1.html", f"{site.base}/latin1.html"}  # the rest: retried


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
    assert [f.reason for f in poll.failures] == ["not on the feed's site; not fetched"]


def test_same_site() -> None:
    from index.feeds import same_site

    assert same_site("https://www.paper.example/a", "https://feeds.paper.example/rss")
    assert not same_site("https://evil.example/a", "https://www.paper.example/rss")
    assert not same_site("http://127.0.0.2/a", "http://127.0.0.1:8000/rss")
    assert not same_site("http://10.0.0.1/a", "http://192.168.0.1/rss")  # addresses: no "domain"
    assert not same_site("http://localhost/a", "https://www.paper.example/rss")
    assert not same_site("file:///etc/passwd", "https://www.paper.example/rss")


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
    watcher = Watcher(
        indexer_for(settings),
        [settings.source_dir],
        nullcontext,
        lines.append,
        feeds=(subscriptions, _reader()),
    )
    watcher.poll_feeds(now=0.0)
    site.pages["/rss.xml"] = rss(
        site.base, [("/a2.html", "Ferry timetable", DATE), ("/a1.html", "Harbour names a chief", DATE)]
    )
    watcher.poll_feeds(now=10_000.0)  # the next poll: only the new item is fetched and added
    added = [line.split()[2] for line in lines if line.split()[1] == "added"]
    assert len(added) == 2 and set(watcher.indexer.store.articles()) == set(added)
    assert subscriptions.load()[0].seen.keys() == {f"{site.base}/a1.html", f"{site.base}/a2.html"}
    assert not watcher.sync().removed  # a folder sync never prunes feed articles
