"""The indexed articles as readers see them: a list, one article's text, a quote in context.

The store keeps chunks, not articles; an article's body is put back together from its chunks'
character offsets (the gaps between chunks are whitespace the chunker dropped), so citation
offsets point into the rebuilt text exactly. Rebuilt only when the chunks change. An article's
suggested questions (bot/suggestions.py) come from that text and the sentence notes its chunks
were indexed with, worked out the first time the article is asked for.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydantic import Field

from bot.schemas import ArticleRef, Citation
from bot.suggestions import DEFAULTS as SUGGESTIONS
from bot.suggestions import suggested_questions
from index.errors import NotFoundError
from index.loaders import PUBLIC
from index.nlp import SentenceNotes, notes_of

if TYPE_CHECKING:
    from bot.retrieval.lexical import LexicalIndex


class ArticleSummary(ArticleRef):
    author: str = ""
    updated_at: str = Field("", description="When it was last corrected or updated, if it was.")
    access: str = Field("public", description="public, or subscriber (answers for subscribers only)")


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
    cached_articles: int = 256  # articles kept whole (text, suggestions): initial choice, not tuned


_DEFAULTS = LibraryConfig()


@dataclass(frozen=True)
class QuoteInContext:
    """A cited quote with the text around it, for highlighting."""

    before: str
    quote: str
    after: str


class ArticleLibrary:
    """Articles put back together from the chunks of the retriever's lexical index.

    ``chunks`` is the retriever's ``LexicalCache``: it follows the store, and the library
    starts afresh whenever it hands out a different index — no read of the collection of its
    own. The article list comes from the index's article table; an article's text and
    suggested questions are worked out when it is first asked for and kept for the most
    recently used ``LibraryConfig.cached_articles`` articles (memory stays bounded however
    large the archive).
    """

    def __init__(self, chunks: Callable[[], LexicalIndex]) -> None:
        self._chunks = chunks
        self._source: LexicalIndex | None = None
        self._shelf = _Shelf({}, {}, OrderedDict())
        self._lock = threading.Lock()

    def list(self, subscriber: bool = False) -> list[ArticleSummary]:
        """Newest first, then by title; subscriber-only articles for a ``subscriber`` only."""
        articles = [a for a in self._load().summaries.values() if _readable(a, subscriber)]
        ordered = sorted(articles, key=lambda a: a.title.casefold())
        ordered.sort(key=lambda a: a.published_at, reverse=True)
        return ordered

    def get(self, article_id: str, subscriber: bool = False) -> ArticleDetail:
        """One article with its text and its suggested questions. A subscriber-only article is
        unknown to anyone else (404, as if it did not exist: its title is not disclosed)."""
        index, shelf = self._current()
        summary = shelf.summaries.get(article_id)
        if summary is None or not _readable(summary, subscriber):
            raise NotFoundError(f"No article with id {article_id!r}.")
        with self._lock:
            cached = shelf.details.get(article_id)
            if cached is not None:
                shelf.details.move_to_end(article_id)
                return cached
        chunks = index.article_chunks(article_id, subscriber=True)  # readable: checked just above
        spans = [(int(c.metadata["start"]), int(c.metadata["end"]), c.page_content) for c in chunks]
        text = _join(spans)
        questions = suggested_questions(text, _article_notes([c.metadata for c in chunks]))
        article = ArticleDetail(**summary.model_dump(), text=text, suggested_questions=questions)
        with self._lock:
            shelf.details[article_id] = article
            while len(shelf.details) > _DEFAULTS.cached_articles:
                shelf.details.popitem(last=False)
        return article

    def summary(self, article_id: str, subscriber: bool = False) -> ArticleSummary | None:
        """One article's fields without its text, None when unknown or not readable by this
        reader (subscriber-only articles for a ``subscriber`` only)."""
        found = self._load().summaries.get(article_id)
        return found if found and _readable(found, subscriber) else None

    def find_by_url(self, url: str, subscriber: bool = False) -> ArticleSummary | None:
        """The article published at ``url`` (a host page's canonical URL), if indexed (and
        readable: subscriber-only articles for a ``subscriber`` only)."""
        wanted = normalize_url(url)
        shelf = self._load()
        found = shelf.summaries[shelf.by_url[wanted]] if wanted and wanted in shelf.by_url else None
        return found if found and _readable(found, subscriber) else None

    def context(
        self, citation: Citation, chars: int = _DEFAULTS.context_chars, subscriber: bool = False
    ) -> QuoteInContext:
        """The quote and up to ``chars`` characters each side, cut at word boundaries."""
        try:
            text = self.get(citation.article_id, subscriber).text
        except NotFoundError:
            return QuoteInContext("", citation.quote, "")
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
        return self._current()[1]

    def _current(self) -> tuple[LexicalIndex, _Shelf]:
        index = self._chunks()
        with self._lock:
            if index is not self._source:
                summaries = {row["article_id"]: ArticleSummary(**row) for row in index.articles()}
                by_url = {normalize_url(a.url): a.article_id for a in summaries.values() if a.url}
                self._shelf = _Shelf(summaries, by_url, OrderedDict())
                self._source = index
            return index, self._shelf


@dataclass
class _Shelf:
    """The articles of one version of the index: every summary, the ids by page URL, and
    the most recently used articles in full (text and suggested questions)."""

    summaries: dict[str, ArticleSummary]
    by_url: dict[str, str]
    details: OrderedDict[str, ArticleDetail]


def _readable(article: ArticleSummary, subscriber: bool) -> bool:
    """Whether this reader may see the article: a subscriber-only one for a subscriber only."""
    return subscriber or article.access == PUBLIC


def normalize_url(url: str) -> str:
    """Scheme, ``www.``, query, fragment and trailing slash ignored: one story, one key."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    return parts.netloc.lower().removeprefix("www.") + parts.path.rstrip("/")


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
