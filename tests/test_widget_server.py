"""The widget's server side: script, iframe page, reader page, origins, CORS, rate limits."""

from __future__ import annotations

import gzip

import pytest
from fastapi.testclient import TestClient

from bot.web.api import create_api
from bot.web.service import ChatService
from tests.conftest import SEED

WHO = "Who leads Russia's delegation?"
ALLOWED = "https://news.example"


@pytest.fixture(scope="module")
def client(seed_service) -> TestClient:
    settings = seed_service.settings.model_copy(update={"allowed_origins": [ALLOWED]})
    return TestClient(create_api(ChatService(settings, seed_service.chatbot, seed_service.store)))


def limited_client(seed_service, per_client: str, per_session: str) -> TestClient:
    settings = seed_service.settings.model_copy(
        update={"rate_limit_client": per_client, "rate_limit_session": per_session}
    )
    return TestClient(create_api(ChatService(settings, seed_service.chatbot, seed_service.store)))


def test_widget_script_is_served_small_and_gzipped(client: TestClient) -> None:
    reply = client.get("/widget.js", headers={"accept-encoding": "gzip"})
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/javascript")
    assert reply.headers["content-encoding"] == "gzip"
    assert "attachShadow" in reply.text  # httpx decodes the gzip body
    assert int(reply.headers["content-length"]) < 30_000
    assert len(gzip.compress(reply.content)) < 30_000
    again = client.get("/widget.js", headers={"if-none-match": reply.headers["etag"]})
    assert again.status_code == 304


def test_allowed_origin_gets_cors_and_foreign_origin_is_refused(client: TestClient) -> None:
    preflight = client.options(
        "/api/chat/stream",
        headers={
            "origin": ALLOWED,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED
    assert "access-control-allow-credentials" not in preflight.headers

    ok = client.post("/api/chat", json={"message": WHO}, headers={"origin": ALLOWED})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == ALLOWED
    assert "set-cookie" not in ok.headers

    evil = client.post("/api/chat", json={"message": WHO}, headers={"origin": "https://evil.example"})
    assert evil.status_code == 403 and evil.json()["error"]["type"] == "forbidden_origin"
    assert "access-control-allow-origin" not in evil.headers
    bad_preflight = client.options(
        "/api/chat", headers={"origin": "https://evil.example", "access-control-request-method": "POST"}
    )
    assert bad_preflight.status_code >= 400


def test_same_host_and_originless_requests_pass(client: TestClient) -> None:
    own = client.post("/api/chat", json={"message": WHO}, headers={"origin": "http://testserver"})
    assert own.status_code == 200
    assert client.post("/api/chat", json={"message": WHO}).status_code == 200


def test_embed_page_may_be_framed_only_by_allowed_origins(client: TestClient) -> None:
    reply = client.get("/embed", params={"article_id": SEED.stem, "title": '"><script>alert(1)</script>'})
    csp = reply.headers["content-security-policy"]
    assert "frame-ancestors 'self' https://news.example" in csp
    assert 'data-mode="inline"' in reply.text and f'data-article-id="{SEED.stem}"' in reply.text
    assert "<script>alert(1)" not in reply.text and "&lt;script&gt;" in reply.text


def test_reader_page_highlights_the_quote_and_escapes(client: TestClient) -> None:
    answer = client.post("/api/chat", json={"message": WHO}).json()
    c = answer["citations"][0]
    page = client.get(f"/read/{c['article_id']}", params={"start": c["start"], "end": c["end"]})
    assert page.status_code == 200
    assert f'<mark id="quote">{c["quote"]}</mark>' in page.text.replace("&#x27;", "'")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    plain = client.get(f"/read/{c['article_id']}", params={"start": 10, "end": 5})
    assert "<mark" not in plain.text
    assert client.get("/read/no-such-article").status_code == 404


def test_page_url_scopes_to_an_indexed_article_or_searches_all(client: TestClient) -> None:
    reply = client.post(
        "/api/chat/stream", json={"message": WHO, "article_url": "https://elsewhere.example/story"}
    )
    assert '"article": null' in reply.text.split("\n\n")[0]


def test_client_rate_limit_is_429_with_retry_after(seed_service) -> None:
    client = limited_client(seed_service, "2/minute", "")
    assert [client.post("/api/chat", json={"message": WHO}).status_code for _ in range(2)] == [200, 200]
    limited = client.post("/api/chat/stream", json={"message": WHO})
    assert limited.status_code == 429 and limited.json()["error"]["type"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    openai = client.post("/v1/chat/completions", json={"messages": [{"role": "user", "content": WHO}]})
    assert openai.status_code == 429


def test_session_rate_limit_is_separate_from_the_client_one(seed_service) -> None:
    client = limited_client(seed_service, "100/minute", "2/minute")
    session = client.post("/api/chat", json={"message": WHO}).json()["session_id"]
    follow = {"message": "What was his job before?", "session_id": session}
    assert client.post("/api/chat", json=follow).status_code == 200
    assert client.post("/api/chat", json=follow).status_code == 200
    assert client.post("/api/chat", json=follow).status_code == 429
    assert client.post("/api/chat", json={"message": WHO}).status_code == 200  # a new conversation


def test_bad_origin_setting_is_rejected(make_settings) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="not an origin"):
        make_settings(allowed_origins=["news.example/path"])
