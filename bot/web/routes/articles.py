"""``GET /api/articles`` (every indexed article) and ``GET /api/articles/{id}`` (one, with its text)."""

from __future__ import annotations

from fastapi import APIRouter

from bot.articles import ArticleDetail, ArticleSummary
from bot.web.errors import ERRORS
from bot.web.service import ChatService


def articles_router(service: ChatService) -> APIRouter:
    router = APIRouter(tags=["articles"], responses=ERRORS)

    @router.get("/api/articles", response_model=list[ArticleSummary])
    def articles() -> list[ArticleSummary]:
        """Every indexed article, newest first."""
        return service.require_library().list()

    @router.get("/api/articles/{article_id:path}", response_model=ArticleDetail)
    def article(article_id: str) -> ArticleDetail:
        """One article with its text (citation offsets index into `text`)."""
        return service.require_library().get(article_id)

    return router
