"""The bot as an OpenAI-compatible chat model: request/response shapes and their translation.

Any OpenAI client or chat front-end can talk to ``/v1/chat/completions``: the last user
message is the question, earlier user/assistant pairs are the history, system messages are
ignored (the bot's own rules apply; a client cannot re-prompt it). The answer text keeps its
``[n]`` markers; the citations (and the ``answer_id`` to rate it with) travel in extra fields
of the response and of the final stream chunk. No web framework here:
:mod:`bot.web.routes.openai` wires these into routes.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from bot.schemas import Answer, ChatTurn
from index.errors import InputError

MODEL_ID = "newsbot"


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: str
    text: str = ""


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content if part.type == "text")
        return self.content or ""


class CompletionRequest(BaseModel):
    """The fields we use; other OpenAI parameters (temperature, ...) are accepted and ignored."""

    model_config = ConfigDict(extra="ignore")
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1, max_length=200)
    stream: StrictBool = False  # "yes" or 1 is a 400, not a stream nobody asked for
    user: str | None = None


def to_question(messages: list[ChatMessage]) -> tuple[str, list[ChatTurn]]:
    """The last user message and the (user, assistant) pairs before it."""
    talk = [m for m in messages if m.role in ("user", "assistant")]
    if not talk or talk[-1].role != "user":
        raise InputError("The last message must come from the user.")
    history: list[ChatTurn] = []
    pending: str | None = None
    for message in talk[:-1]:
        if message.role == "user":
            pending = message.text()
        elif pending is not None:
            history.append(ChatTurn(question=pending, answer=message.text()))
            pending = None
    return talk[-1].text(), history


def _citations(answer: Answer) -> list[dict[str, Any]]:
    return [c.model_dump() for c in answer.citations]


def completion(answer: Answer, session_id: str) -> dict[str, Any]:
    """A ``chat.completion`` object carrying the answer and its citations."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": answer.text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "citations": _citations(answer),
        "refused": answer.refused,
        "session_id": session_id,
        "answer_id": answer.answer_id,  # to rate it: POST /api/feedback
    }


class ChunkWriter:
    """``chat.completion.chunk`` objects of one streamed completion (one id throughout)."""

    def __init__(self) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())

    def _chunk(self, delta: dict[str, str], finish: str | None, **extra: Any) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": MODEL_ID,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
            **extra,
        }

    def role(self) -> dict[str, Any]:
        return self._chunk({"role": "assistant", "content": ""}, None)

    def delta(self, text: str) -> dict[str, Any]:
        return self._chunk({"content": text}, None)

    def final(self, answer: Answer, session_id: str) -> dict[str, Any]:
        return self._chunk(
            {},
            "stop",
            citations=_citations(answer),
            refused=answer.refused,
            session_id=session_id,
            answer_id=answer.answer_id,
        )


def models() -> dict[str, Any]:
    return {
        "object": "list",
        "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "newsbot"}],
    }
