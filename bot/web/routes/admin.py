"""The publishing API: a newsroom's CMS publishes, corrects and takes down articles.

``PUT /api/admin/articles/{id}`` (create or replace), ``GET`` (what is indexed: chunk count,
content hash, fields), ``DELETE`` (take down: kept out of the index until lifted); ``GET
/api/admin/takedowns`` (those in force), ``DELETE /api/admin/takedowns/{id}`` (lift one). Off
unless ``NEWSBOT_ADMIN_TOKEN`` is set; then only for ``Authorization: Bearer <token>``
(constant-time). A CMS calls from its server, so any request a browser sends (it carries
``Origin``) is refused, whatever the site. A change made here is in the next answer: the lexical
index follows at once, not at the next background check.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.web.auth import require_bearer
from bot.web.errors import ERRORS, ForbiddenOriginError
from bot.web.middleware import ADMIN_PREFIX
from bot.web.service import ChatService
from index.loaders import is_web_url, normalize_date
from index.publish import TAKEDOWNS_PATH, ArticleFields
from index.store import REASON_CHARS

# What index.loaders.slugify makes (a leading "_" included: a file "_lead.txt" is "_lead"), so
# that every indexed article can be corrected or taken down here; ids stay as given.
ARTICLE_ID = r"^[a-z0-9_][a-z0-9._-]{0,99}$"


class ArticleIn(BaseModel):
    """One article as a CMS sends it: ``text`` or ``html`` (reduced to its text), and fields."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=500)
    text: str | None = Field(None, max_length=1_000_000, description="Plain text body")
    html: str | None = Field(None, max_length=2_000_000, description="Or the article's HTML page")
    author: str = Field("", max_length=300)
    outlet: str = Field("", max_length=200, description="The publication's name")
    published_at: str = Field("", max_length=64, description="ISO 8601 (or a date a feed would show)")
    updated_at: str = Field("", max_length=64, description="When it was last corrected or updated")
    url: str = Field("", max_length=2000)
    category: str = Field("", max_length=200)
    access: Literal["public", "subscriber"] = "public"

    @field_validator("published_at", "updated_at")
    @classmethod
    def _date(cls, value: str) -> str:
        if value.strip() and normalize_date(value) is None:
            raise ValueError("not a date (use ISO 8601, e.g. 2025-05-15T09:30:00Z)")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not is_web_url(value):
            raise ValueError("must be an http(s) URL")
        return value

    @model_validator(mode="after")
    def _one_body(self) -> ArticleIn:
        if (self.text is None) == (self.html is None):
            raise ValueError("send exactly one of text and html")
        return self

    def as_fields(self) -> ArticleFields:
        return ArticleFields(
            title=self.title, text=self.text, html=self.html, author=self.author, source=self.outlet,
            published_at=self.published_at, updated_at=self.updated_at, url=self.url,
            category=self.category, access=self.access,
        )  # fmt: skip


class PublishedOut(BaseModel):
    article_id: str
    status: Literal["created", "updated", "unchanged"]
    chunks: int
    content_hash: str


class IndexedOut(BaseModel):
    article_id: str
    chunks: int
    content_hash: str
    origin: str
    fields: dict[str, str]


class DeletedOut(BaseModel):
    article_id: str
    deleted_chunks: int
    taken_down: bool = Field(True, description="No source may index it again until the takedown is lifted.")


class TakedownOut(BaseModel):
    article_id: str
    taken_down_at: str
    reason: str
    title: str


class LiftedOut(BaseModel):
    article_id: str
    lifted: bool = True


def admin_router(service: ChatService) -> APIRouter:
    token = service.settings.admin_token
    router = APIRouter(tags=["publishing"], responses=ERRORS)
    if token is None:  # off: the routes do not exist
        return router

    def operator(request: Request) -> None:
        if request.headers.get("origin") is not None:  # a browser, on any site: never
            raise ForbiddenOriginError("The publishing API is not for browsers.")
        require_bearer(request, token, "The publishing API")

    article_id = Path(pattern=ARTICLE_ID, description="The article's id (lowercase letters, digits, . _ -)")
    prefix = f"{ADMIN_PREFIX}articles/{{article_id}}"
    reason_query = Query("", max_length=REASON_CHARS, description="Why (kept with the takedown)")

    @router.put(prefix, response_model=PublishedOut, dependencies=[Depends(operator)])
    def put_article(article: ArticleIn, article_id: str = article_id) -> PublishedOut:
        """Publish or replace an article; answerable when this returns."""
        done = service.publisher().put(article_id, article.as_fields())
        return PublishedOut(**done.__dict__)

    @router.get(prefix, response_model=IndexedOut, dependencies=[Depends(operator)])
    def get_article(article_id: str = article_id) -> IndexedOut:
        """What the index holds of an article."""
        return IndexedOut(**service.publisher().get(article_id).__dict__)

    @router.delete(prefix, response_model=DeletedOut, dependencies=[Depends(operator)])
    def delete_article(article_id: str = article_id, reason: str = reason_query) -> DeletedOut:
        """Take an article down: gone from answers, sources, /read and /api/articles when this
        returns, and kept out — its file, a feed or this API cannot bring it back — until the
        takedown is lifted."""
        deleted = service.publisher().delete(article_id, reason)
        return DeletedOut(article_id=article_id, deleted_chunks=deleted)

    @router.get(TAKEDOWNS_PATH, response_model=list[TakedownOut], dependencies=[Depends(operator)])
    def list_takedowns() -> list[TakedownOut]:
        """The takedowns in force, newest first."""
        return [TakedownOut(**t.__dict__) for t in service.publisher().takedowns()]

    @router.delete(
        f"{TAKEDOWNS_PATH}/{{article_id}}", response_model=LiftedOut, dependencies=[Depends(operator)]
    )
    def lift_takedown(article_id: str = article_id) -> LiftedOut:
        """Lift a takedown: the next build, feed poll or publication may index the article again."""
        service.publisher().lift(article_id)
        return LiftedOut(article_id=article_id)

    return router
