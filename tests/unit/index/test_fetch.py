"""The one fetcher every outbound request goes through (``index.fetch``), against a local site:
sites, private addresses checked at the connection itself (DNS rebinding), and ``index build
URL`` (``load_url``) held to the same rules as feeds: robots.txt, redirects, caps."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from index.fetch import (
    FetchConfig,
    Fetcher,
    FetchError,
    PrivateAddressError,
    _PinnedBackend,
    is_private,
    same_site,
)
from index.loaders import ArticleLoadError, load_url
from tests.feed_server import Site, article_page, serving

FAST = FetchConfig(timeout_s=1.0, deadline_s=5.0, host_delay_s=0.0)
BODY = (
    "The Aldermoor harbour authority named Quentin Vasquez as its new chief on Monday. "
    "Vasquez said the ferry timetable would be restored by Friday, after a year of delays."
)


@pytest.fixture
def site() -> Iterator[Site]:
    with serving() as site:
        site.pages["/robots.txt"] = ("text/plain", b"User-agent: *\nDisallow: /private/\n")
        site.pages["/a1.html"] = article_page("Harbour names a chief", BODY)
        site.pages["/private/memo.html"] = article_page("Memo", BODY)
        yield site


def test_same_site() -> None:
    assert same_site("https://www.paper.example/a", "https://feeds.paper.example/rss")
    assert not same_site("https://evil.example/a", "https://www.paper.example/rss")
    assert not same_site("http://127.0.0.2/a", "http://127.0.0.1:8000/rss")
    assert not same_site("http://10.0.0.1/a", "http://192.168.0.1/rss")  # addresses: no "domain"
    assert not same_site("http://localhost/a", "https://www.paper.example/rss")
    assert not same_site("file:///etc/passwd", "https://www.paper.example/rss")


def test_private_addresses() -> None:
    assert is_private("http://127.0.0.1/") and is_private("http://10.1.2.3/")
    assert is_private("http://169.254.169.254/") and is_private("http://[::1]/")
    assert is_private("http://no-such-host.invalid/")  # unresolvable: not public


def test_the_connection_refuses_a_private_address_itself() -> None:
    with pytest.raises(PrivateAddressError, match="private or local"):
        _PinnedBackend(allow_private=False).connect_tcp("127.0.0.1", 80)


def test_a_name_that_rebinds_to_loopback_after_the_check_is_never_connected(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 24, item 9: the address was checked, then the name resolved again to connect; a
    DNS answer changing in between (rebinding) reached a private address. The name is now
    resolved once, by the connection, and that address is the one checked."""
    port = int(site.base.rsplit(":", 1)[1])
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34", "93.184.216.34"])  # public for the checks, then loopback

    def rebinding(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "news.rebind.example":
            return real(host, *args, **kwargs)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with pytest.raises(FetchError):
        Fetcher(FAST).get(f"http://news.rebind.example:{port}/a1.html", {}, 1_000_000)
    assert site.requests == []  # nothing reached the loopback site


def test_build_from_a_url_obeys_robots_and_keeps_redirects_on_its_site(site: Site) -> None:
    """``index build URL`` followed redirects anywhere, without robots.txt or caps."""
    doc = load_url(f"{site.base}/a1.html", 2.0, 1_000_000)
    assert "Vasquez" in doc.page_content and doc.metadata["origin_kind"] == "url"
    with pytest.raises(ArticleLoadError, match=r"robots\.txt"):
        load_url(f"{site.base}/private/memo.html", 2.0, 1_000_000)
    port = site.base.rsplit(":", 1)[1]
    site.redirects["/elsewhere.html"] = f"http://localhost:{port}/a1.html"  # another host name
    with pytest.raises(ArticleLoadError, match="not on the site"):
        load_url(f"{site.base}/elsewhere.html", 2.0, 1_000_000)
    site.redirects["/moved.html"] = "/a1.html"
    assert "Vasquez" in load_url(f"{site.base}/moved.html", 2.0, 1_000_000).page_content
    with pytest.raises(ArticleLoadError, match="larger than"):
        load_url(f"{site.base}/bomb.html", 2.0, 1_000_000)  # 20 MB of gzipped zeros
    assert all(r[2].get("User-Agent", "").startswith("newsbot-indexer") for r in site.requests)
