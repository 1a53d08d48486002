"""Rate limits: the limiter itself and the API's 429s (the router dependency on validated bodies)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.web.errors import RateLimitError
from bot.web.ratelimit import RateLimiter
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


def test_a_rejected_request_costs_no_question(seed_service) -> None:
    """The limit runs on the validated body: bad requests are 400 and are not counted."""
    client = limited_client(seed_service, "2/minute", "1/minute")
    for _ in range(3):
        assert client.post("/api/chat", json={"message": WHO, "extra": 1}).status_code == 400
        assert client.post("/api/chat", json={"session_id": "abcdefgh"}).status_code == 400
        assert client.post("/v1/chat/completions", json={"messages": "nope"}).status_code == 400
    assert client.post("/api/chat", json={"message": WHO}).status_code == 200


def test_the_session_limit_reads_the_validated_body(seed_service) -> None:
    client = limited_client(seed_service, "100/minute", "1/minute")
    session = client.post("/api/chat", json={"message": WHO}).json()["session_id"]
    # A fresh id is issued per new conversation; the limit counts the id the request names.
    assert client.post("/api/chat/stream", json={"message": WHO, "session_id": session}).status_code == 200
    assert client.post("/api/chat", json={"message": WHO, "session_id": session}).status_code == 429


def test_a_malformed_session_id_is_a_400_and_never_counted(seed_service) -> None:
    client = limited_client(seed_service, "100/minute", "1/minute")
    session = client.post("/api/chat", json={"message": WHO}).json()["session_id"]
    for _ in range(3):  # "$" let a trailing newline through, and the limiter recorded the id first
        bad = client.post("/api/chat", json={"message": WHO, "session_id": session + "\n"})
        assert bad.status_code == 400 and bad.json()["error"]["type"] == "bad_request"
    assert client.post("/api/chat", json={"message": WHO, "session_id": session}).status_code == 200


def test_a_lone_surrogate_is_a_400_not_an_unavailable_index(seed_service) -> None:
    client = limited_client(seed_service, "100/minute", "")
    reply = client.post(
        "/api/chat",
        content=b'{"message": "who leads \\ud800 the talks?"}',
        headers={"content-type": "application/json"},
    )
    assert reply.status_code == 400 and "invalid text" in reply.json()["error"]["message"]


def test_listing_models_is_not_limited(seed_service) -> None:
    client = limited_client(seed_service, "1/minute", "")
    assert [client.get("/v1/models").status_code for _ in range(3)] == [200] * 3
