"""Server-Sent Events: one line format and one response type for every stream."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi.responses import StreamingResponse


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def data_line(data: Any) -> str:
    """An unnamed event, as OpenAI streams send them."""
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"


def event_stream(lines: Iterator[str] | AsyncIterator[str]) -> StreamingResponse:
    # no-cache and no proxy buffering: each event reaches the reader as it is produced.
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(lines, media_type="text/event-stream", headers=headers)
