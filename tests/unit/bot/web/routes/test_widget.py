"""The widget's server side: the script, the iframe page ``/embed`` and the reader page ``/read``."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.factory import build_chatbot
from bot.web.service import ChatService
from tests.corpus import SEED
from tests.fakes import HashEmbeddings, as_store, memory_index
from tests.unit.bot.web.clients import ASK, client_for, service_with

ALLOWED = "https://news.example"


@pytest.fixture(scope="module")
def client(seed_service: ChatService) -> TestClient:
    return client_for(service_with(seed_service, allowed_origins=[ALLOWED]))


def test_widget_script_is_served_small_and_gzipped(client: TestClient) -> None:
    reply = client.get("/widget.js", headers={"accept-encoding": "gzip"})
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/javascript")
    assert reply.headers["content-encoding"] == "gzip"
    assert "attachShadow" in reply.text  # httpx decodes the gzip body
    assert int(reply.headers["content-length"]) < 30_000
    assert len(gzip.compress(reply.content)) < 30_000
    again = client.get("/widget.js", headers={"if-none-match": reply.headers["etag"]})
    assert again.status_code == 304


def test_embed_page_may_be_framed_only_by_allowed_origins(client: TestClient) -> None:
    reply = client.get("/embed", params={"article_id": SEED.stem, "title": '"><script>alert(1)</script>'})
    csp = reply.headers["content-security-policy"]
    assert "frame-ancestors 'self' https://news.example" in csp
    assert 'data-mode="inline"' in reply.text and f'data-article-id="{SEED.stem}"' in reply.text
    assert "<script>alert(1)" not in reply.text and "&lt;script&gt;" in reply.text


def test_reader_page_highlights_the_quote_and_escapes(client: TestClient) -> None:
    answer = client.post("/api/chat", json={"message": ASK}).json()
    c = answer["citations"][0]
    page = client.get(f"/read/{c['article_id']}", params={"start": c["start"], "end": c["end"]})
    assert page.status_code == 200
    assert f'<mark id="quote">{c["quote"]}</mark>' in page.text.replace("&#x27;", "'")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    plain = client.get(f"/read/{c['article_id']}", params={"start": 10, "end": 5})
    assert "<mark" not in plain.text
    assert client.get("/read/no-such-article").status_code == 404


def test_widget_script_without_gzip_is_the_file_itself(client: TestClient) -> None:
    from bot.web.routes.widget import WIDGET_JS

    reply = client.get("/widget.js", headers={"accept-encoding": "identity"})
    assert reply.status_code == 200 and "content-encoding" not in reply.headers
    assert reply.content == WIDGET_JS.read_bytes()
    assert reply.headers["cache-control"] == "public, max-age=300" and reply.headers["etag"]


def test_reader_page_escapes_the_article_and_links_only_http_originals(
    unit_settings: Settings, encoder: HashEmbeddings, tmp_path: Path
) -> None:
    xss = '<img src=x onerror="alert(1)">'
    article = tmp_path / "defaced.txt"
    article.write_text(
        f"Hackers deface {xss} the council website\nSource: Courier {xss}\nURL: javascript:alert(1)\n\n"
        f"Hackers defaced the council website on Monday night and left the message {xss} on it.\n",
        encoding="utf-8",
    )
    store = as_store(memory_index([article], encoder))
    bot = build_chatbot(unit_settings, embeddings=encoder, store=store)
    page = client_for(ChatService(unit_settings, bot, store)).get(
        "/read/defaced", params={"start": 0, "end": 7}
    )
    assert page.status_code == 200
    assert "<img" not in page.text and "&lt;img" in page.text
    assert '<mark id="quote">Hackers</mark>' in page.text
    assert "javascript:" not in page.text and "original</a>" not in page.text


def test_reader_page_of_an_unknown_article_is_a_json_404(client: TestClient) -> None:
    reply = client.get("/read/no-such-article")
    assert reply.status_code == 404 and reply.json()["error"]["type"] == "not_found"
