"""ASGI middleware of the API: foreign browser origins refused, bodies capped and timed, CORS.

Added in ``add_middleware``; the last one added runs first, so foreign origins are refused
before any work (their preflights too, with the same 403 JSON), then CORS answers allowed
preflights and decorates every other response (429s too, so the widget can read
Retry-After), then oversized bodies are refused.
"""

from __future__ import annotations

import ipaddress
import logging
import re

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.config import Settings
from bot.web.errors import INTERNAL_MESSAGE, error_response

log = logging.getLogger(__name__)

ADMIN_PREFIX = "/api/admin/"  # the publishing API (routes/admin.py): larger bodies, no browsers


def add_middleware(app: FastAPI, settings: Settings) -> None:
    app.add_middleware(ChatUiGuard)  # inside the body cap: it reads bodies BodyLimit has capped
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_kb * 1024,
        timeout_s=settings.body_timeout_s,
        # Whole articles from a CMS: only when the publishing API is on, for requests that
        # carry a token (anyone else gets the usual cap before the token is even checked).
        larger={ADMIN_PREFIX: settings.admin_max_body_kb * 1024} if settings.admin_token else {},
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.allowed_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "X-Newsbot-Subscriber"],  # the widget's subscriber token
        expose_headers=["Retry-After"],
        allow_credentials=False,  # the widget needs no cookies; none are ever accepted
        max_age=600,
    )
    # Outside CORS: a foreign origin's preflight gets our 403 JSON, not CORS's plain-text 400.
    app.add_middleware(OriginGuard, allowed=set(settings.allowed_origins))
    hosts = answered_hosts(settings)
    if hosts is not None:  # outermost: a request for another name is refused before anything
        app.add_middleware(HostGuard, allowed=hosts)


LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def answered_hosts(settings: Settings) -> frozenset[str] | None:
    """The Host names the server answers for (``NEWSBOT_ALLOWED_HOSTS``); None: any."""
    if "*" in settings.allowed_hosts:
        return None
    if settings.allowed_hosts:
        # and loopback names, always: health checks, metrics and scripts on the host itself
        # (a rebinding page cannot make its browser send them)
        return LOOPBACK_NAMES | frozenset(settings.allowed_hosts)
    return LOOPBACK_NAMES if _is_loopback(settings.host) else None


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return address.lower() == "localhost"


class HostGuard:
    """ASGI middleware: a request whose Host is not one of the server's names gets 400.

    Against DNS rebinding: a page on attacker.example, its name re-pointed at 127.0.0.1, is
    same-origin with a local server to the browser — no Origin header for a GET, an Origin
    that matches the Host for a POST — so ``OriginGuard`` cannot tell. Its Host can.
    """

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _host_name(scope) not in self.allowed:
            message = "This server does not answer for that host name (see NEWSBOT_ALLOWED_HOSTS)."
            await error_response(400, "bad_host", message)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _host_name(scope: Scope) -> str:
    """The Host header's name, without its port ("[::1]:7860" → "::1")."""
    headers: dict[bytes, bytes] = dict(scope["headers"])
    host = headers.get(b"host", b"").decode("latin-1").strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    name, _, port = host.rpartition(":")
    return name if name and port.isdigit() else host


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
    """ASGI middleware: request bodies over ``max_bytes`` get 413 before any handler reads them,
    and a body not sent within ``timeout_s`` gets 408 (a client declaring a longer body than
    it sends would otherwise hold its connection, and a server slot, open forever)."""

    def __init__(
        self, app: ASGIApp, max_bytes: int, timeout_s: float, larger: dict[str, int] | None = None
    ) -> None:
        """``larger``: path prefix → the cap of the routes under it, instead of ``max_bytes``."""
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_s = timeout_s
        self.larger = larger or {}

    def _cap(self, scope: Scope) -> int:
        if b"authorization" not in dict(scope["headers"]):
            return self.max_bytes
        path = scope.get("path", "")
        return next((cap for prefix, cap in self.larger.items() if path.startswith(prefix)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self._cap(scope)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > cap:
            await self._reject(scope, receive, send, cap)
            return
        # Chunked bodies declare no length: read (at most the cap) first, then replay.
        messages: list[Message] = []
        size = 0
        more = scope.get("method") in ("POST", "PUT", "PATCH")
        with anyio.move_on_after(self.timeout_s) as reading:
            while more:
                message = await receive()
                messages.append(message)
                size += len(message.get("body", b""))
                if size > cap:
                    await self._reject(scope, receive, send, cap)
                    return
                more = message.get("more_body", False)
        if reading.cancelled_caught:
            late = f"The request body did not arrive within {self.timeout_s:g} s."
            await error_response(408, "request_timeout", late)(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, cap: int) -> None:
        limit_kb = cap // 1024
        response = error_response(413, "too_large", f"The request body is over the {limit_kb} KB limit.")
        await response(scope, receive, send)


CHAT_UI_PREFIX = "/gradio_api/"  # the web chat's own routes (Gradio, mounted at /)
# A JSON escape of a lone surrogate ("\\ud800" without its pair, or a pair's second half alone),
# or one percent-encoded in a query: text no encoder takes, which Gradio's routes turn into 500s.
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
_ENCODED_SURROGATE = re.compile(rb"%[eE][dD]%[a-bA-B][0-9a-fA-F]")


class ChatUiGuard:
    """ASGI middleware for the web chat's routes, which our error handlers do not reach (the
    attacker probe: a lone surrogate, or a malformed call, got Gradio's plain-text 500 and a
    traceback in the log that quoted the reader's text). Such a request gets the API's 400
    before Gradio sees it; anything Gradio raises becomes a JSON 500 logged by its type only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("path", "").startswith(CHAT_UI_PREFIX):
            await self.app(scope, receive, send)
            return
        body, replay = await buffered(receive)  # capped already by BodyLimit (outside this one)
        if _LONE_SURROGATE.search(body) or _ENCODED_SURROGATE.search(scope.get("query_string", b"")):
            await error_response(400, "bad_request", "The request holds invalid text.")(scope, receive, send)
            return
        started, failed = False, False

        async def sending(message: Message) -> None:
            nonlocal started, failed
            if message["type"] == "http.response.start":
                started = True
                failed = message["status"] >= 500  # Gradio's own plain-text 500: ours instead
                if failed:
                    await error_response(500, "internal_error", INTERNAL_MESSAGE)(scope, receive, send)
            if not failed:
                await send(message)

        try:
            await self.app(scope, replay, sending)
        except Exception as err:  # a bug or bad input inside Gradio: never its traceback in our log
            log.warning("the chat UI failed on %s: %s", scope.get("path", ""), type(err).__name__)
            if not started:
                await error_response(500, "internal_error", INTERNAL_MESSAGE)(scope, receive, send)


async def buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body (for a guard that reads it first: BodyLimit, outside, caps it),
    and a ``receive`` that hands the same messages to the app again."""
    messages: list[Message] = []
    more = True
    while more:
        message = await receive()
        messages.append(message)
        more = message.get("type") == "http.request" and message.get("more_body", False)

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return b"".join(m.get("body", b"") for m in messages), replay
