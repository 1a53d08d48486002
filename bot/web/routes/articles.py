"""``GET /api/articles`` (indexed articles, a page at a time) and ``GET /api/articles/{id}`` (one,
with its text)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from bot.articles import ArticleDetail, ArticleSummary
from bot.web.errors import ERRORS
from bot.web.service import ChatService
from bot.web.subscribers import is_subscriber


def articles_router(service: ChatService) -> APIRouter:
    router = APIRouter(tags=["articles"], responses=ERRORS)

    @router.get("/api/articles", response_model=list[ArticleSummary])
    def articles(
        request: Request,
        response: Response,
        limit: int = Query(1000, ge=1, le=10_000, description="At most this many articles."),
        offset: int = Query(0, ge=0, description="Skip this many (the list is newest first)."),
    ) -> list[ArticleSummary]:
        """Indexed articles, newest first, a page at a time; `X-Total-Count` says how many there are."""
        subscriber = is_subscriber(request, service.settings.subscriber_secret)
        everything = service.require_library().list(subscriber)
        response.headers["X-Total-Count"] = str(len(everything))
        return everything[offset : offset + limit]

    @router.get("/api/articles/{article_id:path}", response_model=ArticleDetail)
    def article(article_id: str, request: Request) -> ArticleDetail:
        """One article with its text (citation offsets index into `text`)."""
        subscriber = is_subscriber(request, service.settings.subscriber_secret)
        return service.require_library().get(article_id, subscriber)

    return router
