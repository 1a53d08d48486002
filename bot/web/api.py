"""The HTTP API (FastAPI), assembled: error handlers, one router per area, middleware.

Routes live in ``bot/web/routes/`` (chat, openai, articles, health, metrics, widget, admin, ask);
the MCP server for AI assistants is mounted at ``/mcp/`` (``bot/web/agents/``); errors
in ``errors.py``; origin guard, body cap and CORS in ``middleware.py``; request ids, access
log and metrics in ``observe.py``. Every route answers
through the one ``ChatService``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import anyio.to_thread
from fastapi import FastAPI
from starlette.responses import RedirectResponse
from starlette.routing import Route

from bot.web.agents.mcp_server import build_mcp, http_app
from bot.web.agents.service import AgentService, Caller
from bot.web.errors import add_error_handlers, add_fallback_routes
from bot.web.middleware import add_middleware
from bot.web.observe import RequestObserver
from bot.web.routes.admin import admin_router
from bot.web.routes.articles import articles_router
from bot.web.routes.ask import ask_router
from bot.web.routes.chat import chat_router
from bot.web.routes.feedback import feedback_router
from bot.web.routes.health import health_router
from bot.web.routes.insights import insights_router
from bot.web.routes.metrics import metrics_router
from bot.web.routes.openai import openai_router
from bot.web.routes.widget import widget_router
from bot.web.service import ChatService

API_DESCRIPTION = """Questions about the indexed news articles, answered with numbered citations.

* `POST /api/chat` answers at once; `POST /api/chat/stream` streams Server-Sent Events
  (`delta` events with text, then one `answer` event with the complete, verified answer).
* `POST /v1/chat/completions` speaks OpenAI's chat API (streaming too); citations come in an
  extra `citations` field of the response and of the final stream chunk.
* `GET|POST /ask` is NLWeb's ask (modes list, summarize, generate; streamed by default), and
  `/mcp/` an MCP server (tools search_articles, ask, get_article) for AI assistants.
* Errors are JSON `{"error": {"type": ..., "message": ...}}`.
"""


def create_api(service: ChatService) -> FastAPI:
    agents = AgentService(service)
    secret = service.settings.subscriber_secret
    mcp = build_mcp(agents, service.threads, partial(Caller.of, secret=secret))
    mcp_app = http_app(mcp)  # made before the lifespan: it creates the session manager

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        try:
            # A mounted app's own lifespan is not run; the session manager runs once per app.
            async with mcp.session_manager.run():
                yield
        finally:
            # At shutdown, in the server's own loop: uvicorn re-raises SIGTERM once it has stopped,
            # so code after uvicorn.run() never runs; what is recorded but unwritten is written here.
            await anyio.to_thread.run_sync(service.close)

    app = FastAPI(
        title="Newsbot API", description=API_DESCRIPTION, version="1.0", redoc_url=None, lifespan=lifespan
    )
    add_error_handlers(app)
    for router in (
        chat_router(service),
        feedback_router(service),
        openai_router(service),
        articles_router(service),
        health_router(service),
        metrics_router(service),
        widget_router(service),
        admin_router(service),
        insights_router(service),
        ask_router(agents),
    ):
        app.include_router(router)
    app.mount("/mcp", mcp_app)
    # "/mcp" without its slash would reach the chat mounted at /: send clients to the endpoint
    # (307 keeps the method and the body).
    to_endpoint = RedirectResponse("/mcp/", status_code=307)
    app.router.routes.append(Route("/mcp", to_endpoint, include_in_schema=False))
    add_fallback_routes(app)  # after every router: it answers only what none of them does
    add_middleware(app, service.settings)
    # Outermost of all: every response is counted and carries its request id, refusals too.
    app.add_middleware(RequestObserver, metrics=service.metrics)
    return app
