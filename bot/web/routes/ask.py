"""``GET|POST /ask``: NLWeb's ask endpoint over the archive, for AI assistants and NLWeb clients.

Parameters (NLWeb's): ``query`` (required); ``prev``, the earlier queries of the conversation
(comma separated, or a list in a JSON body); ``mode``: ``list`` (default: the matching
articles), ``summarize`` (the list, and a summary quoting its first articles) or ``generate``
(an answer with citations, as the chat gives); ``streaming`` (default true: Server-Sent Events
of JSON messages; ``false`` or ``0``: one JSON object); ``query_id`` (echoed, made when
absent); ``site`` is accepted and ignored (one archive per server). Ours: ``article_id``
(``generate`` within one article), ``limit`` (articles listed, default 10).

Stream messages, each ``data: {"message_type": ..., "query_id": ...}``: ``result_batch``
(``results``), ``summary`` (``message``, ``citations``), ``answer_delta`` (``text``), ``nlws``
(``answer``, ``items``: the cited articles, ``citations``, ``answer_id``), ``no_results``
(``message``: nothing matches, or the articles do not say), ``error``, then ``complete``.
Results are schema.org ``NewsArticle`` items. Limits, origins and access levels are the
widget's: a valid ``X-Newsbot-Subscriber`` token opens subscriber-only articles.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.articles import ArticleSummary
from bot.drafting.draft import Delta
from bot.schemas import Answer, ChatTurn, Citation
from bot.search import MAX_RESULTS, ArticleMatch, summary_of
from bot.web.agents.service import AgentService, Caller
from bot.web.errors import ERRORS, STREAM_FAILURE, ForbiddenOriginError, body_for, error_body, invalid_input
from bot.web.sse import data_line, event_stream
from index.errors import InputError, NewsbotError
from index.loaders import PUBLIC

log = logging.getLogger(__name__)

NO_MATCH = "No article in this archive matches the query."
MAX_PREV = 20  # earlier queries kept: the conversation's context, not its transcript
PREV_QUERY_CHARS = 2000  # one earlier query: as long as a question may be by default


class Mode(StrEnum):
    LIST = "list"
    SUMMARIZE = "summarize"
    GENERATE = "generate"


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, description="The question or search, in words.")
    prev: list[Annotated[str, Field(max_length=PREV_QUERY_CHARS)]] = Field(
        default_factory=list, description="Earlier queries of this conversation, oldest first."
    )
    mode: Mode = Field(Mode.LIST, description="list, summarize or generate.")
    streaming: bool = Field(True, description="Server-Sent Events (default) or one JSON object.")
    query_id: str | None = Field(
        None, max_length=100, description="Echoed in every message; made when absent."
    )
    site: str | None = Field(None, max_length=200, description="Accepted for NLWeb clients; ignored.")
    article_id: str | None = Field(None, max_length=300, description="generate: only this article.")
    limit: int = Field(10, ge=1, le=MAX_RESULTS, description="list, summarize: at most this many articles.")

    @field_validator("prev", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        """NLWeb sends ``prev`` comma separated; a JSON body may send a list."""
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if isinstance(value, list) and len(value) > MAX_PREV:
            value = value[-MAX_PREV:]
        return value


class Item(BaseModel):
    """One article, as NLWeb lists results."""

    url: str
    name: str
    site: str = Field(description="The outlet.")
    score: float
    description: str = Field(description="A sentence of the article, verbatim.")
    article_id: str
    schema_object: dict[str, Any] = Field(description="The article as a schema.org NewsArticle.")


class AskResponse(BaseModel):
    """``streaming=false``: the stream's messages as one object."""

    query_id: str
    mode: Mode
    message_type: str = Field(description="result, or no_results.")
    message: str | None = Field(None, description="no_results: why.")
    results: list[Item] = Field(
        default_factory=list, description="list, summarize: matches; generate: cited."
    )
    summary: str | None = None
    answer: str | None = None
    answer_id: str | None = None
    citations: list[Citation] = Field(default_factory=list)


def ask_router(agents: AgentService) -> APIRouter:
    service = agents.service
    router = APIRouter(tags=["agents"], responses=ERRORS)

    async def respond(body: AskRequest, request: Request) -> AskResponse | StreamingResponse:
        caller = Caller.of(request, service.settings.subscriber_secret)  # a bad token: 401
        body = body if body.query_id else body.model_copy(update={"query_id": uuid.uuid4().hex})
        messages = await service.threads.run(lambda: _messages(agents, caller, body))  # checks first
        if body.streaming:
            return event_stream(service.threads.iterate(_stream(messages, body)))
        return await service.threads.run(lambda: _collect(messages, body))

    @router.get(
        "/ask",
        response_model=AskResponse,
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def ask_get(
        request: Request,
        query: str = Query(min_length=1),
        prev: str = Query(
            "", max_length=PREV_QUERY_CHARS * 4, description="Earlier queries, comma separated."
        ),
        mode: Mode = Mode.LIST,
        streaming: bool = True,
        query_id: str | None = Query(None, max_length=100),
        site: str | None = Query(None, max_length=200),
        article_id: str | None = Query(None, max_length=300),
        limit: int = Query(10, ge=1, le=MAX_RESULTS),
    ) -> AskResponse | StreamingResponse:
        """NLWeb's ask: `list`, `summarize` or `generate` (see the module's documentation)."""
        if _blind_cross_site(request):
            raise ForbiddenOriginError("Another site's page may not ask this server.")
        fields = {"query": query, "prev": prev, "mode": mode, "streaming": streaming, "query_id": query_id,
                  "site": site, "article_id": article_id, "limit": limit}  # fmt: skip
        try:
            body = AskRequest.model_validate(fields)
        except ValidationError as err:  # the query's checks passed: prev's items can fail
            raise InputError(invalid_input(err.errors())) from None
        return await respond(body, request)

    @router.post(
        "/ask",
        response_model=AskResponse,
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def ask_post(body: AskRequest, request: Request) -> AskResponse | StreamingResponse:
        """The same with a JSON body."""
        return await respond(body, request)

    return router


def _blind_cross_site(request: Request) -> bool:
    """A browser's request from another site made without CORS (an image, a link, a no-cors
    fetch): it sends no Origin, so ``OriginGuard`` lets it pass, and a GET that answers would
    spend the visitor's limit and be recorded. Non-browser clients send no Sec-Fetch-Site."""
    return request.headers.get("sec-fetch-site") == "cross-site" and "origin" not in request.headers


def _messages(agents: AgentService, caller: Caller, body: AskRequest) -> Iterator[dict[str, Any]]:
    """The limit, the article and the input checked now (an HTTP error, not a broken stream);
    the answer itself produced lazily."""
    if body.mode is Mode.GENERATE:
        history = [ChatTurn(question=q, answer="") for q in body.prev]
        return _generated(agents.start(caller, body.query, body.article_id, history))
    return _listed(agents.search(caller, body.query, limit=body.limit), body.mode)


def _listed(matches: list[ArticleMatch], mode: Mode) -> Iterator[dict[str, Any]]:
    if not matches:
        yield {"message_type": "no_results", "message": NO_MATCH}
        return
    yield {"message_type": "result_batch", "results": [_item(m, m.score, m.citation.quote) for m in matches]}
    if mode is Mode.SUMMARIZE:
        text, citations = summary_of(matches)
        yield {"message_type": "summary", "message": text, "citations": _dumped(citations)}


def _generated(events: Iterator[Delta | Answer]) -> Iterator[dict[str, Any]]:
    for event in events:
        if not isinstance(event, Answer):
            yield {"message_type": "answer_delta", "text": event.text}
        elif event.refused:
            yield {"message_type": "no_results", "message": event.text, "answer_id": event.answer_id}
        else:
            yield {
                "message_type": "nlws",
                "answer": event.text,
                "items": [_item(c, 1.0, c.quote) for c in _first_per_article(event.citations)],
                "citations": _dumped(event.citations),
                "answer_id": event.answer_id,
            }


def _stream(messages: Iterator[dict[str, Any]], body: AskRequest) -> Iterator[str]:
    tag = {"query_id": body.query_id}
    try:
        for message in messages:
            yield data_line({**message, **tag})
    except NewsbotError as err:
        yield data_line({"message_type": "error", **body_for(err), **tag})
    except Exception:
        log.exception("ask stream failed")
        yield data_line({"message_type": "error", **error_body("internal_error", STREAM_FAILURE), **tag})
    yield data_line({"message_type": "complete", **tag})


def _collect(messages: Iterator[dict[str, Any]], body: AskRequest) -> AskResponse:
    assert body.query_id is not None
    response = AskResponse(query_id=body.query_id, mode=body.mode, message_type="result")
    for message in messages:
        kind = message["message_type"]
        if kind == "no_results":
            response.message_type, response.message = "no_results", message["message"]
            response.answer_id = message.get("answer_id")
        elif kind == "result_batch":
            response.results = [Item(**item) for item in message["results"]]
        elif kind == "summary":
            response.summary = message["message"]
            response.citations = [Citation(**c) for c in message["citations"]]
        elif kind == "nlws":
            response.answer, response.answer_id = message["answer"], message["answer_id"]
            response.results = [Item(**item) for item in message["items"]]
            response.citations = [Citation(**c) for c in message["citations"]]
    return response


def _item(article: ArticleSummary | Citation, score: float, description: str) -> dict[str, Any]:
    return Item(
        url=article.url,
        name=article.title,
        site=article.source,
        score=score,
        description=description,
        article_id=article.article_id,
        schema_object=_news_article(article),
    ).model_dump()


def _news_article(article: ArticleSummary | Citation) -> dict[str, Any]:
    found: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "identifier": article.article_id,
        "headline": article.title,
        "url": article.url or None,
        "datePublished": article.published_at or None,
        "dateModified": article.updated_at or None,
        "author": [{"@type": "Person", "name": article.author}] if article.author else None,
        "publisher": {"@type": "Organization", "name": article.source} if article.source else None,
        "isAccessibleForFree": article.access == PUBLIC,
    }
    return {key: value for key, value in found.items() if value is not None}


def _first_per_article(citations: list[Citation]) -> list[Citation]:
    seen: dict[str, Citation] = {}
    for citation in citations:
        seen.setdefault(citation.article_id, citation)
    return list(seen.values())


def _dumped(citations: list[Citation]) -> list[dict[str, Any]]:
    return [c.model_dump() for c in citations]
