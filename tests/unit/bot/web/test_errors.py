"""Errors at the HTTP edge: one JSON shape, the right status, nothing internal shown."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from bot.web.errors import (
    INTERNAL_MESSAGE,
    RateLimitError,
    add_error_handlers,
    body_for,
    error_body,
    response_for,
)
from index.errors import (
    ConfigError,
    IndexBusyError,
    IndexUnavailableError,
    InputError,
    NewsbotError,
    NotFoundError,
    TooLargeError,
)
from tests.unit.bot.web.clients import BASE_URL, error_of


class Payload(BaseModel):
    count: int


def tiny_app() -> FastAPI:
    app = FastAPI()
    add_error_handlers(app)

    @app.get("/raise/{kind}")
    def raise_(kind: str) -> None:
        errors: dict[str, Exception] = {
            "input": InputError("Please type a question."),
            "large": TooLargeError("The question is too long."),
            "missing": NotFoundError("No article with id 'x'."),
            "index": IndexUnavailableError("The article index is empty."),
            "busy": IndexBusyError("another build is writing"),
            "config": ConfigError("bad setting"),
            "limited": RateLimitError("Too many questions; try again in 7 s.", retry_after_s=7),
            "bug": KeyError("secret internal detail"),
        }
        raise errors[kind]

    @app.post("/payload")
    def payload(body: Payload) -> dict[str, int]:
        return {"count": body.count}

    return app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(tiny_app(), raise_server_exceptions=False, base_url=BASE_URL)


def test_one_shape_for_responses_and_stream_events() -> None:
    assert error_body("not_found", "gone") == {"error": {"type": "not_found", "message": "gone"}}
    assert body_for(NotFoundError("No article.")) == {
        "error": {"type": "not_found", "message": "No article."}
    }


def test_response_for_carries_status_kind_and_retry_after() -> None:
    limited = response_for(RateLimitError("slow down", retry_after_s=12))
    assert limited.status_code == 429 and limited.headers["retry-after"] == "12"
    assert json.loads(bytes(limited.body)) == error_body("rate_limited", "slow down")
    plain = response_for(InputError("bad"))
    assert plain.status_code == 400 and "retry-after" not in plain.headers


@pytest.mark.parametrize(
    ("kind", "status", "error_type"),
    [
        ("input", 400, "bad_request"),
        ("large", 413, "too_large"),
        ("missing", 404, "not_found"),
        ("index", 503, "index_unavailable"),
        ("busy", 503, "index_busy"),
        ("config", 500, "config_error"),
        ("limited", 429, "rate_limited"),
    ],
)
def test_the_bots_errors_keep_their_status_and_message(
    client: TestClient, kind: str, status: int, error_type: str
) -> None:
    reply = client.get(f"/raise/{kind}")
    assert reply.status_code == status
    error = error_of(reply)
    assert error["type"] == error_type and error["message"]


def test_rate_limit_error_says_when_to_retry(client: TestClient) -> None:
    reply = client.get("/raise/limited")
    assert reply.headers["retry-after"] == "7" and "7 s" in error_of(reply)["message"]
    assert issubclass(RateLimitError, NewsbotError) and RateLimitError("x").retry_after_s == 1


def test_an_unexpected_error_is_500_without_details(client: TestClient, caplog) -> None:
    reply = client.get("/raise/bug")
    assert reply.status_code == 500
    assert error_of(reply) == {"type": "internal_error", "message": INTERNAL_MESSAGE}
    assert "secret" not in reply.text
    assert any("unexpected error" in r.message for r in caplog.records)  # logged for the operator


def test_invalid_input_is_400_naming_the_field(client: TestClient) -> None:
    reply = client.post("/payload", json={"count": "many"})
    assert reply.status_code == 400
    error = error_of(reply)
    assert error["type"] == "bad_request" and error["message"].startswith("count: ")
    missing = client.post("/payload", content=b"", headers={"content-type": "application/json"})
    assert missing.status_code == 400 and error_of(missing)["type"] == "bad_request"


def test_unknown_routes_and_methods(client: TestClient) -> None:
    assert error_of(client.get("/nowhere"))["type"] == "not_found"
    wrong = client.get("/payload")
    assert wrong.status_code == 405 and error_of(wrong)["type"] == "method_not_allowed"
