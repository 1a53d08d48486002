"""ASGI middleware: foreign origins refused (403), bodies capped (413), CORS for allowed origins."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from pydantic import ValidationError

from bot.config import Settings
from bot.web.middleware import BodyLimit, OriginGuard, add_middleware
from bot.web.service import ChatService
from tests.fakes import as_store
from tests.unit.bot.web.clients import BASE_URL, WHO, client_for, error_of, service_with

ALLOWED = "https://news.example"


@pytest.fixture(scope="module")
def client(seed_service: ChatService) -> TestClient:
    return client_for(service_with(seed_service, allowed_origins=[ALLOWED]))


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
    # The same 403 JSON as the request itself (CORS alone answered a plain-text 400).
    assert bad_preflight.status_code == 403 and bad_preflight.json()["error"]["type"] == "forbidden_origin"
    assert "access-control-allow-origin" not in bad_preflight.headers


def test_same_host_and_originless_requests_pass(client: TestClient) -> None:
    own = client.post("/api/chat", json={"message": WHO}, headers={"origin": BASE_URL})
    assert own.status_code == 200
    assert client.post("/api/chat", json={"message": WHO}).status_code == 200


def test_oversized_bodies_get_413_declared_or_chunked(client: TestClient) -> None:
    big = json.dumps({"message": "x" * 70_000}).encode()
    reply = client.post("/api/chat", content=big, headers={"content-type": "application/json"})
    assert reply.status_code == 413 and error_of(reply)["type"] == "too_large"

    def chunks():
        for _ in range(70):
            yield b"x" * 1024

    reply = client.post("/api/chat", content=chunks(), headers={"content-type": "application/json"})
    assert reply.status_code == 413


def test_settings_cap_the_body(make_settings, seed_bot, seed_store) -> None:
    settings: Settings = make_settings(max_body_kb=1)
    client = client_for(ChatService(settings, seed_bot, as_store(seed_store)))
    assert client.post("/api/chat", json={"message": "y" * 1500}).status_code == 413
    assert client.post("/api/chat", json={"message": WHO}).status_code == 200


def guarded_app(max_bytes: int = 100, allowed: frozenset[str] = frozenset({ALLOWED})) -> TestClient:
    """A tiny app behind the two guards, with a route that reports the body it read."""
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"read": len(await request.body())}

    @app.get("/page")
    def page() -> dict[str, str]:
        return {"ok": "yes"}

    app.add_middleware(BodyLimit, max_bytes=max_bytes, timeout_s=10.0)
    app.add_middleware(OriginGuard, allowed=set(allowed))
    return TestClient(app, base_url=BASE_URL)


def test_origin_guard_refuses_foreign_browser_origins_before_any_work() -> None:
    client = guarded_app()
    refused = client.post("/echo", content=b"x", headers={"origin": "https://evil.example"})
    assert refused.status_code == 403 and error_of(refused)["type"] == "forbidden_origin"
    assert client.get("/page", headers={"origin": "https://evil.example"}).status_code == 403
    assert client.get("/page", headers={"origin": ALLOWED}).json() == {"ok": "yes"}
    assert client.get("/page").status_code == 200  # not a browser: no Origin header
    own = client.get("/page", headers={"origin": "https://127.0.0.1"})  # the app's own host, any scheme
    assert own.status_code == 200
    other_port = client.get("/page", headers={"origin": "http://127.0.0.1:8080"})
    assert other_port.status_code == 403


def test_body_limit_counts_declared_and_streamed_bytes() -> None:
    client = guarded_app(max_bytes=100)
    assert client.post("/echo", content=b"x" * 100).json() == {"read": 100}  # the limit itself passes
    declared = client.post("/echo", content=b"x" * 101)
    assert declared.status_code == 413 and error_of(declared)["type"] == "too_large"

    def pieces(count: int) -> Iterator[bytes]:
        for _ in range(count):
            yield b"x" * 30

    assert client.post("/echo", content=pieces(3)).json() == {"read": 90}  # replayed to the route
    chunked = client.post("/echo", content=pieces(4))
    assert chunked.status_code == 413 and "limit" in error_of(chunked)["message"]
    assert client.get("/page").status_code == 200  # a GET is never read


def test_the_api_refuses_foreign_origins_before_the_body_limit(seed_service: ChatService) -> None:
    client = client_for(service_with(seed_service, allowed_origins=[ALLOWED], max_body_kb=1))
    big = {"message": "y" * 5000}
    assert client.post("/api/chat", json=big, headers={"origin": "https://evil.example"}).status_code == 403
    assert client.post("/api/chat", json=big, headers={"origin": ALLOWED}).status_code == 413


def _answers_for(settings: Settings, host: str) -> int:
    """The status a request with this Host header gets from the API built with ``settings``."""
    app = FastAPI()

    @app.get("/page")
    def page() -> dict[str, str]:
        return {"ok": "yes"}

    add_middleware(app, settings)
    return TestClient(app, base_url=BASE_URL).get("/page", headers={"host": host}).status_code


@pytest.mark.parametrize(
    ("bound", "allowed", "host", "status"),
    [
        ("127.0.0.1", [], "127.0.0.1:7860", 200),
        ("127.0.0.1", [], "LOCALHOST:7860", 200),
        ("127.0.0.1", [], "[::1]:7860", 200),
        ("127.0.0.1", [], "attacker.example:7860", 400),  # DNS rebinding: its name, our address
        ("127.0.0.1", [], "127.0.0.1.attacker.example", 400),
        ("127.0.0.1", [], "", 400),
        ("0.0.0.0", [], "anything.example", 200),  # exposed: any name unless listed
        ("0.0.0.0", ["ask.news.example"], "ask.news.example:443", 200),
        ("0.0.0.0", ["ask.news.example"], "10.0.0.5", 400),
        ("127.0.0.1", ["ask.news.example"], "127.0.0.1:7861", 200),  # listed ones and loopback
        ("127.0.0.1", ["ask.news.example"], "other.example", 400),
        ("127.0.0.1", ["*"], "attacker.example", 200),
    ],
)
def test_the_host_guard_answers_only_for_the_servers_names(
    bound: str, allowed: list[str], host: str, status: int
) -> None:
    settings = Settings(_env_file=None, host=bound, allowed_hosts=allowed)  # type: ignore[call-arg]
    assert _answers_for(settings, host) == status


def test_a_refused_host_gets_the_error_shape_and_bad_names_are_config_errors() -> None:
    app = FastAPI()
    add_middleware(app, Settings(_env_file=None))  # type: ignore[call-arg]
    reply = TestClient(app, base_url="http://attacker.example").get("/")
    assert reply.status_code == 400 and error_of(reply)["type"] == "bad_host"
    with pytest.raises(ValidationError):
        Settings(_env_file=None, allowed_hosts=["https://news.example"])  # type: ignore[call-arg]
