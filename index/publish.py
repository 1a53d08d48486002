"""Single articles pushed by a newsroom's CMS: published, corrected, taken down, looked up.

The same chunking, embedding and crash-safe write order as a build (``Indexer.sync``), on
one article at a time and reading only that article's records, so a publication costs the
same whatever the archive's size. Writes hold the data folder's write lock, as builds do.
``on_change(written, deleted)`` gets the chunk ids of every write (the web app applies them
to its lexical index there, so the change is in the next answer, not after the next poll).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from langchain_core.documents import Document

from index.chunking import ARTICLE_FIELDS, OPTIONAL_FIELDS
from index.errors import ConflictError, NotFoundError
from index.loaders import PUBLIC, make_document, parse_html_article
from index.store import Takedown
from index.sync import Indexer

ORIGIN_KIND = "api"
TAKEDOWNS_PATH = "/api/admin/takedowns"  # where they are listed and lifted (bot/web/routes/admin.py)


@dataclass(frozen=True)
class ArticleFields:
    """What a CMS sends for one article (checked at the edge; ``text`` or ``html``)."""

    title: str
    text: str | None = None
    html: str | None = None
    author: str = ""
    source: str = ""
    published_at: str = ""
    updated_at: str = ""
    url: str = ""
    category: str = ""
    access: str = PUBLIC


@dataclass(frozen=True)
class Published:
    article_id: str
    status: Literal["created", "updated", "unchanged"]
    chunks: int
    content_hash: str


@dataclass(frozen=True)
class IndexedArticle:
    """What the index holds of one article."""

    article_id: str
    chunks: int
    content_hash: str
    origin: str
    fields: dict[str, str]


def article_document(article_id: str, article: ArticleFields) -> Document:
    """The article as the indexer takes it: HTML reduced to its text (trafilatura), the CMS's
    fields winning over what the page's markup says."""
    origin = f"{ORIGIN_KIND}:{article_id}"
    meta: dict[str, Any] = {
        "article_id": article_id,
        "title": article.title,
        "author": article.author,
        "source": article.source,
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "url": article.url,
        "category": article.category,
        "access": article.access,
    }
    if article.html is not None:
        page = parse_html_article(
            article.html, article_id, origin, url=article.url or None, origin_kind=ORIGIN_KIND
        )
        given = {k: v for k, v in meta.items() if v}
        return make_document(page.page_content, {**page.metadata, **given}, origin, ORIGIN_KIND)
    return make_document(article.text or "", meta, origin, ORIGIN_KIND)


class Publisher:
    def __init__(
        self,
        indexer: Indexer,
        lock: Callable[[], AbstractContextManager[None]],
        on_change: Callable[[list[str], list[str]], object] = lambda written, deleted: None,
    ) -> None:
        self.indexer = indexer
        self._lock = lock
        self._on_change = on_change

    def put(self, article_id: str, article: ArticleFields) -> Published:
        """Create or replace the article (new chunks first, stale ones removed after)."""
        doc = article_document(article_id, article)
        with self._writing():
            stats = self.indexer.sync([doc])
            if stats.withheld:
                raise ConflictError(
                    f"article {article_id!r} was taken down; lift the takedown first "
                    f"(DELETE {TAKEDOWNS_PATH}/{article_id})"
                )
            if stats.failures:
                raise ConflictError(stats.failures[0].reason)
            if stats.added or stats.updated:
                self._on_change(stats.written_ids, stats.deleted_ids)
        status: Literal["created", "updated", "unchanged"] = (
            "created" if stats.added else "updated" if stats.updated else "unchanged"
        )
        chunks = len(self.indexer.store.articles(only=[article_id])[article_id].chunk_ids)
        return Published(article_id, status, chunks, doc.metadata["content_hash"])

    def delete(self, article_id: str, reason: str = "") -> int:
        """Take the article down: its chunks leave the store, and a takedown keeps every source
        (its file, a feed, this API) from indexing it again until it is lifted. Returns how
        many chunks went."""
        with self._writing():
            found = self.indexer.store.articles(only=[article_id]).get(article_id)
            if found is None:
                raise NotFoundError(f"no article with id {article_id!r} in the index")
            now = datetime.now(UTC).isoformat(timespec="seconds")
            title = str(found.fields.get("title", ""))
            self.indexer.store.take_down(Takedown(article_id, now, reason, title))
            self.indexer.store.delete(sorted(found.chunk_ids))
            self._on_change([], sorted(found.chunk_ids))
        return len(found.chunk_ids)

    def takedowns(self) -> list[Takedown]:
        """The takedowns in force, newest first."""
        return self.indexer.store.takedowns()

    def lift(self, article_id: str) -> None:
        """End a takedown: the next build (or publication) may index the article again."""
        with self._writing():
            if not self.indexer.store.lift(article_id):
                raise NotFoundError(f"article {article_id!r} is not taken down")

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """The write lock, with the store caught up first: a client that has not seen another
        process's last write would plan against a stale store. Changes are handed to
        ``on_change`` inside it, so they reach readers in the order they were made."""
        with self._lock():
            self.indexer.store.catch_up()
            yield

    def get(self, article_id: str) -> IndexedArticle:
        found = self.indexer.store.articles(only=[article_id]).get(article_id)
        if found is None:
            raise NotFoundError(f"no article with id {article_id!r} in the index")
        keys = (*ARTICLE_FIELDS, *OPTIONAL_FIELDS)
        fields = {k: str(found.fields.get(k, "")) for k in keys}
        fields["access"] = fields["access"] or PUBLIC
        return IndexedArticle(
            article_id, len(found.chunk_ids), str(found.fields.get("content_hash", "")), found.origin, fields
        )
