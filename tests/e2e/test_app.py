"""The real server (``python app.py``) over real HTTP: API, SSE streaming, OpenAI clients."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.corpus import ROOT, SEED
from tests.e2e.servers import eventually, run_module, start_app, stop_app

WHO = "Who leads Russia's delegation?"


def test_chat_and_follow_up_over_http(app_server: str) -> None:
    first = httpx.post(f"{app_server}/api/chat", json={"message": WHO}, timeout=60).json()
    assert "Medinsky" in first["text"] and first["citations"]
    follow = httpx.post(
        f"{app_server}/api/chat",
        json={"message": "What was his job before?", "session_id": first["session_id"]},
        timeout=60,
    ).json()
    assert "culture minister" in follow["text"]


def test_sse_stream_arrives_in_pieces(app_server: str) -> None:
    events: list[tuple[str, dict[str, Any]]] = []
    with httpx.stream("POST", f"{app_server}/api/chat/stream", json={"message": WHO}, timeout=60) as reply:
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/event-stream")
        event = ""
        for line in reply.iter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((event, json.loads(line.removeprefix("data: "))))
    deltas = [data["text"] for kind, data in events if kind == "delta"]
    assert len(deltas) >= 3
    assert events[-1][0] == "answer" and "".join(deltas) == events[-1][1]["text"]


def test_each_request_leaves_one_json_log_line_with_its_id(strict_app: str) -> None:
    from tests.e2e.servers import app_log_of

    reply = httpx.get(f"{strict_app}/api/articles", headers={"X-Request-ID": "trace-me-0001"}, timeout=10)
    assert reply.headers["x-request-id"] == "trace-me-0001"
    time.sleep(0.2)  # the line is written as the response ends
    lines = [json.loads(line) for line in app_log_of(strict_app).splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("request_id") == "trace-me-0001"]
    assert len(mine) == 1 and mine[0]["route"] == "/api/articles" and mine[0]["status"] == 200
    assert not any("127.0.0.1" in json.dumps(line) for line in lines)  # no client address is logged


def test_errors_are_json_over_http(app_server: str) -> None:
    reply = httpx.post(f"{app_server}/api/chat", json={"message": ""}, timeout=10)
    assert reply.status_code == 400 and reply.json()["error"]["type"] == "bad_request"
    reply = httpx.post(f"{app_server}/api/chat", content=b"x" * 100_000, timeout=10)
    assert reply.status_code == 413 and reply.json()["error"]["type"] == "too_large"


def test_official_openai_client_non_streaming_and_streaming(app_server: str) -> None:
    from openai import OpenAI

    client = OpenAI(base_url=f"{app_server}/v1", api_key="not-needed", max_retries=0)
    assert [m.id for m in client.models.list()] == ["newsbot"]
    messages = [
        {"role": "user", "content": WHO},
        {"role": "assistant", "content": "Vladimir Medinsky leads it. [1]"},
        {"role": "user", "content": "What was his job before?"},
    ]
    done = client.chat.completions.create(model="newsbot", messages=messages)  # type: ignore[arg-type]
    assert "culture minister" in (done.choices[0].message.content or "")
    citations = (done.model_extra or {})["citations"]
    assert citations and citations[0]["article_id"] == SEED.stem

    stream = client.chat.completions.create(model="newsbot", messages=messages[:1], stream=True)  # type: ignore[arg-type]
    chunks: list[Any] = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len(chunks) >= 4 and "Medinsky" in text and "[1]" in text
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert (last.model_extra or {})["citations"][0]["n"] == 1


def test_langchain_chat_openai_can_use_the_bot(app_server: str) -> None:
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(base_url=f"{app_server}/v1", model="newsbot", api_key="x", max_retries=0)  # type: ignore[arg-type]
    assert "Medinsky" in str(model.invoke(WHO).content)


def test_page_and_docs_are_served(app_server: str) -> None:
    page = httpx.get(f"{app_server}/", timeout=10)
    assert page.status_code == 200 and "<html" in page.text.lower()
    assert "fonts.googleapis" not in page.text
    assert httpx.get(f"{app_server}/docs", timeout=10).status_code == 200


def test_missing_index_serves_a_page_that_says_how_to_build_then_the_index_once_built(tmp_path) -> None:
    data = tmp_path / "empty-data"
    proc, base = start_app(data, {"NEWSBOT_INDEX_CHECK_S": "0.5"})
    try:
        health = httpx.get(f"{base}/healthz", timeout=10)
        assert health.status_code == 503 and health.json()["ready"] is False
        reply = httpx.post(f"{base}/api/chat", json={"message": WHO}, timeout=10)
        assert reply.status_code == 503 and "index build" in reply.json()["error"]["message"]
        config = httpx.get(f"{base}/config", timeout=10).text
        assert "index build" in config
        # `python -m index build` in another process while the app runs: no restart needed.
        built = run_module("index", ["build", str(SEED)], {**os.environ, "NEWSBOT_DATA_DIR": str(data)})
        assert built.returncode == 0, built.stderr
        assert eventually(lambda: httpx.get(f"{base}/readyz", timeout=5).status_code == 200, 60)
        answer = httpx.post(f"{base}/api/chat", json={"message": WHO}, timeout=60).json()
        assert "Medinsky" in answer["text"] and answer["citations"]
    finally:
        stop_app(proc)


def test_app_help_names_the_settings() -> None:
    out = subprocess.run(
        [sys.executable, "app.py", "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "--port" in out.stdout and "NEWSBOT_" in out.stdout


@pytest.fixture(scope="module")
def strict_app(served_index) -> Iterator[str]:
    """An app with a tight rate limit and body timeout."""
    env = {"NEWSBOT_RATE_LIMIT_CLIENT": "2/minute", "NEWSBOT_BODY_TIMEOUT_S": "1"}
    proc, base = start_app(served_index, env)
    try:
        yield base
    finally:
        stop_app(proc)


def test_a_forged_forwarded_for_does_not_dodge_the_rate_limit(strict_app: str) -> None:
    """No proxy is trusted by default: every request from this loopback peer shares one limit."""
    codes = [
        httpx.post(
            f"{strict_app}/api/chat",
            json={"message": WHO},
            headers={"X-Forwarded-For": f"203.0.113.{i}"},
            timeout=60,
        ).status_code
        for i in range(3)
    ]
    assert codes == [200, 200, 429]


def test_a_body_shorter_than_declared_gets_408_instead_of_holding_the_connection(strict_app: str) -> None:
    host, port = strict_app.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        head = f"POST /api/chat HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        sock.sendall(f"{head}Content-Length: 100\r\n\r\n".encode() + b'{"message":')
        reply = _read_response(sock)  # within the socket's 15 s, or it raises
    status, _, body = reply.partition("\r\n\r\n")
    assert status.startswith("HTTP/1.1 408") and json.loads(body)["error"]["type"] == "request_timeout"


def _read_response(sock: socket.socket) -> str:
    """One whole HTTP response (status and headers, then Content-Length bytes of body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    while len(body) < length:
        body += sock.recv(4096)
    return (head + b"\r\n\r\n" + body).decode("latin-1")
