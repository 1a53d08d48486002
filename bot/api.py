"""The HTTP API (FastAPI): chat, streamed chat (SSE), articles, health, OpenAI-compatible chat.

Every error leaves as JSON ``{"error": {"type", "message"}}`` with its status code: the
``BotError`` family carries both, request validation is 400, oversized bodies 413.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.answerers.base import Delta
from bot.articles import ArticleDetail, ArticleSummary
from bot.errors import BotError, RateLimitError
from bot.openai_compat import ChunkWriter, CompletionRequest, completion, models, to_question
from bot.schemas import Answer, ChatTurn
from bot.service import ChatService
from bot.web_pages import add_widget_routes

log = logging.getLogger(__name__)

API_DESCRIPTION = """Questions about the indexed news articles, answered with numbered citations.

* `POST /api/chat` answers at once; `POST /api/chat/stream` streams Server-Sent Events
  (`delta` events with text, then one `answer` event with the complete, verified answer).
* `POST /v1/chat/completions` speaks OpenAI's chat API (streaming too); citations come in an
  extra `citations` field of the response and of the final stream chunk.
* Errors are JSON `{"error": {"type": ..., "message": ...}}`.
"""


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


class ChatResponse(Answer):
    session_id: str = Field(description="Send it back to continue the conversation.")


class ErrorBody(BaseModel):
    type: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in {
        400: "Bad input",
        403: "Browser request from a site not in the allowed origins",
        404: "Unknown article",
        413: "Question or body too large",
        429: "Too many requests (see Retry-After)",
        503: "Index unavailable",
    }.items()
}


def error_response(
    status: int, kind: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status, headers=headers)


def bot_error_response(err: BotError) -> JSONResponse:
    headers = {"Retry-After": str(err.retry_after_s)} if isinstance(err, RateLimitError) else None
    return error_response(err.http_status, err.kind, str(err), headers)


def sse(event: str, data: Any) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def create_api(service: ChatService) -> FastAPI:
    settings = service.settings
    app = FastAPI(title="Newsbot API", description=API_DESCRIPTION, version="1.0", redoc_url=None)
    _add_error_handlers(app)
    _add_chat_routes(app, service)
    _add_openai_routes(app, service)
    _add_info_routes(app, service)
    add_widget_routes(app, service)
    # Added last = runs first: CORS answers preflights and decorates every response (429s too,
    # so the widget can read Retry-After); foreign origins are refused before any work.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_kb * 1024)
    app.add_middleware(OriginGuard, allowed=set(settings.allowed_origins))
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        expose_headers=["Retry-After"],
        allow_credentials=False,  # the widget needs no cookies; none are ever accepted
        max_age=600,
    )
    return app


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(BotError)
    async def _bot_error(_: Request, err: BotError) -> JSONResponse:
        return bot_error_response(err)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, err: RequestValidationError) -> JSONResponse:
        first = err.errors()[0] if err.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid"))
        return error_response(400, "bad_request", message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, err: StarletteHTTPException) -> JSONResponse:
        kind = {404: "not_found", 405: "method_not_allowed"}.get(err.status_code, "http_error")
        return error_response(err.status_code, kind, str(err.detail))

    @app.exception_handler(Exception)
    async def _bug(_: Request, err: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=err)
        return error_response(500, "internal_error", "Something went wrong on the server.")


def _add_chat_routes(app: FastAPI, service: ChatService) -> None:
    @app.post("/api/chat", response_model=ChatResponse, responses=ERRORS, tags=["chat"])
    def chat(body: ChatRequest, request: Request) -> ChatResponse:
        """Answer one question (with the session's or the given history)."""
        service.limiter.check(client_key(request), body.session_id)
        article = service.scope(body.article_id, body.article_url)
        session_id, answer = service.ask(
            body.message, body.session_id, body.history, article.article_id if article else None
        )
        return ChatResponse(**answer.model_dump(), session_id=session_id)

    @app.post(
        "/api/chat/stream",
        responses={200: {"content": {"text/event-stream": {}}}, **ERRORS},
        response_class=StreamingResponse,
        tags=["chat"],
    )
    def chat_stream(body: ChatRequest, request: Request) -> StreamingResponse:
        """Server-Sent Events: `session` {session_id, article}, `delta` {text}..., then `answer`
        (a ChatResponse) or `error`.

        The `answer` event's text is authoritative: with an LLM answerer, verification may
        change what was streamed. `article` is the article the search was restricted to, or null.
        """
        service.limiter.check(client_key(request), body.session_id)
        article = service.scope(body.article_id, body.article_url)
        session_id, events = service.start(
            body.message, body.session_id, body.history, article.article_id if article else None
        )
        scope = article.model_dump(include={"article_id", "title"}) if article else None
        return _event_stream(_sse_events(events, session_id, scope))


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
    except BotError as err:
        yield sse("error", {"error": {"type": err.kind, "message": str(err)}})
    except Exception:
        log.exception("answer stream failed")
        yield sse("error", {"error": {"type": "internal_error", "message": "Something went wrong."}})


def _event_stream(lines: Iterator[str]) -> StreamingResponse:
    # no-cache and no proxy buffering: each event reaches the reader as it is produced.
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(lines, media_type="text/event-stream", headers=headers)


def _add_openai_routes(app: FastAPI, service: ChatService) -> None:
    @app.get("/v1/models", tags=["openai"])
    def list_models() -> dict[str, Any]:
        """The bot is one model, `newsbot`."""
        return models()

    @app.post("/v1/chat/completions", responses=ERRORS, tags=["openai"], response_model=None)
    def chat_completions(body: CompletionRequest, request: Request) -> dict[str, Any] | StreamingResponse:
        """OpenAI chat completions: the conversation comes from `messages`; `citations` rides along."""
        service.limiter.check(client_key(request))
        question, history = to_question(body.messages)
        _, events = service.start(question, history=history, remember=False)
        if not body.stream:
            answer = next(e for e in events if isinstance(e, Answer))
            return completion(answer, "")
        live = service.require_bot().answerer.deltas_are_final
        return _event_stream(_openai_chunks(events, live))


def _openai_chunks(events: Iterator[Delta | Answer], live: bool) -> Iterator[str]:
    """Chunks as OpenAI sends them; deltas held back when the final text may differ."""
    writer = ChunkWriter()
    yield f"data: {json.dumps(writer.role())}\n\n"
    try:
        for event in events:
            if isinstance(event, Answer):
                if not live:
                    yield f"data: {json.dumps(writer.delta(event.text), ensure_ascii=False)}\n\n"
                yield f"data: {json.dumps(writer.final(event, ''), ensure_ascii=False)}\n\n"
            elif live:
                yield f"data: {json.dumps(writer.delta(event.text), ensure_ascii=False)}\n\n"
    except BotError as err:
        yield f"data: {json.dumps({'error': {'type': err.kind, 'message': str(err)}})}\n\n"
    except Exception:
        log.exception("completion stream failed")
        failure = {"error": {"type": "internal_error", "message": "Something went wrong."}}
        yield f"data: {json.dumps(failure)}\n\n"
    yield "data: [DONE]\n\n"


def _add_info_routes(app: FastAPI, service: ChatService) -> None:
    @app.get("/api/articles", response_model=list[ArticleSummary], responses=ERRORS, tags=["articles"])
    def articles() -> list[ArticleSummary]:
        """Every indexed article, newest first."""
        return service.require_library().list()

    @app.get(
        "/api/articles/{article_id:path}", response_model=ArticleDetail, responses=ERRORS, tags=["articles"]
    )
    def article(article_id: str) -> ArticleDetail:
        """One article with its text (citation offsets index into `text`)."""
        return service.require_library().get(article_id)

    @app.get("/healthz", tags=["health"])
    def healthz() -> JSONResponse:
        """Index size, models, answerer and store mode; 503 while the index is unavailable."""
        health = service.health()
        return JSONResponse(health.as_dict(), status_code=200 if health.ready else 503)


class OriginGuard:
    """ASGI middleware: a browser request from a foreign origin gets 403 before any work.

    Browsers send ``Origin`` on cross-site requests; the app's own pages (same origin) and
    non-browser clients (no ``Origin``) pass. CORS alone would still let the request run.
    """

    def __init__(self, app: ASGIApp, allowed: set[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._ok(scope):
            response = error_response(403, "forbidden_origin", "This site may not use the news assistant.")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _ok(self, scope: Scope) -> bool:
        headers: dict[bytes, bytes] = dict(scope["headers"])
        origin = headers.get(b"origin", b"").decode("latin-1")
        if not origin or origin in self.allowed:
            return True
        # Same host = the app's own pages; the scheme is left out because a TLS proxy in front
        # changes it, and a page cannot forge the Host its browser sends.
        return origin.split("://", 1)[-1] == headers.get(b"host", b"").decode("latin-1")


class BodyLimit:
    """ASGI middleware: request bodies over ``max_bytes`` get 413 before any handler reads them."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        # Chunked bodies declare no length: read (at most the cap) first, then replay.
        messages: list[Message] = []
        size = 0
        more = scope.get("method") in ("POST", "PUT", "PATCH")
        while more:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._reject(scope, receive, send)
                return
            more = message.get("more_body", False)

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit_kb = self.max_bytes // 1024
        response = error_response(413, "too_large", f"The request body is over the {limit_kb} KB limit.")
        await response(scope, receive, send)
