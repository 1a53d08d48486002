"""Health: ``/livez`` (the process serves), ``/readyz`` (it can answer), ``/healthz`` (details).

All three answer from what the service holds in memory, on the event loop: a hung store or
a burst of questions cannot delay them. An orchestrator restarts a replica whose ``/livez``
fails and sends no traffic to one whose ``/readyz`` is 503.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from bot.web.service import ChatService


def health_router(service: ChatService) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/livez")
    async def livez() -> dict[str, bool]:
        """200 while the process serves requests."""
        return {"alive": True}

    @router.get("/readyz")
    async def readyz() -> JSONResponse:
        """200 when questions can be answered; 503 with the reason (no index, store unreachable)."""
        health = service.health()
        body = {"ready": health.ready, "message": health.message}
        return JSONResponse(body, status_code=200 if health.ready else 503)

    @router.get("/healthz")
    async def healthz() -> JSONResponse:
        """Index size, models, answerer and store mode; 503 while not ready."""
        health = service.health()
        return JSONResponse(health.as_dict(), status_code=200 if health.ready else 503)

    return router
