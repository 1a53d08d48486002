"""``GET /healthz``: ready or not, index size, models, answerer, store mode."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.web.service import ChatService


def health_router(service: ChatService) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz")
    def healthz() -> JSONResponse:
        """Index size, models, answerer and store mode; 503 while the index is unavailable."""
        health = service.health()
        return JSONResponse(health.as_dict(), status_code=200 if health.ready else 503)

    return router
