"""``GET /metrics``: Prometheus text format; off unless ``NEWSBOT_METRICS_TOKEN`` is set, and
then only for ``Authorization: Bearer <token>`` (compared in constant time)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from bot.web.auth import require_bearer
from bot.web.errors import error_response
from bot.web.service import ChatService


def metrics_router(service: ChatService) -> APIRouter:
    router = APIRouter(tags=["operations"])
    token = service.settings.metrics_token

    @router.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        if token is None:  # off: as if the route did not exist
            return error_response(404, "not_found", "Not Found")
        require_bearer(request, token, "The metrics endpoint")
        return Response(service.metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router
