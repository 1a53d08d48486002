"""Each request observed: a request id, one structured log line, and the metrics.

The id comes from the client's ``X-Request-ID`` when it is a plain token (a proxy's id
carries through), else a new one; it is echoed in the response and attached to every log
record made while the request runs (a ``contextvars`` variable, so threads started with
the request's context see it too). Log lines are JSON, one per line, by default. No client
address and no question text is logged: the id ties a complaint to its log lines.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.metrics import Metrics

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
access_log = logging.getLogger("newsbot.access")


class RequestObserver:
    """ASGI middleware: request id in, ``X-Request-ID`` out, an access log line, metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500  # if the app fails before it starts a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", []), (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = _route_of(scope)
            self.metrics.request(route, scope["method"], status, seconds)
            access_log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "ms": round(seconds * 1000, 1),
                },
            )
            REQUEST_ID.reset(token)


def _request_id(scope: Scope) -> str:
    sent = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
    return sent if _CLIENT_ID.fullmatch(sent) else uuid.uuid4().hex


def _route_of(scope: Scope) -> str:
    """The matched route's template ("/api/articles/{article_id:path}"), never the raw path;
    in a mounted app (the MCP server at /mcp) with its mount's path before it."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path is None:
        return "unmatched"
    return f"{scope.get('root_path', '')}{path}" or "/ (chat page)"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and extras."""

    _STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if REQUEST_ID.get():
            entry["request_id"] = REQUEST_ID.get()
        entry.update({k: v for k, v in vars(record).items() if k not in self._STANDARD})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str, fmt: str) -> None:
    """The root logger writes to stderr: JSON lines (``fmt="json"``) or plain text."""
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
