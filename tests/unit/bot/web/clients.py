"""Helpers of the web-layer unit tests: services on the fake seed bot, error and stream parsing."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from mcp.types import TextContent, TextResourceContents
from sqlalchemy import select

from bot.web.api import create_api
from bot.web.service import ChatService
from tests.corpus import SEED

SEED_ID = SEED.stem
# The app answers, by default, only for loopback names (NEWSBOT_ALLOWED_HOSTS): TestClient's
# own "testserver" is not one.
BASE_URL = "http://127.0.0.1"
WHO = "Who leads Russia's delegation?"
# A question the seed bot answers on the fake encoder too (it shares enough words with its
# sentence), for the tests that need an answer with citations, whatever it says.
ASK = "How many people did the missile strike in Sumy kill?"


def service_with(seed_service: ChatService, **settings: Any) -> ChatService:
    """A fresh service (own sessions and rate limits) on the seed bot, with settings changed."""
    changed = seed_service.settings.model_copy(update=settings)
    return ChatService(changed, seed_service.chatbot, seed_service.store)


def recorded_rows(service: ChatService, table: Any) -> list[Any]:
    """The rows of a records table once the service's recorder has written its queue."""
    assert service.recorder.flush()
    engine = service.recorder.engine
    assert engine is not None
    with engine.connect() as connection:
        return list(connection.execute(select(table)).mappings())


def client_for(service: ChatService) -> TestClient:
    return TestClient(create_api(service), base_url=BASE_URL)


def error_of(response: Any) -> dict[str, Any]:
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


def mcp_text(content: object) -> str:
    """The text of an MCP tool result's or resource's first content item."""
    assert isinstance(content, TextContent | TextResourceContents), content
    return content.text
