"""Server-Sent Events: the line format of named and unnamed events, and the stream's headers."""

from __future__ import annotations

import asyncio
import json

from bot.web.sse import data_line, event_stream, sse


def test_named_event_is_one_json_line_ending_in_a_blank_line() -> None:
    text = sse("delta", {"text": "Ünïcödé\nline"})
    assert text == 'event: delta\ndata: {"text": "Ünïcödé\\nline"}\n\n'
    assert json.loads(text.splitlines()[1].removeprefix("data: ")) == {"text": "Ünïcödé\nline"}


def test_unnamed_event_as_openai_sends_them() -> None:
    assert data_line({"a": 1}) == 'data: {"a": 1}\n\n'


def test_stream_is_not_cached_or_buffered() -> None:
    response = event_stream(iter(["a", "b"]))
    assert response.media_type == "text/event-stream"
    assert response.headers["cache-control"] == "no-cache" and response.headers["x-accel-buffering"] == "no"

    async def body() -> list[str]:
        return [str(chunk) for chunk in [c async for c in response.body_iterator]]

    assert asyncio.run(body()) == ["a", "b"]
