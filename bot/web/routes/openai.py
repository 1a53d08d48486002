"""OpenAI-compatible chat: ``GET /v1/models`` and ``POST /v1/chat/completions`` (streaming too)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from bot.drafting.draft import Delta
from bot.question import Question
from bot.schemas import Answer
from bot.web.errors import ERRORS, STREAM_FAILURE, body_for, error_body
from bot.web.openai_compat import ChunkWriter, CompletionRequest, completion, models, to_question
from bot.web.ratelimit import client_key
from bot.web.service import ChatService
from bot.web.sse import data_line, event_stream
from bot.web.subscribers import is_subscriber
from index.errors import NewsbotError

log = logging.getLogger(__name__)


def rate_limited(service: ChatService) -> Callable[[Request, CompletionRequest], Awaitable[None]]:
    """Per client address only (stateless: the conversation comes in `messages`), on the
    validated body; `/v1/models` is not limited."""

    async def check(request: Request, body: CompletionRequest) -> None:
        client = client_key(request.client)
        await service.threads.run(lambda: service.limiter.check(client))

    return check


def openai_router(service: ChatService) -> APIRouter:
    limit = Depends(rate_limited(service))
    router = APIRouter(tags=["openai"])

    @router.get("/v1/models")
    def list_models() -> dict[str, Any]:
        """The bot is one model, `newsbot`."""
        return models()

    @router.post("/v1/chat/completions", response_model=None, responses=ERRORS, dependencies=[limit])
    async def chat_completions(
        body: CompletionRequest, request: Request
    ) -> dict[str, Any] | StreamingResponse:
        """OpenAI chat completions: the conversation comes from `messages`; `citations` rides along."""
        text, history = to_question(body.messages)
        subscriber = is_subscriber(request, service.settings.subscriber_secret)
        question = Question(text, tuple(history), subscriber=subscriber)
        _, events = service.start(question, remember=False)  # checks only
        if not body.stream:
            answer = await service.threads.run(lambda: next(e for e in events if isinstance(e, Answer)))
            return completion(answer, "")
        live = service.require_bot().answerer.deltas_are_final
        return event_stream(service.threads.iterate(_openai_chunks(events, live)))

    return router


def _openai_chunks(events: Iterator[Delta | Answer], live: bool) -> Iterator[str]:
    """Chunks as OpenAI sends them; deltas held back when the final text may differ."""
    writer = ChunkWriter()
    yield data_line(writer.role())
    try:
        for event in events:
            if isinstance(event, Answer):
                if not live:
                    yield data_line(writer.delta(event.text))
                yield data_line(writer.final(event, ""))
            elif live:
                yield data_line(writer.delta(event.text))
    except NewsbotError as err:
        yield data_line(body_for(err))
    except Exception:
        log.exception("completion stream failed")
        yield data_line(error_body("internal_error", STREAM_FAILURE))
    yield "data: [DONE]\n\n"
