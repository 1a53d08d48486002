"""Errors at the HTTP edge: one JSON body for every failure, one place that builds it.

Every error leaves as ``{"error": {"type", "message"}}`` with its status code: the
``NewsbotError`` family carries both, request validation is 400, unknown routes 404,
anything unexpected 500 (logged, never shown). Streams send the same body as an event.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route
from starlette.types import Receive, Scope, Send

from index.errors import IndexLoadingError, NewsbotError

log = logging.getLogger(__name__)

INTERNAL_MESSAGE = "Something went wrong on the server."
STREAM_FAILURE = "Something went wrong."  # an `error` event after the answer started streaming


class RateLimitError(NewsbotError):
    """Too many requests from one client or session; ``retry_after_s`` says when to retry."""

    http_status = 429
    kind = "rate_limited"

    def __init__(self, message: str, retry_after_s: int = 1) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class UnauthorizedError(NewsbotError):
    """A route that wants a bearer token got none, or a wrong one."""

    http_status = 401
    kind = "unauthorized"


class ForbiddenOriginError(NewsbotError):
    """A browser request from a site that may not make it."""

    http_status = 403
    kind = "forbidden_origin"


class SharedStateUnavailableError(NewsbotError):
    """The store that replicas share sessions and rate limits in (Redis) cannot be reached."""

    http_status = 503
    kind = "unavailable"


class ErrorBody(BaseModel):
    type: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


# The error statuses every API route documents in OpenAPI.
ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in {
        400: "Bad input",
        401: "Missing or wrong bearer token (admin and metrics routes)",
        403: "Browser request from a site not in the allowed origins",
        404: "Unknown article",
        413: "Question or body too large",
        429: "Too many requests (see Retry-After)",
        503: "Index loading (see Retry-After) or unavailable, or shared session store unavailable",
    }.items()
}


def error_body(kind: str, message: str) -> dict[str, Any]:
    """The one error shape, for responses and stream events alike."""
    return {"error": {"type": kind, "message": message}}


def body_for(err: NewsbotError) -> dict[str, Any]:
    return error_body(err.kind, str(err))


def error_response(
    status: int, kind: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(kind, message), status_code=status, headers=headers)


def response_for(err: NewsbotError) -> JSONResponse:
    headers = None
    if isinstance(err, RateLimitError | IndexLoadingError):
        headers = {"Retry-After": str(err.retry_after_s)}
    elif isinstance(err, UnauthorizedError):
        headers = {"WWW-Authenticate": "Bearer"}
    return error_response(err.http_status, err.kind, str(err), headers)


def invalid_input(errors: Sequence[Any]) -> str:
    """The first validation error as "where: what" — never pydantic's full dump (its model
    names, the input echoed, links to its documentation)."""
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid"))


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NewsbotError)
    async def _bot_error(_: Request, err: NewsbotError) -> JSONResponse:
        return response_for(err)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, err: RequestValidationError) -> JSONResponse:
        return error_response(400, "bad_request", invalid_input(err.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, err: StarletteHTTPException) -> JSONResponse:
        kind = {404: "not_found", 405: "method_not_allowed"}.get(err.status_code, "http_error")
        return error_response(err.status_code, kind, str(err.detail))

    @app.exception_handler(Exception)
    async def _bug(_: Request, err: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=err)
        return error_response(500, "internal_error", INTERNAL_MESSAGE)


API_PREFIXES = ("/api", "/v1", "/ask")  # what the API owns: everything else is the Gradio chat's
_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def add_fallback_routes(app: FastAPI) -> None:
    """Last routes of the API: an unknown path or method under its prefixes gets the API's
    error shape (404, or 405 with ``Allow``) instead of falling through to the chat mounted at
    ``/``, whose framework answers ``{"detail": "Not Found"}``. Added after every router."""
    fallback = _Fallback(list(app.router.routes))  # every route so far: not the fallbacks
    for prefix in API_PREFIXES:  # the prefix itself too
        for path in (prefix, f"{prefix}/{{rest:path}}"):
            # An ASGI app, not a function: a route to one takes every method (TRACE, PROPFIND, …).
            app.router.routes.append(Route(path, fallback, methods=None, include_in_schema=False))


class _Fallback:
    def __init__(self, known: list[Any]) -> None:
        self.known = known

    def allowed(self, scope: Scope) -> list[str]:
        """The methods another route takes at this path."""
        return [
            m for m in _METHODS if any(r.matches({**scope, "method": m})[0] == Match.FULL for r in self.known)
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        methods = self.allowed(scope)
        if methods:
            message = f"{scope.get('method', '')} is not allowed here; use {', '.join(methods)}."
            response = error_response(405, "method_not_allowed", message, {"Allow": ", ".join(methods)})
        else:
            response = error_response(404, "not_found", "There is no such API route.")
        await response(scope, receive, send)
