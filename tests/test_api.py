"""The HTTP API through FastAPI's TestClient: contracts, sessions and every error shape."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.config import Settings
from bot.factory import build_chatbot
from bot.web.api import create_api
from bot.web.service import ChatService
from tests.conftest import SEED
from tests.fakes import fake_model

SEED_ID = SEED.stem
WHO = "Who leads Russia's delegation?"


@pytest.fixture(scope="module")
def client(seed_service) -> TestClient:
    return TestClient(create_api(seed_service))


def error_of(response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}
    error: dict[str, Any] = body["error"]
    return error


def sse_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def test_chat_answers_with_citations_and_a_session(client: TestClient) -> None:
    reply = client.post("/api/chat", json={"message": WHO})
    assert reply.status_code == 200
    body = reply.json()
    assert "Medinsky" in body["text"] and body["citations"][0]["article_id"] == SEED_ID
    assert body["session_id"] and body["answerer"] == "extractive"


def test_session_carries_the_conversation(client: TestClient) -> None:
    first = client.post("/api/chat", json={"message": WHO}).json()
    follow = client.post(
        "/api/chat", json={"message": "What was his job before?", "session_id": first["session_id"]}
    ).json()
    assert follow["session_id"] == first["session_id"]
    assert "Medinsky" in follow["standalone_question"]
    assert "culture minister" in follow["text"]
    alone = client.post("/api/chat", json={"message": "What was his job before?"}).json()
    assert "Medinsky" not in alone["standalone_question"]


def test_history_in_the_request_replaces_the_session(client: TestClient) -> None:
    history = [{"question": WHO, "answer": "Vladimir Medinsky leads it. [1]"}]
    body = client.post("/api/chat", json={"message": "What was his job before?", "history": history}).json()
    assert "Medinsky" in body["standalone_question"]


def test_stream_sends_deltas_then_the_answer(client: TestClient) -> None:
    reply = client.post("/api/chat/stream", json={"message": WHO})
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/event-stream")
    events = sse_events(reply.text)
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "session" and kinds[-1] == "answer" and kinds.count("delta") >= 2
    streamed = "".join(data["text"] for kind, data in events if kind == "delta")
    final = events[-1][1]
    assert streamed == final["text"] and final["citations"]
    assert final["session_id"] == events[0][1]["session_id"]


def test_articles_list_and_detail(client: TestClient) -> None:
    listed = client.get("/api/articles").json()
    assert listed[0]["article_id"] == SEED_ID and "text" not in listed[0]
    detail = client.get(f"/api/articles/{SEED_ID}").json()
    assert "Medinsky" in detail["text"] and detail["author"] == "Alisa Orlova"


def test_article_filter(client: TestClient) -> None:
    body = client.post("/api/chat", json={"message": WHO, "article_id": SEED_ID}).json()
    assert {c["article_id"] for c in body["citations"]} == {SEED_ID}


def test_healthz_reports_the_index(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert health["ready"] is True and health["articles"] == 1 and health["chunks"] >= 5
    assert health["answerer"] == "extractive" and health["store_mode"] == "embedded"
    assert "MiniLM" in health["embedding_model"]


@pytest.mark.parametrize(
    ("payload", "status", "kind"),
    [
        ({"message": "   "}, 400, "bad_request"),
        ({"message": "x" * 2001}, 413, "too_large"),
        ({}, 400, "bad_request"),
        ({"message": WHO, "surprise": 1}, 400, "bad_request"),
        ({"message": 5}, 400, "bad_request"),
        ({"message": WHO, "session_id": "bad id!"}, 400, "bad_request"),
        ({"message": WHO, "article_id": "no-such-article"}, 404, "not_found"),
    ],
)
def test_bad_chat_input_gets_json_errors(
    client: TestClient, payload: dict[str, Any], status: int, kind: str
) -> None:
    for path in ("/api/chat", "/api/chat/stream"):
        reply = client.post(path, json=payload)
        assert reply.status_code == status, (path, reply.text)
        assert error_of(reply)["type"] == kind


def test_malformed_json_and_unknown_routes(client: TestClient) -> None:
    reply = client.post("/api/chat", content=b"{not json", headers={"content-type": "application/json"})
    assert reply.status_code == 400 and error_of(reply)["type"] == "bad_request"
    assert error_of(client.get("/api/articles/nope"))["type"] == "not_found"
    assert client.get("/api/nothing-here").status_code == 404
    assert client.get("/api/chat").status_code == 405


def test_oversized_bodies_get_413_declared_or_chunked(client: TestClient) -> None:
    big = json.dumps({"message": "x" * 70_000}).encode()
    reply = client.post("/api/chat", content=big, headers={"content-type": "application/json"})
    assert reply.status_code == 413 and error_of(reply)["type"] == "too_large"

    def chunks():
        for _ in range(70):
            yield b"x" * 1024

    reply = client.post("/api/chat", content=chunks(), headers={"content-type": "application/json"})
    assert reply.status_code == 413


def test_unavailable_index_is_503_everywhere(make_settings) -> None:
    service = ChatService(make_settings(), None, None, unavailable="The article index is empty: run it.")
    client = TestClient(create_api(service))
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


def test_openai_completion_shape(client: TestClient) -> None:
    reply = client.post(
        "/v1/chat/completions",
        json={"model": "newsbot", "temperature": 0.2, "messages": [{"role": "user", "content": WHO}]},
    )
    body = reply.json()
    assert body["object"] == "chat.completion" and body["choices"][0]["finish_reason"] == "stop"
    assert "[1]" in body["choices"][0]["message"]["content"]
    assert body["citations"][0]["n"] == 1
    assert client.get("/v1/models").json()["data"][0]["id"] == "newsbot"
    bad = client.post("/v1/chat/completions", json={"messages": [{"role": "assistant", "content": "hi"}]})
    assert bad.status_code == 400 and "last message" in error_of(bad)["message"]


def test_openai_stream_holds_back_unverified_llm_text(seed_store, embeddings) -> None:
    """An LLM's draft may be corrected by verification: OpenAI clients get only the checked text."""
    settings, store = seed_store
    model = fake_model("Sergei Shoigu leads the delegation and flew in from Minsk [1].")
    bot = build_chatbot(settings, embeddings=embeddings, store=store, chat_model=model)
    client = TestClient(create_api(ChatService(settings, bot, store)))
    reply = client.post(
        "/v1/chat/completions", json={"stream": True, "messages": [{"role": "user", "content": WHO}]}
    )
    lines = [line.removeprefix("data: ") for line in reply.text.splitlines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(line) for line in lines[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "Shoigu" not in text and "Medinsky" in text
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["citations"]


def test_openapi_documents_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/chat", "/api/chat/stream", "/api/articles", "/healthz", "/v1/chat/completions"):
        assert path in spec["paths"]
    assert "413" in spec["paths"]["/api/chat"]["post"]["responses"]
    assert client.get("/docs").status_code == 200


def test_settings_cap_the_body(make_settings, seed_bot, seed_store) -> None:
    settings: Settings = make_settings(max_body_kb=1)
    client = TestClient(create_api(ChatService(settings, seed_bot, seed_store[1])))
    assert client.post("/api/chat", json={"message": "y" * 1500}).status_code == 413
    assert client.post("/api/chat", json={"message": WHO}).status_code == 200


def test_chroma_server_going_away_is_503_not_500(tmp_path, make_settings, embeddings) -> None:
    from bot.web.service import build_service
    from index.factory import make_indexer
    from tests.conftest import start_chroma

    proc, port = start_chroma(tmp_path / "chroma")
    try:
        settings = make_settings(chroma_host="127.0.0.1", chroma_port=port, rate_limit_client="")
        indexer = make_indexer(settings, embeddings=embeddings)
        indexer.build([SEED])
        client = TestClient(create_api(build_service(settings)))
        assert client.post("/api/chat", json={"message": WHO}).status_code == 200
        assert client.get("/healthz").json()["store_mode"] == "server"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    reply = client.post("/api/chat", json={"message": "Where are the talks held?"})
    assert reply.status_code == 503 and error_of(reply)["type"] == "index_unavailable"
    stream = client.post("/api/chat/stream", json={"message": "Where are the talks held?"})
    assert stream.status_code == 200 and "event: error" in stream.text and "index_unavailable" in stream.text
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json()["ready"] is False


def test_start_up_loads_everything_before_the_first_request(make_settings, served_index) -> None:
    """The BM25 index and the model are warm when the service is built, not on a reader's request."""
    from bot.web.service import build_service

    service = build_service(make_settings(data_dir=served_index))
    assert service.chatbot is not None
    assert service.chatbot.retriever.lexical_index._index is not None  # type: ignore[attr-defined]
    assert service.health().ready and service.health().chunks >= 5
