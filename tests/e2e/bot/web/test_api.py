"""The HTTP API on the real pipeline (seed index, packaged model) through FastAPI's TestClient.

What the answers say depends on the real model; a Chroma server going away and the start-up
warm-up need real processes. The API's contracts on the fake encoder: tests/unit/bot/web/.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.factory import build_chatbot
from bot.web.api import create_api
from bot.web.service import ChatService
from tests.corpus import SEED
from tests.fakes import fake_model
from tests.unit.bot.web.clients import BASE_URL

SEED_ID = SEED.stem


WHO = "Who leads Russia's delegation?"


@pytest.fixture(scope="module")
def client(seed_service) -> TestClient:
    return TestClient(create_api(seed_service), base_url=BASE_URL)


def error_of(response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}
    error: dict[str, Any] = body["error"]
    return error


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


def test_openai_stream_holds_back_unverified_llm_text(seed_store, embeddings) -> None:
    """An LLM's draft may be corrected by verification: OpenAI clients get only the checked text."""
    settings, store = seed_store
    model = fake_model("Sergei Shoigu leads the delegation and flew in from Minsk [1].")
    bot = build_chatbot(settings, embeddings=embeddings, store=store, chat_model=model)
    client = TestClient(create_api(ChatService(settings, bot, store)), base_url=BASE_URL)
    reply = client.post(
        "/v1/chat/completions", json={"stream": True, "messages": [{"role": "user", "content": WHO}]}
    )
    lines = [line.removeprefix("data: ") for line in reply.text.splitlines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(line) for line in lines[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert "Shoigu" not in text and "Medinsky" in text
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop" and chunks[-1]["citations"]


def test_chroma_server_going_away_is_503_not_500(tmp_path, make_settings, embeddings) -> None:
    from bot.web.service import build_service
    from index.factory import make_indexer
    from tests.e2e.servers import start_chroma

    proc, port = start_chroma(tmp_path / "chroma")
    try:
        settings = make_settings(chroma_host="127.0.0.1", chroma_port=port, rate_limit_client="")
        indexer = make_indexer(settings, embeddings=embeddings)
        indexer.build([SEED])
        client = TestClient(create_api(build_service(settings)), base_url=BASE_URL)
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
