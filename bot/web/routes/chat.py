"""``POST /api/chat`` (one answer) and ``POST /api/chat/stream`` (Server-Sent Events)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from bot.articles import ArticleSummary
from bot.drafting.draft import Delta
from bot.question import Question
from bot.reading.across import read_elsewhere
from bot.schemas import Answer, ChatTurn
from bot.web.errors import ERRORS, STREAM_FAILURE, body_for, error_body
from bot.web.ratelimit import client_key
from bot.web.service import ChatService
from bot.web.sessions import check_session_id, owner_of
from bot.web.sse import event_stream, sse
from bot.web.subscribers import is_subscriber
from index.errors import NewsbotError, NotFoundError

log = logging.getLogger(__name__)


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(description="The question.")
    session_id: str | None = Field(None, description="Continue this conversation (from an earlier reply).")
    history: list[ChatTurn] | None = Field(
        None, max_length=50, description="Earlier turns; replaces the session's own history."
    )
    article_id: str | None = Field(None, max_length=300, description="Only search this article.")
    article_url: str | None = Field(
        None, max_length=2000, description="Or: only search the article published at this URL (if indexed)."
    )
    page_article_id: str | None = Field(
        None,
        max_length=300,
        description="The article the reader is on while every article is searched (the widget with "
        "'Only this article' off): what 'this' means in 'did anyone else report this?'.",
    )
    page_article_url: str | None = Field(
        None, max_length=2000, description="Or: the page's URL (if indexed)."
    )


class ChatResponse(Answer):
    session_id: str = Field(description="Send it back to continue the conversation.")


def rate_limited(service: ChatService) -> Callable[[Request, ChatRequest], Awaitable[None]]:
    """The router's limit: per client address and per conversation, on the validated body
    (on the answering threads: with Redis it is a network call)."""

    async def check(request: Request, body: ChatRequest) -> None:
        check_session_id(body.session_id)  # a bad id is a 400, never a key the limiter records
        client = client_key(request.client)
        await service.threads.run(lambda: service.limiter.check(client, body.session_id))

    return check


def chat_router(service: ChatService) -> APIRouter:
    limit = Depends(rate_limited(service))
    router = APIRouter(tags=["chat"], responses=ERRORS, dependencies=[limit])

    def answer(body: ChatRequest, owner: str, subscriber: bool) -> ChatResponse:
        article = service.scope(body.article_id, body.article_url, subscriber)
        question = _question(body, article, _page(body, article, subscriber), subscriber)
        session_id, answer = service.ask(question, body.session_id, owner=owner)
        return ChatResponse(**answer.model_dump(), session_id=session_id)

    def start(body: ChatRequest, owner: str, subscriber: bool) -> Iterator[str]:
        article = service.scope(body.article_id, body.article_url, subscriber)
        question = _question(body, article, _page(body, article, subscriber), subscriber)
        session_id, events = service.start(question, body.session_id, owner=owner)
        scope = article.model_dump(include={"article_id", "title"}) if article else None
        return _sse_events(events, session_id, scope)

    def _page(body: ChatRequest, article: ArticleSummary | None, subscriber: bool) -> str | None:
        """The page's article, when the search is not restricted to an article: context only,
        so a page that is not indexed (or not readable by this reader) is no error."""
        if article is not None or not (body.page_article_id or body.page_article_url):
            return None
        if read_elsewhere(body.message) is None:
            return None  # only a question about the page's story needs it: no lookup per message
        try:
            page = service.scope(body.page_article_id, body.page_article_url, subscriber)
        except NotFoundError:
            return None
        return page.article_id if page else None

    @router.post("/api/chat", response_model=ChatResponse)
    async def chat(body: ChatRequest, request: Request) -> ChatResponse:
        """Answer one question (with the session's or the given history)."""
        subscriber = is_subscriber(request, service.settings.subscriber_secret)
        owner = _owner(request, subscriber)
        return await service.threads.run(lambda: answer(body, owner, subscriber))

    @router.post(
        "/api/chat/stream",
        responses={200: {"content": {"text/event-stream": {}}}},
        response_class=StreamingResponse,
    )
    async def chat_stream(body: ChatRequest, request: Request) -> StreamingResponse:
        """Server-Sent Events: `session` {session_id, article}, `delta` {text}..., then `answer`
        (a ChatResponse) or `error`.

        The `answer` event's text is authoritative: with an LLM answerer, verification may
        change what was streamed. `article` is the article the search was restricted to, or null.
        """
        subscriber = is_subscriber(request, service.settings.subscriber_secret)
        owner = _owner(request, subscriber)
        lines = await service.threads.run(lambda: start(body, owner, subscriber))
        return event_stream(service.threads.iterate(lines))

    return router


def _owner(request: Request, subscriber: bool) -> str:
    """Whom a session belongs to: the client, and whether it asked as a subscriber (a
    subscriber's conversation, with subscriber-only answers in it, is not continued by an
    anonymous request from the same address)."""
    client = client_key(request.client)
    return owner_of(f"{client}#subscriber" if subscriber else client)


def _question(
    body: ChatRequest, article: ArticleSummary | None, page: str | None, subscriber: bool
) -> Question:
    """The request as a ``Question``; no ``history`` field means the session's own."""
    history = tuple(body.history) if body.history is not None else None
    scope = article.article_id if article else None
    return Question(body.message, history, scope, subscriber=subscriber, page=page)


def _sse_events(
    events: Iterator[Delta | Answer], session_id: str, article: dict[str, Any] | None
) -> Iterator[str]:
    yield sse("session", {"session_id": session_id, "article": article})
    try:
        for event in events:
            if isinstance(event, Answer):
                yield sse("answer", {**event.model_dump(), "session_id": session_id})
            else:
                yield sse("delta", {"text": event.text})
    except NewsbotError as err:
        yield sse("error", body_for(err))
    except Exception:
        log.exception("answer stream failed")
        yield sse("error", error_body("internal_error", STREAM_FAILURE))
