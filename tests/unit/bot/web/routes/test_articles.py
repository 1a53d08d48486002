"""``GET /api/articles`` and ``/api/articles/{id}`` on the seed article (fake encoder)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from bot.web.service import ChatService
from tests.unit.bot.web.clients import SEED_ID, client_for


@pytest.fixture(scope="module")
def client(seed_service: ChatService) -> TestClient:
    return client_for(seed_service)


def test_articles_list_and_detail(client: TestClient) -> None:
    listed = client.get("/api/articles").json()
    assert listed[0]["article_id"] == SEED_ID and "text" not in listed[0]
    detail = client.get(f"/api/articles/{SEED_ID}").json()
    assert "Medinsky" in detail["text"] and detail["author"] == "Alisa Orlova"
    assert "suggested_questions" not in listed[0]


def test_article_detail_suggests_questions(client: TestClient) -> None:
    # The fake index has no sentence notes: the summary and the headings whose sections echo
    # them ("Who Else Is Involved?" and "Where Do Both Sides Stand?" do not).
    detail = client.get(f"/api/articles/{SEED_ID}").json()
    assert detail["suggested_questions"] == [
        "What is this story about?",
        "Who’s Attending?",
        "Why Turkey?",
        "What’s Next?",
    ]
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ArticleDetail"]
    assert schema["properties"]["suggested_questions"]["type"] == "array"


def test_the_article_list_comes_a_page_at_a_time(seed_service: ChatService, encoder, tmp_path) -> None:
    from tests.corpus import write_articles
    from tests.fakes import as_store, memory_index

    store = memory_index(write_articles(tmp_path, 5), encoder)
    client = client_for(ChatService(seed_service.settings, seed_service.chatbot, as_store(store)))
    everything = client.get("/api/articles")
    assert everything.headers["x-total-count"] == "5" and len(everything.json()) == 5
    page = client.get("/api/articles", params={"limit": 2, "offset": 1})
    assert page.headers["x-total-count"] == "5"
    assert [a["article_id"] for a in page.json()] == [a["article_id"] for a in everything.json()[1:3]]
    assert client.get("/api/articles", params={"limit": 0}).status_code == 400
    assert client.get("/api/articles", params={"limit": 10_001}).status_code == 400
