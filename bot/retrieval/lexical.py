"""The lexical side of retrieval: BM25 over every stored chunk, and the chunks themselves.

``LexicalIndex`` is the lexical index (index/lexical.py, Tantivy) at one commit: BM25 searches
(everywhere, within an article, within outlets, among given chunks), the chunks' texts and
metadata (so the dense side asks Chroma for ids and distances only, and the article library
needs no read of the store), the article list and the outlets. ``LexicalCache`` follows the
index: a commit by any process (a build, a takedown, another replica's publication) becomes a
new ``LexicalIndex`` within ``check_every_s``, found by reading one small file.
"""

from __future__ import annotations

import logging
import math
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from langchain_core.documents import Document

from bot.language.text import terms
from bot.retrieval.query_hints import SourceMatcher
from index.lexical import LexicalStore, LexicalView, StoredChunk, is_restricted
from index.loaders import PUBLIC

log = logging.getLogger(__name__)

ARTICLE_FIELDS = ("title", "source", "author", "published_at", "url", "updated_at", "access")


@dataclass(frozen=True)
class LexicalConfig:
    """Initial choices, not tuned."""

    # How often the index's commit is looked at: a change made by another process (a build, a
    # CLI takedown, another replica's publication) is answerable this long after it at the
    # latest. 1 s: a takedown must leave every replica's answers within about a second
    # (issue 13); reading one small file a second costs nothing measurable.
    check_every_s: float = 1.0


_DEFAULTS = LexicalConfig()


class LexicalIndex:
    """BM25 over every stored chunk (its header line + text), and the chunks themselves."""

    def __init__(self, view: LexicalView, keep: Any = None) -> None:
        """``keep``: an object to hold on to as long as the index lives (a temporary folder)."""
        self.view = view
        self._keep = keep
        self.chunk_count = view.count
        self.sources = view.sources()
        self.matcher = SourceMatcher(self.sources)  # compiled once per index, not per query
        n = self.chunk_count
        self._unknown_idf = math.log(1 + (n - 1 + 0.5) / 1.5) if n else 1.0  # as rare as can be

    @classmethod
    def of(
        cls, ids: Iterable[str], texts: Iterable[str], metadatas: Iterable[dict[str, Any]]
    ) -> LexicalIndex:
        """An index of these chunks in a temporary folder (tests, small one-off indexes)."""
        folder = tempfile.TemporaryDirectory(prefix="newsbot-lexical-")
        store = LexicalStore(Path(folder.name) / "index")
        chunks = [StoredChunk(i, t, dict(m or {})) for i, t, m in zip(ids, texts, metadatas, strict=True)]
        store.add(chunks)
        return cls(store.view(), keep=folder)

    @classmethod
    def from_vectorstore(cls, vectorstore: Any) -> LexicalIndex:
        """Every chunk of anything with Chroma's ``get``, read page by page into a temporary
        folder (benchmarks and tests over a collection written without its lexical index)."""
        folder = tempfile.TemporaryDirectory(prefix="newsbot-lexical-")
        store = LexicalStore(Path(folder.name) / "index")
        store.repair(vectorstore.get)
        return cls(store.view(), keep=folder)

    def __len__(self) -> int:
        return self.chunk_count

    @cached_property
    def article_count(self) -> int:
        return len(self._articles)

    def search(
        self,
        query: str,
        limit: int,
        *,
        article_id: str | None = None,
        sources: Iterable[str] = (),
        ids: Iterable[str] = (),
        subscriber: bool = False,
    ) -> dict[str, float]:
        """Chunk id → BM25 score of the ``limit`` best chunks for the query (none when no term
        is known), narrowed as ``LexicalView.search`` says."""
        return self.view.search(
            terms(query), limit, article_id=article_id, sources=sources, ids=ids, subscriber=subscriber
        )

    def chunks(self, ids: Iterable[str]) -> dict[str, StoredChunk]:
        """The chunks of these ids (unknown ones, e.g. taken down since Chroma was asked, left out)."""
        return self.view.chunks(ids)

    def idf(self, term: str) -> float:
        """Rarity of a (stemmed) term in the corpus; unknown terms count as rare."""
        df = self.view.doc_freq(term)
        n = self.chunk_count
        return math.log(1 + (n - df + 0.5) / (df + 0.5)) if df else self._unknown_idf

    def article_chunks(self, article_id: str, subscriber: bool = False) -> list[Document]:
        """Every chunk of one article in reading order (empty for an unknown id); subscriber-only
        chunks for a ``subscriber`` only."""
        return [document(c) for c in self.view.article_chunks(article_id, subscriber)]

    def articles(self) -> list[dict[str, str]]:
        """Each article's id and fields (title, source, author, published_at, url, updated_at,
        access), by id."""
        return [self._articles[a] for a in sorted(self._articles)]

    @cached_property
    def _articles(self) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        restricted: set[str] = set()
        for head in self.view.heads():
            meta = head.metadata
            article_id = str(meta.get("article_id", ""))
            if is_restricted(meta):
                # An article with any subscriber-only chunk is subscriber-only (a public article
                # made subscriber-only has both for a moment: new chunks go in before old ones go).
                restricted.add(article_id)
            row = {f: str(meta.get(f, "") or "") for f in ARTICLE_FIELDS}
            found.setdefault(
                article_id, {"article_id": article_id, **row, "title": row["title"] or article_id}
            )
        for article_id, row in found.items():
            row["access"] = "subscriber" if article_id in restricted else PUBLIC
        return found


def document(chunk: StoredChunk) -> Document:
    """A chunk as LangChain's ``Document`` (a copy: the index stays as stored)."""
    return Document(page_content=chunk.text, metadata=dict(chunk.metadata), id=chunk.id)


class LexicalCache:
    """Hands out the lexical index as last committed.

    Until ``follow()`` is called, a call looks at the index's commit itself (at most every
    ``check_every_s``), which suits the CLIs. A server calls ``follow()``: from then on a
    background thread looks, and a call only hands out the current index.
    """

    def __init__(
        self,
        store: LexicalStore,
        check_every_s: float = _DEFAULTS.check_every_s,
        on_change: Callable[[], object] | None = None,
        feed: Callable[[], object] | None = None,
    ) -> None:
        """``on_change``: called when a new commit is found, before it is handed out;
        ``feed``: called before each look, to write what others changed into this index (a
        replica on another machine follows the writers' change log)."""
        self.store = store
        self._on_change = on_change
        self._feed = feed
        self._feed_failing = False
        self.progress = 0  # chunks added so far by a repair from the store (shown while loading)
        self._check_every_s = check_every_s
        self._index: LexicalIndex | None = None
        self._seen = ""
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._stop: threading.Event | None = None

    def __call__(self) -> LexicalIndex:
        index = self._index
        if index is not None and (self._stop is not None or self._fresh_enough()):
            return index
        return self.refresh()

    def refresh(self) -> LexicalIndex:
        """Look at the index's commit now; a new ``LexicalIndex`` if it changed."""
        with self._lock:
            self._checked_at = time.monotonic()
            self._fed()
            generation = self.store.generation()
            if self._index is None or generation != self._seen:
                self._changed()
                self._index = LexicalIndex(self.store.view())
                self._seen = generation
            return self._index

    def _fed(self) -> None:
        if self._feed is None:
            return
        try:
            self._feed()
        except Exception as err:  # e.g. the store is down: its changes come when it is back
            if not self._feed_failing:
                log.warning("cannot follow the store's changes: %s", err)
            self._feed_failing = True
        else:
            self._feed_failing = False

    def _changed(self) -> None:
        if self._on_change is None:
            return
        try:
            self._on_change()
        except Exception as err:  # e.g. a store that is down: the lexical change still counts
            log.warning("lexical index changed, but its follower could not: %s", err)

    def read_so_far(self, done: int, _total: int) -> None:
        self.progress = done

    def follow(self) -> None:
        """Refresh on a background thread from now on (idempotent); ``stop()`` ends it."""
        if self._stop is not None:
            return
        self._stop = threading.Event()
        threading.Thread(target=self._follow, args=(self._stop,), name="lexical-follow", daemon=True).start()

    def stop(self) -> None:
        if self._stop is not None:
            self._stop.set()

    def _fresh_enough(self) -> bool:
        return time.monotonic() - self._checked_at < self._check_every_s

    def _follow(self, stop: threading.Event) -> None:
        failing = False
        while not stop.wait(self._check_every_s):
            try:
                self.refresh()
            except Exception as err:  # an unreadable folder: keep serving the last index
                if not failing:
                    log.warning("cannot refresh the lexical index: %s", err)
                failing = True
            else:
                failing = False
