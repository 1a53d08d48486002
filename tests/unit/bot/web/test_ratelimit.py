"""Rate limits: the limiter itself, the router dependency on a tiny app, and the API's 429s."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient

from bot.web.errors import RateLimitError, add_error_handlers
from bot.web.ratelimit import RateLimiter, rate_limited
from bot.web.service import ChatService
from index.errors import ConfigError
from tests.unit.bot.web.clients import WHO, client_for, service_with


def limited_client(seed_service: ChatService, per_client: str, per_session: str) -> TestClient:
    return client_for(
        service_with(seed_service, rate_limit_client=per_client, rate_limit_session=per_session)
    )


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


def test_limiter_counts_each_client_on_its_own() -> None:
    limiter = RateLimiter("2/minute", "")
    limiter.check("1.1.1.1")
    limiter.check("1.1.1.1")
    with pytest.raises(RateLimitError, match="Too many questions from your address") as raised:
        limiter.check("1.1.1.1")
    assert 1 <= raised.value.retry_after_s <= 60
    assert f"{raised.value.retry_after_s} s" in str(raised.value)
    limiter.check("2.2.2.2")  # another address has its own window


def test_limiter_counts_sessions_besides_clients() -> None:
    limiter = RateLimiter("", "1/minute")
    limiter.check("1.1.1.1", "session-a")
    limiter.check("1.1.1.1", None)  # no session: only the (unlimited) client limit applies
    with pytest.raises(RateLimitError, match="in this conversation"):
        limiter.check("2.2.2.2", "session-a")  # same conversation from elsewhere
    limiter.check("1.1.1.1", "session-b")


def test_every_limit_of_a_list_applies() -> None:
    limiter = RateLimiter("100/minute;2/second", "")
    limiter.check("c")
    limiter.check("c")
    with pytest.raises(RateLimitError):
        limiter.check("c")


def test_empty_limits_are_unlimited_and_bad_ones_a_config_error() -> None:
    limiter = RateLimiter("", "   ")
    for _ in range(50):
        limiter.check("c", "s")
    with pytest.raises(ConfigError, match="bad rate limit 'lots'"):
        RateLimiter("lots", "")


def tiny_app(limiter: RateLimiter, per_session: bool) -> TestClient:
    app = FastAPI()
    add_error_handlers(app)
    router = APIRouter(dependencies=[Depends(rate_limited(limiter, per_session=per_session))])

    @router.post("/ask")
    def ask(body: dict[str, Any]) -> dict[str, Any]:
        return body  # the route still reads the body the dependency already read

    app.include_router(router)
    return TestClient(app)


def test_dependency_limits_every_route_of_the_router_per_client() -> None:
    client = tiny_app(RateLimiter("2/minute", ""), per_session=False)
    assert [client.post("/ask", json={"n": i}).json() for i in range(2)] == [{"n": 0}, {"n": 1}]
    limited = client.post("/ask", json={"n": 2})
    assert limited.status_code == 429 and limited.json()["error"]["type"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 60


def test_dependency_reads_the_session_from_the_json_body() -> None:
    client = tiny_app(RateLimiter("", "1/minute"), per_session=True)
    assert client.post("/ask", json={"session_id": "abc", "q": 1}).json() == {"session_id": "abc", "q": 1}
    assert client.post("/ask", json={"session_id": "abc"}).status_code == 429
    assert client.post("/ask", json={"session_id": "other"}).status_code == 200
    assert client.post("/ask", json={"q": "no session"}).status_code == 200
    assert client.post("/ask", json=["not", "an", "object"]).status_code == 400  # the route's validation
    not_json = client.post("/ask", content=b"{oops", headers={"content-type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["error"]["type"] == "bad_request"


def test_without_per_session_the_session_is_not_counted() -> None:
    client = tiny_app(RateLimiter("", "1/minute"), per_session=False)
    assert [client.post("/ask", json={"session_id": "abc"}).status_code for _ in range(3)] == [200] * 3
