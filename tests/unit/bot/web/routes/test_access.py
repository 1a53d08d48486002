"""Subscriber-only articles: nothing of them (quote, title, text, /read page) reaches an
anonymous reader; a valid subscriber token opens them; a bad or expired token is a 401."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from mcp import Client
from pydantic import SecretStr

from bot.search import search_articles
from bot.web.agents.mcp_server import build_mcp
from bot.web.agents.service import AgentService, Caller
from bot.web.service import ChatService
from bot.web.subscribers import HEADER, main, sign
from tests.fakes import HashEmbeddings
from tests.unit.bot.web.clients import client_for, error_of, mcp_text
from tests.unit.bot.web.routes.test_admin import AUTH, publishing_service

SECRET = "site-subscriber-secret"
ARTICLE = "zephyrine-pay-deal"
SECRET_STORY = {
    "title": "Zephyrine dockworkers secure a pay deal",
    "text": (
        "Dockworkers at the Zephyrine terminal secured a nine percent pay deal on Tuesday. "
        "The union said the Zephyrine agreement runs until March and covers four hundred workers. "
        "Talks had lasted eleven weeks before the deal was signed."
    ),
    "outlet": "Aldermoor Gazette",
    "published_at": "2025-05-12T08:00:00Z",
    "url": "https://gazette.example/zephyrine-pay",
    "access": "subscriber",
}
QUESTION = "What pay deal did the Zephyrine dockworkers secure?"


@pytest.fixture
def service(tmp_path: Path, encoder: HashEmbeddings) -> ChatService:
    service = publishing_service(tmp_path, encoder, subscriber_secret=SecretStr(SECRET))
    published = client_for(service).put(f"/api/admin/articles/{ARTICLE}", json=SECRET_STORY, headers=AUTH)
    assert published.status_code == 200
    return service


@pytest.fixture
def client(service: ChatService) -> TestClient:
    return client_for(service)


def _subscriber(secret: str = SECRET, ttl: int = 600) -> dict[str, str]:
    return {HEADER: sign(secret, int(time.time()) + ttl)}


def _leaks(reply: Any) -> bool:
    """Any of its text, its title or its id (the reader's own question is echoed: not a leak)."""
    found = reply.text
    return any(
        s in found for s in ("nine percent", "four hundred", "eleven weeks", "secure a pay deal", ARTICLE)
    )


def test_nothing_of_a_subscriber_article_reaches_an_anonymous_reader(client: TestClient) -> None:
    asked = client.post("/api/chat", json={"message": QUESTION})
    assert asked.status_code == 200 and not _leaks(asked)
    streamed = client.post("/api/chat/stream", json={"message": QUESTION})
    assert not _leaks(streamed)
    openai = client.post(
        "/v1/chat/completions", json={"model": "newsbot", "messages": [{"role": "user", "content": QUESTION}]}
    )
    assert openai.status_code == 200 and not _leaks(openai)
    assert client.post("/api/chat", json={"message": QUESTION, "article_id": ARTICLE}).status_code == 404
    scoped_by_url = client.post("/api/chat", json={"message": QUESTION, "article_url": SECRET_STORY["url"]})
    assert not _leaks(scoped_by_url)
    assert not _leaks(client.get("/api/articles"))
    assert client.get(f"/api/articles/{ARTICLE}").status_code == 404
    assert client.get(f"/read/{ARTICLE}").status_code == 404
    # Its page sent as the widget's context: no title in what was searched, no 404 naming it.
    for page in ({"page_article_id": ARTICLE}, {"page_article_url": SECRET_STORY["url"]}):
        beyond = client.post("/api/chat", json={"message": "did anyone else report this?", **page})
        assert beyond.status_code == 200 and not _leaks(beyond)
        assert "context: " not in beyond.json()["standalone_question"]


def test_a_subscriber_gets_answers_from_it(client: TestClient) -> None:
    answer = client.post("/api/chat", json={"message": QUESTION}, headers=_subscriber()).json()
    assert "nine percent" in answer["text"]
    assert (
        answer["citations"][0]["article_id"] == ARTICLE and answer["citations"][0]["access"] == "subscriber"
    )
    assert any(a["article_id"] == ARTICLE for a in client.get("/api/articles", headers=_subscriber()).json())
    assert client.get(f"/api/articles/{ARTICLE}", headers=_subscriber()).status_code == 200
    scoped = client.post(
        "/api/chat", json={"message": QUESTION, "article_id": ARTICLE}, headers=_subscriber()
    )
    assert scoped.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {HEADER: "not-a-token"},
        _subscriber(ttl=-5),  # expired
        _subscriber(secret="another-site"),  # forged
        _subscriber(ttl=30 * 24 * 3600),  # too long-lived
    ],
)
def test_a_bad_token_is_a_401_and_answers_nothing(client: TestClient, headers: dict[str, str]) -> None:
    reply = client.post("/api/chat", json={"message": QUESTION}, headers=headers)
    assert reply.status_code == 401 and error_of(reply)["type"] == "unauthorized" and not _leaks(reply)


def test_the_cli_prints_a_token_the_app_accepts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSBOT_SUBSCRIBER_SECRET", SECRET)
    assert main(["--ttl", "60"]) == 0
    expires, signature = capsys.readouterr().out.strip().split(".")
    assert sign(SECRET, int(expires)) == f"{expires}.{signature}" and 0 < int(expires) - time.time() <= 60


def test_a_token_with_non_ascii_digits_is_a_401_not_a_500(client: TestClient) -> None:
    reply = client.post(
        "/api/chat", json={"message": QUESTION}, headers={HEADER.encode(): "\u00b2.x".encode("latin-1")}
    )
    assert reply.status_code == 401


def test_an_anonymous_request_does_not_continue_a_subscribers_conversation(client: TestClient) -> None:
    first = client.post("/api/chat", json={"message": QUESTION}, headers=_subscriber()).json()
    assert "nine percent" in first["text"]
    follow = client.post(
        "/api/chat", json={"message": "And how long did the talks last?", "session_id": first["session_id"]}
    ).json()
    assert follow["session_id"] != first["session_id"] and not _leaks_text(follow["standalone_question"])


def _leaks_text(text: str) -> bool:
    return any(s in text for s in ("nine percent", "four hundred", "eleven weeks", ARTICLE))


def test_nlweb_ask_gives_an_anonymous_agent_nothing_of_it_and_a_subscriber_all(client: TestClient) -> None:
    for mode in ("list", "summarize", "generate"):
        for streaming in ("true", "false"):
            reply = client.get("/ask", params={"query": QUESTION, "mode": mode, "streaming": streaming})
            assert reply.status_code == 200 and not _leaks(reply), (mode, streaming)
    scoped = client.get("/ask", params={"query": QUESTION, "mode": "generate", "article_id": ARTICLE})
    assert scoped.status_code == 404  # as for an id that does not exist (its message echoes the id sent)
    subscriber = client.get(
        "/ask", params={"query": QUESTION, "mode": "generate", "streaming": "false"}, headers=_subscriber()
    ).json()
    assert "nine percent" in subscriber["answer"] and subscriber["results"][0]["article_id"] == ARTICLE
    assert subscriber["results"][0]["schema_object"]["isAccessibleForFree"] is False
    forged = client.get("/ask", params={"query": QUESTION}, headers=_subscriber(secret="another-site"))
    assert forged.status_code == 401 and not _leaks(forged)


def test_mcp_gives_an_anonymous_agent_nothing_of_it_and_a_subscriber_all(service: ChatService) -> None:
    """In-process (the caller given); over HTTP with the header: tests/e2e/bot/web/test_agents.py."""
    searched, answered, read, listed = _mcp_calls(service, Caller("198.51.100.7"))
    assert not any(_leaks_text(json.dumps(result)) for result in (searched, answered, listed))
    assert read == {"error": f"Error executing tool get_article: No article with id {ARTICLE!r}."}
    searched, answered, read, listed = _mcp_calls(service, Caller("198.51.100.7", subscriber=True))
    assert searched["articles"][0]["article_id"] == ARTICLE and "nine percent" in answered["text"]
    assert "nine percent" in read["text"]
    assert ARTICLE not in listed  # the resources are the anonymous view, whoever reads them


def _mcp_calls(service: ChatService, caller: Caller) -> list[Any]:
    server = build_mcp(AgentService(service), service.threads, lambda _request: caller)

    async def calls() -> list[Any]:
        async with Client(server) as mcp:
            found = await mcp.call_tool("search_articles", {"query": QUESTION})
            answered = await mcp.call_tool("ask", {"question": QUESTION})
            read = await mcp.call_tool("get_article", {"article_id": ARTICLE})
            listed = await mcp.read_resource("newsbot://articles")
            results = [
                r.structured_content or {"error": mcp_text(r.content[0])} for r in (found, answered, read)
            ]
            return [*results, mcp_text(listed.contents[0])]

    return anyio.run(calls)


def test_search_lists_an_article_by_its_own_access_whatever_the_passages_say(service: ChatService) -> None:
    """The article's own access level is checked again: a passage of a subscriber-only article
    handed to an anonymous search (a retriever that failed to filter it) lists nothing."""
    bot, library = service.require_bot(), service.require_library()
    leaked = bot.retrieve(QUESTION, True, k=5)
    assert any(p.metadata["article_id"] == ARTICLE for p in leaked)
    found = search_articles(lambda _q, _s, _k: leaked, library, QUESTION, 2000, subscriber=False)
    assert ARTICLE not in [m.article_id for m in found]
    assert ARTICLE in [
        m.article_id
        for m in search_articles(lambda _q, _s, _k: leaked, library, QUESTION, 2000, subscriber=True)
    ]
