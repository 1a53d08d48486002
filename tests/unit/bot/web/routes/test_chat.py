"""``POST /api/chat`` and ``/api/chat/stream`` on the seed bot (fake encoder) through TestClient."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from fastapi.testclient import TestClient
from langchain_core.documents import Document

from bot.chatbot import Chatbot
from bot.conversation import Condenser
from bot.drafting.draft import AnswerEvent, Delta
from bot.question import Question
from bot.web.api import create_api
from bot.web.service import ChatService
from tests.unit.bot.web.clients import ASK, BASE_URL, SEED_ID, WHO, client_for, error_of, sse_events


@pytest.fixture(scope="module")
def client(seed_service: ChatService) -> TestClient:
    return client_for(seed_service)


def test_history_in_the_request_replaces_the_session(client: TestClient) -> None:
    history = [{"question": WHO, "answer": "Vladimir Medinsky leads it. [1]"}]
    body = client.post("/api/chat", json={"message": "What was his job before?", "history": history}).json()
    assert "Medinsky" in body["standalone_question"]


def test_stream_sends_deltas_then_the_answer(client: TestClient) -> None:
    reply = client.post("/api/chat/stream", json={"message": ASK})
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/event-stream")
    events = sse_events(reply.text)
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "session" and kinds[-1] == "answer" and kinds.count("delta") >= 2
    streamed = "".join(data["text"] for kind, data in events if kind == "delta")
    final = events[-1][1]
    assert streamed == final["text"] and final["citations"]
    assert final["session_id"] == events[0][1]["session_id"]


def test_article_filter(client: TestClient) -> None:
    body = client.post("/api/chat", json={"message": ASK, "article_id": SEED_ID}).json()
    assert {c["article_id"] for c in body["citations"]} == {SEED_ID}


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


def test_page_url_scopes_to_an_indexed_article_or_searches_all(client: TestClient) -> None:
    reply = client.post(
        "/api/chat/stream", json={"message": WHO, "article_url": "https://elsewhere.example/story"}
    )
    assert '"article": null' in reply.text.split("\n\n")[0]


def test_chat_answers_with_citations_and_a_session(client: TestClient) -> None:
    reply = client.post("/api/chat", json={"message": ASK})
    assert reply.status_code == 200
    body = reply.json()
    assert "**three**" in body["text"] and body["citations"][0]["article_id"] == SEED_ID
    assert body["session_id"] and body["answerer"] == "extractive" and body["question"] == ASK
    assert set(body["timings"]) == {"retrieve_ms", "answer_ms", "total_ms"}


def test_session_carries_the_conversation(client: TestClient) -> None:
    first = client.post("/api/chat", json={"message": WHO}).json()
    follow = client.post(
        "/api/chat", json={"message": "What was his job before?", "session_id": first["session_id"]}
    ).json()
    assert follow["session_id"] == first["session_id"]
    assert follow["standalone_question"].startswith("What was his job before? — context: ")
    alone = client.post("/api/chat", json={"message": "What was his job before?"}).json()
    assert alone["standalone_question"] == "What was his job before?"
    assert alone["session_id"] != first["session_id"]


def test_stream_names_the_article_it_is_scoped_to(client: TestClient) -> None:
    events = sse_events(client.post("/api/chat/stream", json={"message": ASK, "article_id": SEED_ID}).text)
    kind, first = events[0]
    assert kind == "session" and first["article"]["article_id"] == SEED_ID
    assert first["article"]["title"].startswith("EXPLAINED")


def failing_client(seed_service: ChatService, error: Exception) -> TestClient:
    """The API on a bot whose store fails once questions are asked (a Chroma server gone away)."""
    from bot.factory import build_chatbot
    from tests.corpus import SEED
    from tests.fakes import HashEmbeddings, as_store, memory_index

    encoder = HashEmbeddings()
    store = memory_index([SEED], encoder)
    bot = build_chatbot(seed_service.settings, embeddings=encoder, store=as_store(store))
    client = client_for(ChatService(seed_service.settings, bot, as_store(store)))
    store.collection.fail_with = error
    return client


def test_a_store_gone_away_is_503_or_an_error_event(seed_service: ChatService) -> None:
    client = failing_client(seed_service, ConnectionError("connection refused"))
    reply = client.post("/api/chat", json={"message": ASK})
    assert reply.status_code == 503 and error_of(reply)["type"] == "index_unavailable"
    stream = client.post("/api/chat/stream", json={"message": ASK})
    assert stream.status_code == 200  # the stream had started: the error comes as an event
    events = sse_events(stream.text)
    assert [kind for kind, _ in events] == ["session", "error"]
    assert events[1][1]["error"]["type"] == "index_unavailable"


class BreaksMidAnswer:
    """An answerer with a bug: it fails after its first piece of text."""

    name = "broken"
    deltas_are_final = True

    def stream(self, question: Question, passages: Sequence[Document]) -> Iterator[AnswerEvent]:
        yield Delta("The talks ")
        raise RuntimeError("secret internal detail")


def test_an_unexpected_failure_mid_stream_is_an_internal_error_event(seed_service: ChatService) -> None:
    seed_bot = seed_service.require_bot()
    broken = Chatbot(seed_bot.retriever, BreaksMidAnswer(), Condenser())
    client = client_for(ChatService(seed_service.settings, broken, seed_service.store))
    events = sse_events(client.post("/api/chat/stream", json={"message": ASK}).text)
    assert [kind for kind, _ in events] == ["session", "delta", "error"]
    assert events[-1][1] == {"error": {"type": "internal_error", "message": "Something went wrong."}}
    app = create_api(ChatService(seed_service.settings, broken, seed_service.store))
    plain = TestClient(app, raise_server_exceptions=False, base_url=BASE_URL)
    reply = plain.post("/api/chat", json={"message": ASK})
    assert reply.status_code == 500 and error_of(reply)["type"] == "internal_error"
    assert "secret" not in reply.text


def test_a_lone_surrogate_in_the_history_is_no_server_error(client: TestClient) -> None:
    """The probe's defect: "\\ud800" in an earlier turn reached the tokenizer (503). History is
    context, so it is made well-formed rather than refused; the question itself is a 400."""
    history = [{"question": "\ud800 who leads it", "answer": "Vladimir \ud800Medinsky leads it. [1]"}]
    for path in ("/api/chat", "/api/chat/stream"):
        reply = post_ascii(client, path, {"message": "What was his job before?", "history": history})
        assert reply.status_code == 200, reply.text
        assert "error" not in reply.text and "\ud800" not in reply.text
    body = post_ascii(client, "/api/chat", {"message": "What was his job before?", "history": history}).json()
    assert "Medinsky" in body["standalone_question"]


def post_ascii(client: TestClient, path: str, body: object) -> Any:
    """JSON as a client may send it: a lone surrogate as its escape (httpx cannot encode one)."""
    return client.post(path, content=json.dumps(body).encode(), headers={"content-type": "application/json"})


def test_the_page_says_what_this_is_when_every_article_is_searched(client: TestClient) -> None:
    """The widget with "Only this article" off sends its page: "this" is that article's story."""
    asked = {"message": "did anyone else report this?", "page_article_id": SEED_ID}
    body = client.post("/api/chat", json=asked).json()
    assert body["text"] == "I found no other outlet's report of this story among the articles I have."
    assert "context: " in body["standalone_question"]  # its title was searched
    unknown = client.post("/api/chat", json={**asked, "page_article_id": "no-such-article"})
    assert unknown.status_code == 200  # context only: a page not indexed is no error
    assert "context: " not in unknown.json()["standalone_question"]
    scoped = client.post("/api/chat", json={**asked, "article_id": SEED_ID}).json()
    assert scoped["text"] != body["text"]  # restricted to the article: its own sentences
