"""``GET /metrics``: off by default, bearer-token protected, counting what operators watch."""

from __future__ import annotations

from pydantic import SecretStr

from bot.web.service import ChatService
from tests.unit.bot.web.clients import ASK, client_for, error_of, service_with

TOKEN = "s3cret-metrics-token"


def _client(seed_service: ChatService, token: str | None = TOKEN):  # type: ignore[no-untyped-def]
    return client_for(service_with(seed_service, metrics_token=SecretStr(token) if token else None))


def test_metrics_are_off_without_a_token(seed_service: ChatService) -> None:
    reply = _client(seed_service, None).get("/metrics", headers={"Authorization": "Bearer anything"})
    assert reply.status_code == 404 and error_of(reply)["type"] == "not_found"


def test_metrics_need_the_token(seed_service: ChatService) -> None:
    client = _client(seed_service)
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        reply = client.get("/metrics", headers=headers)
        assert reply.status_code == 401 and reply.headers["www-authenticate"] == "Bearer"
        assert "newsbot_" not in reply.text


def test_metrics_count_requests_answers_and_the_index(seed_service: ChatService) -> None:
    client = _client(seed_service)
    assert client.post("/api/chat", json={"message": ASK}).status_code == 200
    assert client.post("/api/chat", json={"message": ""}).status_code == 400
    client.get("/api/articles/no-such-article")
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert 'newsbot_http_requests_total{method="POST",route="/api/chat",status="200"} 1.0' in text
    assert 'newsbot_http_requests_total{method="POST",route="/api/chat",status="400"} 1.0' in text
    # Route templates, not paths: an unknown article id is no new time series.
    assert 'route="/api/articles/{article_id:path}",status="404"' in text and "no-such-article" not in text
    assert 'newsbot_answers_total{answerer="extractive",fallback="false",refused="false"} 1.0' in text
    assert "newsbot_answer_seconds_count 1.0" in text
    chunks = next(line for line in text.splitlines() if line.startswith("newsbot_index_chunks "))
    assert float(chunks.split()[1]) >= 5
    assert "newsbot_store_up 1.0" in text and "newsbot_shared_state_up 1.0" in text


def test_every_response_carries_a_request_id(seed_service: ChatService) -> None:
    client = _client(seed_service)
    made = client.get("/livez").headers["x-request-id"]
    assert len(made) == 32 and made != client.get("/livez").headers["x-request-id"]
    assert (
        client.get("/livez", headers={"X-Request-ID": "proxy-id-1234"}).headers["x-request-id"]
        == "proxy-id-1234"
    )
    forged = client.get("/livez", headers={"X-Request-ID": "bad id <script>"}).headers["x-request-id"]
    assert forged != "bad id <script>" and len(forged) == 32
    assert client.post("/api/chat", json={"message": ""}).headers["x-request-id"]  # errors too


def test_metrics_count_the_records(seed_service: ChatService, tmp_path) -> None:  # type: ignore[no-untyped-def]
    service = service_with(seed_service, metrics_token=SecretStr(TOKEN), record=True, data_dir=tmp_path)
    client = client_for(service)
    for _ in range(2):
        assert client.post("/api/chat", json={"message": ASK}).status_code == 200
    assert service.recorder.flush()
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert "newsbot_records_written 2.0" in text and "newsbot_records_up 1.0" in text
    assert "newsbot_records_dropped 0.0" in text and "newsbot_records_pending 0.0" in text
    service.close()


def test_agents_requests_are_counted_under_their_routes(seed_service: ChatService) -> None:
    with _client(seed_service) as client:  # the lifespan runs the MCP server's session manager
        ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        accept = {"Accept": "application/json, text/event-stream"}
        assert client.post("/mcp/", json=ping, headers=accept).status_code == 200
        assert client.get("/ask", params={"query": "Who?", "streaming": "false"}).status_code == 200
        text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert 'newsbot_http_requests_total{method="POST",route="/mcp/",status="200"} 1.0' in text
    assert 'newsbot_http_requests_total{method="GET",route="/ask",status="200"} 1.0' in text
