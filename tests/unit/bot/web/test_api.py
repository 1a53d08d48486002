"""The API as assembled by ``create_api``: routes, OpenAPI, error shapes, an unavailable index."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.web.api import create_api
from bot.web.service import ChatService
from tests.unit.bot.web.clients import BASE_URL, WHO, client_for, error_of


@pytest.fixture(scope="module")
def client(seed_service: ChatService) -> TestClient:
    return client_for(seed_service)


def test_malformed_json_and_unknown_routes(client: TestClient) -> None:
    reply = client.post("/api/chat", content=b"{not json", headers={"content-type": "application/json"})
    assert reply.status_code == 400 and error_of(reply)["type"] == "bad_request"
    assert error_of(client.get("/api/articles/nope"))["type"] == "not_found"
    assert client.get("/api/nothing-here").status_code == 404
    assert client.get("/api/chat").status_code == 405


def test_unavailable_index_is_503_everywhere(make_settings) -> None:
    service = ChatService(make_settings(), None, None, unavailable="The article index is empty: run it.")
    client = TestClient(create_api(service), base_url=BASE_URL)
    for method, path, body in [
        ("post", "/api/chat", {"message": WHO}),
        ("post", "/api/chat/stream", {"message": WHO}),
        ("get", "/api/articles", None),
        ("post", "/v1/chat/completions", {"messages": [{"role": "user", "content": WHO}]}),
    ]:
        reply = client.request(method, path, json=body)
        assert reply.status_code == 503 and error_of(reply)["type"] == "index_unavailable"
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["ready"] is False


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/chat", "/api/chat/stream", "/api/articles", "/healthz", "/v1/chat/completions"):
        assert path in spec["paths"]
    assert "413" in spec["paths"]["/api/chat"]["post"]["responses"]
    assert client.get("/docs").status_code == 200
