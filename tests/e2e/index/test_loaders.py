"""Loading articles from URLs, served by a local HTTP server (fetch, extraction, failures)."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.loaders import load_sources
from tests.corpus import NEWS_HTML

MAX = 5_000_000


def load(*sources: str | Path):
    return load_sources(list(sources), MAX, timeout_s=2)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/news/tunnel":
            payload = NEWS_HTML.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        elif self.path == "/slow":
            time.sleep(4)
            self.send_response(200)
            self.end_headers()
        else:
            self.send_error(404)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def news_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_url_is_fetched_and_extracted(news_server: str) -> None:
    result = load(f"{news_server}/news/tunnel")
    assert not result.failures
    [doc] = result.documents
    assert doc.metadata["origin_kind"] == "url"
    assert doc.metadata["title"] == "Harbour tunnel opens in Caldris"
    assert "30,000 vehicles" in doc.page_content


def test_bad_urls_fail_with_reason(news_server: str) -> None:
    result = load(f"{news_server}/missing", f"{news_server}/slow")
    reasons = {f.origin.rsplit("/", 1)[1]: f.reason for f in result.failures}
    assert reasons["missing"].startswith("HTTP 404")
    assert "timed out" in reasons["slow"]
    assert not result.documents
