"""ASGI middleware of the API: foreign browser origins refused, bodies capped and timed, CORS.

Added in ``add_middleware``; the last one added runs first, so foreign origins are refused
before any work (their preflights too, with the same 403 JSON), then CORS answers allowed
preflights and decorates every other response (429s too, so the widget can read
Retry-After), then oversized bodies are refused.
"""

from __future__ import annotations

import anyio
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.config import Settings
from bot.web.errors import error_response

ADMIN_PREFIX = "/api/admin/"  # the publishing API (routes/admin.py): larger bodies, no browsers


def add_middleware(app: FastAPI, settings: Settings) -> None:
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
    # Outermost: a foreign origin's preflight gets our 403 JSON, not CORS's plain-text 400.
    app.add_middleware(OriginGuard, allowed=set(settings.allowed_origins))


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
