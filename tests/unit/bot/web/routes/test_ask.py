"""NLWeb's ``/ask`` on the seed bot (fake encoder): the three modes, streamed and not, the
documented shapes, bad input, limits, and agents' answers recorded apart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.records.tables import questions
from bot.web.service import ChatService
from tests.unit.bot.web.clients import ASK, SEED_ID, WHO, client_for, error_of, recorded_rows, service_with

MESSAGE_TYPES = {"result_batch", "summary", "answer_delta", "nlws", "no_results", "error", "complete"}


@pytest.fixture(scope="module")
def client(seed_service: ChatService) -> TestClient:
    return client_for(seed_service)


def messages(text: str) -> list[dict[str, Any]]:
    """NLWeb's stream: unnamed events, each a JSON object with its message_type."""
    found = []
    for block in text.strip().split("\n\n"):
        assert block.startswith("data: "), block
        found.append(json.loads(block.removeprefix("data: ")))
    assert {m["message_type"] for m in found} <= MESSAGE_TYPES
    return found


def test_list_gives_schema_org_items_with_a_verbatim_sentence(
    client: TestClient, seed_service: ChatService
) -> None:
    reply = client.get("/ask", params={"query": WHO, "streaming": "false", "query_id": "q-1"})
    assert reply.status_code == 200
    body = reply.json()
    assert (body["query_id"], body["mode"], body["message_type"]) == ("q-1", "list", "result")
    item = body["results"][0]
    assert item["article_id"] == SEED_ID and item["name"].startswith("EXPLAINED") and item["score"] == 1.0
    assert item["description"] in seed_service.require_library().get(SEED_ID).text
    schema = item["schema_object"]
    assert schema["@type"] == "NewsArticle" and schema["identifier"] == SEED_ID
    assert schema["headline"] == item["name"] and schema["isAccessibleForFree"] is True
    assert body["summary"] is None and body["answer"] is None and body["citations"] == []


def test_list_streams_by_default_then_completes(client: TestClient) -> None:
    reply = client.get("/ask", params={"query": WHO})
    assert reply.headers["content-type"].startswith("text/event-stream")
    found = messages(reply.text)
    assert [m["message_type"] for m in found] == ["result_batch", "complete"]
    query_ids = {m["query_id"] for m in found}
    assert len(query_ids) == 1 and len(query_ids.pop()) == 32  # made when absent, in every message
    assert found[0]["results"][0]["article_id"] == SEED_ID


def test_summarize_adds_a_summary_whose_citations_quote_the_article(
    client: TestClient, seed_service: ChatService
) -> None:
    body = client.post("/ask", json={"query": WHO, "mode": "summarize", "streaming": False}).json()
    assert body["results"] and body["summary"].endswith("[1]")
    text = seed_service.require_library().get(SEED_ID).text
    (citation,) = body["citations"]
    assert (
        text[citation["start"] : citation["end"]] == citation["quote"]
        and citation["quote"] in body["summary"]
    )


def test_generate_streams_the_answer_then_the_cited_items(
    client: TestClient, seed_service: ChatService
) -> None:
    found = messages(client.post("/ask", json={"query": ASK, "mode": "generate"}).text)
    kinds = [m["message_type"] for m in found]
    assert kinds[-2:] == ["nlws", "complete"] and set(kinds[:-2]) == {"answer_delta"}
    final = found[-2]
    assert "".join(m["text"] for m in found[:-2]) == final["answer"]
    assert "[1]" in final["answer"] and final["answer_id"] and final["citations"]
    assert [i["article_id"] for i in final["items"]] == [SEED_ID]
    text = seed_service.require_library().get(SEED_ID).text
    assert all(text[c["start"] : c["end"]] == c["quote"] for c in final["citations"])


def test_prev_is_the_conversation_before_the_question(seed_service: ChatService, tmp_path: Path) -> None:
    service = service_with(seed_service, record=True, data_dir=tmp_path)
    reply = client_for(service).get(
        "/ask",
        params={"query": "How many did it kill?", "mode": "generate", "streaming": 0, "prev": f"{ASK},Sumy"},
    )
    assert reply.status_code == 200
    (row,) = recorded_rows(service, questions)
    assert row["history"] == [[ASK, ""], ["Sumy", ""]]


def test_what_the_articles_do_not_say_is_an_explicit_no_results(client: TestClient) -> None:
    body = client.get(
        "/ask", params={"query": "What is the capital of Peru?", "mode": "generate", "streaming": "false"}
    ).json()
    assert body["message_type"] == "no_results" and body["message"] and body["answer"] is None
    assert body["results"] == [] and body["answer_id"]
    streamed = messages(
        client.get("/ask", params={"query": "What is the capital of Peru?", "mode": "generate"}).text
    )
    assert [m["message_type"] for m in streamed][-2:] == ["no_results", "complete"]


@pytest.mark.parametrize(
    ("params", "kind"),
    [
        ({}, "bad_request"),
        ({"query": ""}, "bad_request"),
        ({"query": WHO, "mode": "essay"}, "bad_request"),
        ({"query": WHO, "limit": 0}, "bad_request"),
        ({"query": WHO, "prev": "y" * 2001}, "bad_request"),
        ({"query": "x" * 2001}, "too_large"),  # NEWSBOT_MAX_QUESTION_CHARS, as the chat
        ({"query": "x" * 2001, "mode": "generate"}, "too_large"),
        ({"query": "<b></b>"}, "bad_request"),
        ({"query": WHO, "mode": "generate", "article_id": "no-such-article"}, "not_found"),
    ],
)
def test_bad_input_is_a_clear_error_never_a_500(
    client: TestClient, params: dict[str, Any], kind: str
) -> None:
    reply = client.get("/ask", params=params)
    assert reply.status_code in (400, 404, 413) and error_of(reply)["type"] == kind


def test_an_unknown_body_field_is_refused(client: TestClient) -> None:
    reply = client.post("/ask", json={"query": WHO, "mdoe": "list"})
    assert reply.status_code == 400 and error_of(reply)["type"] == "bad_request"


def test_ask_is_rate_limited_per_client_like_the_chat(seed_service: ChatService) -> None:
    client = client_for(service_with(seed_service, rate_limit_client="2/minute"))
    assert client.get("/ask", params={"query": WHO, "streaming": 0}).status_code == 200
    assert client.post("/api/chat", json={"message": WHO}).status_code == 200  # one limit per client
    limited = client.get("/ask", params={"query": WHO, "streaming": 0})
    assert limited.status_code == 429 and "Retry-After" in limited.headers


def test_foreign_browser_origins_are_refused(client: TestClient) -> None:
    reply = client.get("/ask", params={"query": WHO}, headers={"Origin": "https://evil.example"})
    assert reply.status_code == 403


def test_agents_answers_are_recorded_as_agents(seed_service: ChatService, tmp_path: Path) -> None:
    service = service_with(seed_service, record=True, data_dir=tmp_path)
    client = client_for(service)
    client.get("/ask", params={"query": ASK, "mode": "generate", "streaming": 0})
    client.get("/ask", params={"query": WHO, "mode": "list", "streaming": 0})  # a search: no answer
    client.post("/api/chat", json={"message": WHO})
    channels = sorted(row["channel"] for row in recorded_rows(service, questions))
    assert channels == ["agent", "reader"]


def test_other_methods_get_405_with_what_is_allowed(client: TestClient) -> None:
    reply = client.put("/ask", params={"query": WHO})
    assert reply.status_code == 405 and error_of(reply)["type"] == "method_not_allowed"
    assert set(reply.headers["Allow"].split(", ")) == {"GET", "POST"}


def test_another_sites_page_cannot_make_a_browser_ask(client: TestClient) -> None:
    """An image or a link on another site sends no Origin: Sec-Fetch-Site tells it apart."""
    blind = client.get("/ask", params={"query": WHO}, headers={"Sec-Fetch-Site": "cross-site"})
    assert blind.status_code == 403 and error_of(blind)["type"] == "forbidden_origin"
    own_page = client.get(
        "/ask", params={"query": WHO, "streaming": 0}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert own_page.status_code == 200
