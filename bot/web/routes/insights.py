"""The editors' page: ``GET /admin`` (insights of a period), ``GET /admin/export.csv``, ``POST
/admin/login`` and ``/admin/logout``.

Off unless ``NEWSBOT_EDITOR_TOKEN`` is set: the editors' own, read-only token (the publishing
API's ``NEWSBOT_ADMIN_TOKEN`` does not open this page, nor does this one publish). Scripts send
the token as a bearer header; browsers log in with it once and get a cookie (``bot.web.auth``):
HttpOnly, SameSite=Strict, scoped to /admin, Secure when the page is served over HTTPS. Reads go
to the records' database on the answering threads; a database that is down is a 503, never a
hang. The page's figures come from the router's ``InsightsCache`` (counted at most once per
``NEWSBOT_INSIGHTS_FRESH_S`` per period, in the background once a period has been shown); the
export reads afresh.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from pydantic import SecretStr

from bot.cells import csv_cell, history_cell
from bot.records.insights import Insights, InsightsCache, export_rows, read_insights
from bot.web.auth import EDITOR_COOKIE, EDITOR_COOKIE_S, editor_cookie, is_editor, same_secret
from bot.web.errors import ERRORS, UnauthorizedError
from bot.web.insights_page import HEADERS, insights_page, login_page, page
from bot.web.ratelimit import client_key
from bot.web.service import ChatService
from index.store import Takedown

EXPORT_COLUMNS = (
    "asked_at", "id", "session", "question", "standalone", "history", "article_id", "intent", "answerer",
    "refused", "fallback", "cited_articles", "latency_ms", "answer", "rating", "reason", "comment", "channel",
)  # fmt: skip
BOM = "\ufeff"  # Excel reads a CSV without it in the machine's legacy code page


def insights_router(service: ChatService) -> APIRouter:
    token = service.settings.editor_token
    router = APIRouter(tags=["insights"], responses=ERRORS, include_in_schema=False)
    if token is None:  # off: the routes do not exist
        return router
    days_query = Query(30, ge=1, le=3650, description="The period: the last this many days.")
    figures = _figures(service)

    def editor(request: Request) -> None:
        if not is_editor(request, token):
            raise UnauthorizedError("The insights need the editors' token.")

    @router.get("/admin", response_class=HTMLResponse)
    async def insights(request: Request, days: int = days_query) -> HTMLResponse:
        if not is_editor(request, token):
            return HTMLResponse(login_page(), status_code=401, headers=HEADERS)
        return HTMLResponse(await service.threads.run(lambda: _page(service, figures, days)), headers=HEADERS)

    @router.post("/admin/login")
    async def login(request: Request, token_sent: Annotated[str, Form(alias="token")]) -> Response:
        client = client_key(request.client)
        await service.threads.run(lambda: service.limiter.check(client, None))  # guessing is slow
        if not _matches(token_sent, token):
            return HTMLResponse(
                login_page("That is not the editors' token."), status_code=401, headers=HEADERS
            )
        response = RedirectResponse("/admin", status_code=303)
        response.set_cookie(
            EDITOR_COOKIE,
            editor_cookie(token),
            max_age=EDITOR_COOKIE_S,
            path="/admin",
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    @router.get("/admin/login")
    async def login_page_link() -> Response:
        """A bookmarked or typed /admin/login: the page, which shows the form when needed (the
        chat mounted at / would answer its own 404)."""
        return RedirectResponse("/admin", status_code=303)

    @router.post("/admin/logout")
    async def logout() -> Response:
        response = RedirectResponse("/admin", status_code=303)
        response.delete_cookie(EDITOR_COOKIE, path="/admin")
        return response

    @router.get("/admin/export.csv", dependencies=[Depends(editor)])
    async def export(days: int = days_query) -> StreamingResponse:
        """Every question of the period with its answer and the reader's vote."""
        engine = service.recorder.engine
        if engine is None:
            return StreamingResponse(_csv_lines([], iter([])), media_type="text/csv", headers=HEADERS)
        rows = export_rows(engine, _since(days))
        await service.threads.run(service.recorder.wait_migrated)  # just started: the tables first
        first = await service.threads.run(lambda: next(rows, None))  # a database that is down: 503 now
        lines = _csv_lines([first] if first else [], rows)
        name = f"newsbot-questions-{datetime.now(UTC):%Y%m%d}.csv"
        headers = {**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'}
        return StreamingResponse(service.threads.iterate(lines), media_type="text/csv", headers=headers)

    return router


def _matches(sent: str, token: SecretStr) -> bool:
    return bool(sent) and same_secret(sent, token)


def _since(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def _figures(service: ChatService) -> InsightsCache | None:
    """The page's figures, kept per period (None: recording is off)."""
    engine = service.recorder.engine
    if engine is None:
        return None
    recorder = service.recorder

    def count(days: int) -> Insights:
        recorder.wait_migrated()  # the page opened right after the start: the tables come first
        return read_insights(engine, _since(days))

    return InsightsCache(count, fresh_s=service.settings.insights_fresh_s)


def _page(service: ChatService, figures: InsightsCache | None, days: int) -> str:
    if figures is None:
        return page(
            "Newsroom insights", "<h1>Newsroom insights</h1><p>Recording is off (NEWSBOT_RECORD=off).</p>"
        )
    return insights_page(figures.get(days), days, _takedowns(service), figures.fresh_s)


def _takedowns(service: ChatService) -> list[Takedown]:
    """The takedowns in force, newest first (none while the index is loading)."""
    return service.store.takedowns() if service.store is not None else []


def _csv_lines(first: list[dict[str, Any]], rest: Iterator[dict[str, Any]]) -> Iterator[str]:
    yield BOM + _csv_line(EXPORT_COLUMNS)
    for row in chain(first, rest):
        yield _csv_line(tuple(_cell(row.get(column)) for column in EXPORT_COLUMNS))


def _cell(value: object) -> str:
    """Spreadsheet-safe text: lists joined with |, times in ISO 8601, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.replace(tzinfo=value.tzinfo or UTC).isoformat()
    if isinstance(value, list):  # a history's turns (the cell bot.eval reads), or article ids
        turns = value and isinstance(value[0], list)
        return csv_cell(history_cell(value) if turns else "|".join(map(str, value)))
    return csv_cell(str(value))


def _csv_line(cells: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()
