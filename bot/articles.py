"""The indexed articles as readers see them: a list, one article's text, a quote in context.

The store keeps chunks, not articles; an article's body is put back together from its chunks'
character offsets (the gaps between chunks are whitespace the chunker dropped), so citation
offsets point into the rebuilt text exactly. Rebuilt only when the chunks change. An article's
suggested questions (bot/suggestions.py) come from that text and the sentence notes its chunks
were indexed with, worked out the first time the article is asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import Field

from bot.schemas import ArticleRef, Citation
from bot.suggestions import DEFAULTS as SUGGESTIONS
from bot.suggestions import suggested_questions
from index.errors import NotFoundError
from index.nlp import SentenceNotes, notes_of

if TYPE_CHECKING:
    from bot.retrieval.lexical import LexicalIndex


class ArticleSummary(ArticleRef):
    author: str = ""


class ArticleDetail(ArticleSummary):
    text: str = Field(description="The article body; citation offsets index into it.")
    suggested_questions: list[str] = Field(
        default_factory=list,
        description="Questions the bot answers about this article "
        f"(at most {SUGGESTIONS.limit}, each at most {SUGGESTIONS.max_chars} characters).",
    )


@dataclass(frozen=True)
class LibraryConfig:
    context_chars: int = 320  # article text shown each side of a cited quote: initial choice, not tuned


_DEFAULTS = LibraryConfig()


@dataclass(frozen=True)
class QuoteInContext:
    """A cited quote with the text around it, for highlighting."""

    before: str
    quote: str
    after: str


class ArticleLibrary:
    """Articles rebuilt from the chunks the BM25 index already holds in memory.

    ``chunks`` is the retriever's ``LexicalCache``: it re-reads the store when the store
    changes, and the library rebuilds whenever it hands out a different index — no second
    read of the collection and no version polling of its own.
    """

    def __init__(self, chunks: Callable[[], LexicalIndex]) -> None:
        self._chunks = chunks
        self._source: LexicalIndex | None = None
        self._shelf = _Shelf({}, {})
        self._lock = threading.Lock()

    def list(self) -> list[ArticleSummary]:
        """Newest first, then by title."""
        articles = self._load().articles.values()
        ordered = sorted(articles, key=lambda a: a.title.casefold())
        ordered.sort(key=lambda a: a.published_at, reverse=True)
        return [_summary(a) for a in ordered]

    def get(self, article_id: str) -> ArticleDetail:
        """One article with its text and its suggested questions."""
        shelf = self._load()
        article = shelf.articles.get(article_id)
        if article is None:
            raise NotFoundError(f"No article with id {article_id!r}.")
        metas = shelf.unsuggested.get(article_id)
        if metas is None:  # worked out already
            return article
        questions = suggested_questions(article.text, _article_notes(metas))
        article = article.model_copy(update={"suggested_questions": questions})
        with self._lock:
            shelf.articles[article_id] = article
            shelf.unsuggested.pop(article_id, None)
        return article

    def find_by_url(self, url: str) -> ArticleSummary | None:
        """The article published at ``url`` (a host page's canonical URL), if indexed."""
        wanted = normalize_url(url)
        if not wanted:
            return None
        for article in self._load().articles.values():
            if article.url and normalize_url(article.url) == wanted:
                return _summary(article)
        return None

    def context(self, citation: Citation, chars: int = _DEFAULTS.context_chars) -> QuoteInContext:
        """The quote and up to ``chars`` characters each side, cut at word boundaries."""
        article = self._load().articles.get(citation.article_id)
        if article is None:
            return QuoteInContext("", citation.quote, "")
        text = article.text
        start, end = citation.start, citation.end
        if text[start:end] != citation.quote:  # index rebuilt since the answer: show the quote alone
            return QuoteInContext("", citation.quote, "")
        left = max(0, start - chars)
        right = min(len(text), end + chars)
        before, after = text[left:start], text[end:right]
        if left > 0:
            before = "… " + before.split(" ", 1)[-1]
        if right < len(text):
            after = after.rsplit(" ", 1)[0] + " …"
        return QuoteInContext(before, citation.quote, after)

    def _load(self) -> _Shelf:
        index = self._chunks()
        with self._lock:
            if index is not self._source:
                metas: dict[str, list[dict[str, Any]]] = {}
                for meta in index.metadatas:
                    metas.setdefault(str(meta.get("article_id", "")), []).append(meta)
                self._shelf = _Shelf(_rebuild(index.texts, index.metadatas), metas)
                self._source = index
            return self._shelf


@dataclass
class _Shelf:
    """The articles of one version of the index, and the chunk metadata of those whose
    suggested questions are not worked out yet (replaced whole when the index changes)."""

    articles: dict[str, ArticleDetail]
    unsuggested: dict[str, list[dict[str, Any]]]


def normalize_url(url: str) -> str:
    """Scheme, ``www.``, query, fragment and trailing slash ignored: one story, one key."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return parts.netloc.lower().removeprefix("www.") + parts.path.rstrip("/")


def _rebuild(texts: list[str], metadatas: list[dict[str, Any]]) -> dict[str, ArticleDetail]:
    chunks: dict[str, list[tuple[int, int, str]]] = {}
    metas: dict[str, dict[str, Any]] = {}
    for meta, text in zip(metadatas, texts, strict=True):
        article_id = str(meta.get("article_id", ""))
        metas.setdefault(article_id, meta)
        chunks.setdefault(article_id, []).append((int(meta["start"]), int(meta["end"]), text))
    return {
        article_id: ArticleDetail(
            article_id=article_id,
            title=str(meta.get("title") or article_id),
            source=str(meta.get("source", "")),
            author=str(meta.get("author", "")),
            published_at=str(meta.get("published_at", "")),
            url=str(meta.get("url", "")),
            text=_join(chunks[article_id]),
        )
        for article_id, meta in metas.items()
    }


def _summary(article: ArticleDetail) -> ArticleSummary:
    return ArticleSummary(**article.model_dump(exclude={"text", "suggested_questions"}))


def _article_notes(metas: list[dict[str, Any]]) -> list[SentenceNotes]:
    """The sentence notes of an article's chunks, with offsets into its body, each sentence
    once (chunks overlap); none for chunks indexed without notes."""
    placed: dict[tuple[int, int], SentenceNotes] = {}
    for meta in metas:
        for note in notes_of(meta) or []:
            shifted = note.shifted(int(meta["start"]))
            placed.setdefault((shifted.start, shifted.end), shifted)
    return [placed[key] for key in sorted(placed)]


def _join(spans: list[tuple[int, int, str]]) -> str:
    """Overlapping chunks merged by offset; gaps become spaces so offsets stay exact."""
    body = ""
    for start, end, text in sorted(spans):
        if end <= len(body):
            continue
        if start > len(body):
            body += " " * (start - len(body))
        body += text[len(body) - start :]
    return body
