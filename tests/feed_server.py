"""A newsroom's site on loopback for the feed tests: RSS, Atom, a news sitemap, article pages,
robots.txt — and broken ones: invalid XML, a 404 item, a 10 MB page, a slow page, a redirect
loop, a page in Latin-1. No internet. ``pages`` may be changed while it serves."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def article_page(title: str, body: str, charset: str = "utf-8") -> tuple[str, bytes]:
    html = (
        f"<html><head><meta charset='{charset}'><title>{title}</title></head><body>"
        f"<nav>Home | World | Sport</nav><article><h1>{title}</h1><p>{body}</p></article>"
        "<footer>Subscribe to our newsletter</footer></body></html>"
    )
    return f"text/html; charset={charset}", html.encode(charset)


def rss(base: str, items: list[tuple[str, str, str]], title: str = "Aldermoor Gazette") -> tuple[str, bytes]:
    """``items``: (path, title, RFC 822 date)."""
    entries = "".join(
        f"<item><title>{t}</title><link>{base}{p}</link><pubDate>{d}</pubDate>"
        f"<author>desk@gazette.example (Jo Reporter)</author><category>Local</category></item>"
        for p, t, d in items
    )
    xml = f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{entries}</channel></rss>'
    return "application/rss+xml", xml.encode()


@dataclass
class Site:
    base: str
    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # path → (type, body)
    etags: dict[str, str] = field(default_factory=dict)  # path → ETag (304 when it matches)
    redirects: dict[str, str] = field(default_factory=dict)  # path → Location
    requests: list[tuple[str, float, dict[str, str]]] = field(default_factory=list)


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            site.requests.append((self.path, time.monotonic(), dict(self.headers)))
            if self.path == "/slow.html":
                time.sleep(3)
            if self.path.startswith("/loop"):
                self.send_response(302)
                self.send_header("Location", "/loop-b" if self.path == "/loop-a" else "/loop-a")
                self.end_headers()
                return
            if self.path == "/bomb.html":  # 20 MB of zeros in ~20 KB of gzip
                body = gzip.compress(b"\0" * 20_000_000)
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path in site.redirects:
                self.send_response(302)
                self.send_header("Location", site.redirects[self.path])
                self.end_headers()
                return
            if self.path == "/big.html":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                try:
                    for _ in range(10):
                        self.wfile.write(b"<p>" + b"x" * 1_000_000 + b"</p>")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the reader stopped at its cap: what is being tested
                return
            found = site.pages.get(self.path)
            if found is None:
                self.send_error(404)
                return
            etag = site.etags.get(self.path)
            if etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            kind, body = found
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def serving() -> Iterator[Site]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    site = Site(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = _handler(site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
