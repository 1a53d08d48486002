"""AI assistants against the real app (``python app.py``, packaged model, seed index): the
official MCP client over streamable HTTP at ``/mcp/`` and over stdio (``newsbot-mcp``), and
NLWeb's ``/ask`` over HTTP. A subscriber-only article is published through the API first:
nothing of it may reach an anonymous agent."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import TextContent, TextResourceContents

from bot.web.subscribers import HEADER, sign
from tests.corpus import ROOT, SEED
from tests.e2e.servers import start_app, stop_app

SEED_ID = SEED.stem
WHO = "Who leads Russia's delegation?"
SECRET, TOKEN = "agents-subscriber-secret", "agents-admin-token"
LIMIT = 40  # questions a minute per client: the last test spends what the others left
ARTICLE = "quarry-lake-closure"
STORY = {
    "title": "Quarry lake closed to swimmers after algae bloom",
    "text": (
        "The Holloway quarry lake was closed to swimmers on Friday after a toxic algae bloom. "
        "The council said the Holloway closure would last at least nineteen days. "
        "Lifeguards counted three hundred and twelve visitors on the last open weekend."
    ),
    "outlet": "Holloway Courier",
    "published_at": "2025-06-06T07:00:00Z",
    "access": "subscriber",
}
QUESTION = "Why was the Holloway quarry lake closed to swimmers?"
SECRETS = ("nineteen days", "three hundred and twelve", "algae bloom", "Holloway quarry lake was closed")

Session = Callable[[ClientSession], Awaitable[Any]]


@pytest.fixture(scope="module")
def served(served_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    data = tmp_path_factory.mktemp("agents") / "data"
    shutil.copytree(served_index, data)  # the session's index stays as other tests expect it
    env = {
        "NEWSBOT_SUBSCRIBER_SECRET": SECRET,
        "NEWSBOT_ADMIN_TOKEN": TOKEN,
        "NEWSBOT_RATE_LIMIT_CLIENT": f"{LIMIT}/minute",
    }
    proc, base = start_app(data, env)
    try:
        put = httpx.put(
            f"{base}/api/admin/articles/{ARTICLE}",
            json=STORY,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=120,
        )
        assert put.status_code == 200, put.text
        yield base, data
    finally:
        stop_app(proc)


def over_http(base: str, session: Session, headers: dict[str, str] | None = None) -> Any:
    async def main() -> Any:
        async with (
            httpx2.AsyncClient(headers=headers or {}, timeout=120) as http,
            streamable_http_client(f"{base}/mcp/", http_client=http) as (read, write),
            ClientSession(read, write) as client,
        ):
            await client.initialize()
            return await session(client)

    return anyio.run(main)


def text_of(content: object) -> str:
    assert isinstance(content, TextContent | TextResourceContents), content
    return content.text


def subscriber() -> dict[str, str]:
    return {HEADER: sign(SECRET, int(time.time()) + 600)}


def leaks(found: Any) -> bool:
    text = json.dumps(found, ensure_ascii=False) if not isinstance(found, str) else found
    return any(s in text for s in SECRETS)


async def every_tool(client: ClientSession) -> dict[str, Any]:
    tools = await client.list_tools()
    found = await client.call_tool("search_articles", {"query": WHO, "limit": 3})
    answered = await client.call_tool("ask", {"question": WHO})
    article = await client.call_tool("get_article", {"article_id": SEED_ID})
    missing = await client.call_tool("get_article", {"article_id": "no-such-article"})
    listed = await client.read_resource("newsbot://articles")
    return {
        "tools": sorted(t.name for t in tools.tools),
        "found": found.structured_content,
        "answer": answered.structured_content,
        "article": article.structured_content,
        "missing": (missing.is_error, text_of(missing.content[0])),
        "listed": json.loads(text_of(listed.contents[0])),
    }


def test_an_mcp_client_lists_and_calls_every_tool_and_gets_cited_answers(served: tuple[str, Path]) -> None:
    base, _ = served
    got = over_http(base, every_tool)
    assert got["tools"] == ["ask", "get_article", "search_articles"]
    assert got["found"]["articles"][0]["article_id"] == SEED_ID
    answer = got["answer"]
    assert "Medinsky" in answer["text"] and not answer["refused"] and answer["citations"]
    text = got["article"]["text"]
    assert all(text[c["start"] : c["end"]] == c["quote"] for c in answer["citations"])
    assert got["missing"][0] and "No article with id" in got["missing"][1]
    assert [a["article_id"] for a in got["listed"]] == [SEED_ID]  # the public list


def test_no_subscriber_text_reaches_an_anonymous_agent(served: tuple[str, Path]) -> None:
    base, _ = served

    async def probe(client: ClientSession) -> list[Any]:
        calls = [
            ("search_articles", {"query": QUESTION}),
            ("ask", {"question": QUESTION}),
            ("ask", {"question": QUESTION, "article_id": ARTICLE}),
            ("get_article", {"article_id": ARTICLE}),
        ]
        results = [await client.call_tool(name, args) for name, args in calls]
        listed = await client.read_resource("newsbot://articles")
        found: list[Any] = [r.structured_content or text_of(r.content[0]) for r in results]
        return [*found, text_of(listed.contents[0])]

    anonymous = over_http(base, probe)
    assert not any(leaks(found) for found in anonymous), anonymous
    searched, answered, scoped, article, _listed = over_http(base, probe, subscriber())
    assert searched["articles"][0]["article_id"] == ARTICLE
    assert leaks(answered["text"]) and answered["citations"][0]["article_id"] == ARTICLE
    assert leaks(scoped["text"]) and article["access"] == "subscriber" and "nineteen days" in article["text"]

    async def one_call(client: ClientSession) -> Any:
        return await client.call_tool("ask", {"question": QUESTION})

    forged = over_http(base, one_call, {HEADER: sign("another-site", int(time.time()) + 600)})
    assert (
        forged.is_error
        and "invalid or expired" in text_of(forged.content[0])
        and not leaks([text_of(c) for c in forged.content])
    )


def test_nlweb_ask_streams_each_mode_and_keeps_subscriber_text_to_subscribers(
    served: tuple[str, Path],
) -> None:
    base, _ = served

    def ask(headers: dict[str, str] | None = None, **params: Any) -> list[dict[str, Any]]:
        with httpx.stream("GET", f"{base}/ask", params=params, headers=headers, timeout=120) as reply:
            assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/event-stream")
            lines = [line for line in reply.iter_lines() if line.startswith("data: ")]
        return [json.loads(line.removeprefix("data: ")) for line in lines]

    generated = ask(query=WHO, mode="generate")
    assert [m["message_type"] for m in generated][-2:] == ["nlws", "complete"]
    assert "Medinsky" in generated[-2]["answer"] and generated[-2]["items"][0]["article_id"] == SEED_ID
    for mode in ("list", "summarize", "generate"):
        assert not leaks(ask(query=QUESTION, mode=mode)), mode
    summarized = ask(subscriber(), query=QUESTION, mode="summarize")
    assert any(leaks(m["message"]) for m in summarized if m["message_type"] == "summary")


def test_an_origin_not_allowed_is_refused_on_mcp_and_ask(served: tuple[str, Path]) -> None:
    base, _ = served
    evil = {"Origin": "https://evil.example", "Content-Type": "application/json"}
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    assert httpx.post(f"{base}/mcp/", json=ping, headers=evil, timeout=30).status_code == 403
    assert httpx.get(f"{base}/ask", params={"query": WHO}, headers=evil, timeout=30).status_code == 403


def test_stdio_serves_the_same_tools_to_a_local_assistant(served: tuple[str, Path]) -> None:
    _, data = served
    env = {**os.environ, "NEWSBOT_DATA_DIR": str(data), "NEWSBOT_SUBSCRIBER_SECRET": SECRET}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "bot.web.agents.mcp_server"], env=env, cwd=str(ROOT)
    )

    async def main() -> Any:
        with anyio.fail_after(240):  # it loads the model and the index first
            return await session()

    async def session() -> Any:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as client:
            await client.initialize()
            tools = await client.list_tools()
            answered = await client.call_tool("ask", {"question": WHO})
            hidden = await client.call_tool("ask", {"question": QUESTION})
            return sorted(t.name for t in tools.tools), answered.structured_content, hidden

    names, answer, hidden = anyio.run(main)
    assert names == ["ask", "get_article", "search_articles"] and "Medinsky" in answer["text"]
    assert not leaks(hidden.structured_content or [text_of(c) for c in hidden.content])  # stdio: anonymous


def test_each_client_has_its_limit_across_mcp_and_ask(served: tuple[str, Path]) -> None:
    """Last: it spends this client's limit for the minute."""
    base, _ = served

    async def until_limited(client: ClientSession) -> tuple[int, str]:
        for n in range(LIMIT + 1):
            result = await client.call_tool("search_articles", {"query": WHO})
            if result.is_error:
                return n, text_of(result.content[0])
        return LIMIT + 1, ""

    calls, message = over_http(base, until_limited)
    assert calls <= LIMIT and "Too many questions" in message
    limited = httpx.get(f"{base}/ask", params={"query": WHO, "streaming": "false"}, timeout=30)
    assert limited.status_code == 429 and "Retry-After" in limited.headers
