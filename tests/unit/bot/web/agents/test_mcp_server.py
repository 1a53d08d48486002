"""The MCP server's tools and resources, called by the official client in-process (no HTTP:
the caller is given). Over HTTP with headers, limits and access levels: tests/e2e/bot/web/test_agents.py."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, MCPError

from bot.records.tables import questions
from bot.web.agents.mcp_server import build_mcp
from bot.web.agents.service import LOCAL, AgentService, Caller
from bot.web.service import ChatService
from tests.unit.bot.web.clients import (
    ASK,
    SEED_ID,
    WHO,
    client_for,
    error_of,
    mcp_text,
    recorded_rows,
    service_with,
)


def with_client(
    service: ChatService, test: Callable[[Client], Awaitable[Any]], caller: Caller = LOCAL
) -> Any:
    server = build_mcp(AgentService(service), service.threads, lambda _request: caller)

    async def main() -> Any:
        async with Client(server) as client:
            return await test(client)

    return anyio.run(main)


def test_the_three_tools_tell_an_agent_to_quote_and_cite(seed_service: ChatService) -> None:
    async def listed(client: Client) -> Any:
        return (await client.list_tools()).tools

    tools = {tool.name: tool for tool in with_client(seed_service, listed)}
    assert set(tools) == {"search_articles", "ask", "get_article"}
    assert "cite" in (tools["ask"].description or "").lower() and "verbatim" in (
        tools["ask"].description or ""
    )
    limit = tools["search_articles"].input_schema["properties"]["limit"]
    assert (limit["minimum"], limit["maximum"]) == (1, 50)
    assert tools["ask"].input_schema["required"] == ["question"]


def test_search_ask_and_get_article_return_the_apis_shapes(seed_service: ChatService) -> None:
    async def calls(client: Client) -> Any:
        found = await client.call_tool("search_articles", {"query": WHO})
        answered = await client.call_tool("ask", {"question": ASK})
        article = await client.call_tool("get_article", {"article_id": SEED_ID})
        return found, answered, article

    found, answered, article = with_client(seed_service, calls)
    assert not (found.is_error or answered.is_error or article.is_error)
    (match,) = found.structured_content["articles"]
    text = seed_service.require_library().get(SEED_ID).text
    assert (
        match["article_id"] == SEED_ID
        and text[match["citation"]["start"] : match["citation"]["end"]] == match["citation"]["quote"]
    )
    answer = answered.structured_content
    assert answer["citations"] and not answer["refused"] and "[1]" in answer["text"]
    assert all(text[c["start"] : c["end"]] == c["quote"] for c in answer["citations"])
    assert (
        json.loads(mcp_text(answered.content[0])) == answer
    )  # the same as text, for clients without structure
    assert article.structured_content["text"] == text and article.structured_content["suggested_questions"]


def test_a_follow_up_sends_its_history(seed_service: ChatService, tmp_path: Path) -> None:
    service = service_with(seed_service, record=True, data_dir=tmp_path)

    async def follow_up(client: Client) -> Any:
        history = [{"question": ASK, "answer": "Thirty-five people [1]."}]
        return await client.call_tool("ask", {"question": "And how many were injured?", "history": history})

    assert not with_client(service, follow_up).is_error
    (row,) = recorded_rows(service, questions)
    assert row["channel"] == "agent" and row["history"] == [[ASK, "Thirty-five people [1]."]]


@pytest.mark.parametrize(
    ("tool", "arguments", "says"),
    [
        ("get_article", {"article_id": "no-such-article"}, "No article with id"),
        ("ask", {"question": ASK, "article_id": "no-such-article"}, "No article with id"),
        ("search_articles", {"query": "<b></b>"}, "Please type a question"),
        ("search_articles", {"query": WHO, "limit": 500}, "limit"),
        ("ask", {}, "question"),
    ],
)
def test_bad_calls_are_tool_errors_that_say_why(
    seed_service: ChatService, tool: str, arguments: dict[str, Any], says: str
) -> None:
    async def call(client: Client) -> Any:
        return await client.call_tool(tool, arguments)

    result = with_client(seed_service, call)
    assert result.is_error and says in mcp_text(result.content[0])


def test_each_call_counts_against_the_clients_limit(seed_service: ChatService) -> None:
    service = service_with(seed_service, rate_limit_client="2/minute")

    async def three(client: Client) -> Any:
        return [await client.call_tool("search_articles", {"query": WHO}) for _ in range(3)]

    results = with_client(service, three, caller=Caller("203.0.113.9"))
    assert [r.is_error for r in results] == [False, False, True]
    assert "Too many questions" in mcp_text(results[2].content[0])
    # stdio (no client address): its user runs it, nothing to limit
    assert not any(r.is_error for r in with_client(service, three, caller=LOCAL))


def test_the_resources_list_and_show_public_articles(seed_service: ChatService) -> None:
    async def read(client: Client) -> Any:
        listed = await client.read_resource("newsbot://articles")
        one = await client.read_resource(f"newsbot://articles/{SEED_ID}")
        with pytest.raises(MCPError, match="No article with id"):
            await client.read_resource("newsbot://articles/no-such-article")
        return listed, one

    listed, one = with_client(seed_service, read)
    assert [a["article_id"] for a in json.loads(mcp_text(listed.contents[0]))] == [SEED_ID]
    assert json.loads(mcp_text(one.contents[0]))["text"] == seed_service.require_library().get(SEED_ID).text


ACCEPT = {"Accept": "application/json, text/event-stream"}


@pytest.mark.parametrize(
    ("method", "headers"),
    [("GET", {"Accept": "text/event-stream"}), ("GET", {"Last-Event-ID": "x"}), ("DELETE", {}), ("PUT", {})],
)
def test_only_posts_reach_the_endpoint(
    seed_service: ChatService, method: str, headers: dict[str, str]
) -> None:
    """Stateless, the SDK would hold a GET open for ever (or fail it with Last-Event-ID)."""
    with client_for(seed_service) as client:
        reply = client.request(method, "/mcp/", headers=headers)
    assert reply.status_code == 405 and reply.headers["Allow"] == "POST"
    assert error_of(reply)["type"] == "method_not_allowed"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", -32700),
        ('[{"jsonrpc": "2.0", "id": 1, "method": "ping"}]', -32600),  # a batch
        ('{"id": 1, "method": "ping"}', -32600),
        ('{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": ["ask"]}', -32600),
    ],
)
def test_a_body_that_is_not_one_message_gets_a_short_json_rpc_error(
    seed_service: ChatService, body: str, code: int
) -> None:
    with client_for(seed_service) as client:
        reply = client.post("/mcp/", content=body, headers={**ACCEPT, "Content-Type": "application/json"})
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["code"] == code and "pydantic" not in reply.text and "\n" not in error["message"]


def test_other_content_types_and_the_slashless_path(seed_service: ChatService) -> None:
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    with client_for(seed_service) as client:
        plain = client.post(
            "/mcp/", content=json.dumps(ping), headers={**ACCEPT, "Content-Type": "text/plain"}
        )
        assert plain.status_code == 415 and error_of(plain)["type"] == "unsupported_media_type"
        moved = client.post("/mcp", json=ping, headers=ACCEPT, follow_redirects=False)
        assert moved.status_code == 307 and moved.headers["location"] == "/mcp/"
        assert client.post("/mcp", json=ping, headers=ACCEPT).json()["result"] == {}


def test_bad_arguments_are_said_in_one_line(seed_service: ChatService) -> None:
    async def call(client: Client) -> Any:
        return await client.call_tool("get_article", {"article_id": 5})

    result = with_client(seed_service, call)
    assert result.is_error
    assert (
        mcp_text(result.content[0])
        == "Bad arguments for get_article: article_id: Input should be a valid string"
    )
