"""The lexical side of retrieval: BM25 (bm25s) over every stored chunk, kept in memory.

``LexicalIndex`` also holds the chunks' texts and metadata, so the dense side asks Chroma
for ids and distances only and the article library rebuilds articles without a second
read of the store. ``LexicalCache`` rebuilds it only when the store's version changes.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from langchain_core.documents import Document

from bot.language.text import terms
from bot.retrieval.query_hints import SourceMatcher
from index.chunking import article_header

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LexicalConfig:
    """Initial choices, not tuned."""

    page: int = 5000  # chunks per read when filling the index from the store
    # Asking the store for its version costs a round trip (a network one in server mode): at
    # most this often; a changed index is picked up this long after the change at the latest.
    check_every_s: float = 5.0


_DEFAULTS = LexicalConfig()


class LexicalIndex:
    """BM25 over every stored chunk (its header line + text), built from the store once."""

    def __init__(self, ids: list[str], texts: list[str], metadatas: list[dict[str, Any]]) -> None:
        import bm25s

        self.ids = ids
        self.texts = texts
        self.metadatas = metadatas
        self.position = {chunk_id: i for i, chunk_id in enumerate(ids)}
        # Outlet, title and date words matter a lot on news: BM25 always sees them, whether or
        # not the dense side embedded the header.
        corpus = [terms(f"{article_header(m)}\n{t}") for t, m in zip(texts, metadatas, strict=True)]
        self._bm25 = bm25s.BM25()
        if ids:
            self._bm25.index(corpus, show_progress=False)
        self._idf = _idf(corpus)
        self._unknown_idf = max(self._idf.values(), default=1.0)
        self.sources = sorted({str(m.get("source", "")) for m in metadatas if m.get("source")})
        self.matcher = SourceMatcher(self.sources)  # compiled once per index, not per query
        self._source_of = np.array([str(m.get("source", "")) for m in metadatas], dtype=object)
        self._by_article: dict[str, list[int]] = {}
        for i, meta in enumerate(metadatas):
            self._by_article.setdefault(str(meta.get("article_id", "")), []).append(i)

    @classmethod
    def from_vectorstore(cls, vectorstore: Any) -> LexicalIndex:
        """Read all chunks page by page through anything with Chroma's ``get`` (the store's
        guarded reader, or LangChain's ``Chroma``)."""
        ids: list[str] = []
        texts: list[str] = []
        metadatas: list[dict[str, Any]] = []
        while True:
            page = vectorstore.get(limit=_DEFAULTS.page, offset=len(ids), include=["documents", "metadatas"])
            if not page["ids"]:
                break
            ids.extend(page["ids"])
            texts.extend(page["documents"])
            metadatas.extend(dict(m or {}) for m in page["metadatas"])
        return cls(ids, texts, metadatas)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def article_count(self) -> int:
        return len(self._by_article)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query (zeros when no term is known)."""
        if not self.ids:
            return np.zeros(0, dtype=np.float32)
        tokens = [t for t in terms(query) if t in self._bm25.vocab_dict]
        if not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(tokens), dtype=np.float32)

    def idf(self, term: str) -> float:
        """Rarity of a (stemmed) term in the corpus; unknown terms count as rare."""
        return self._idf.get(term, self._unknown_idf)

    def mask_sources(self, sources: set[str]) -> np.ndarray:
        return np.isin(self._source_of, list(sources))

    def document(self, i: int) -> Document:
        return Document(page_content=self.texts[i], metadata=dict(self.metadatas[i]), id=self.ids[i])

    def article_chunks(self, article_id: str) -> list[Document]:
        """Every chunk of one article in reading order (empty for an unknown id)."""
        positions = self._by_article.get(article_id, [])
        ordered = sorted(positions, key=lambda i: int(self.metadatas[i].get("start", 0)))
        return [self.document(i) for i in ordered]


def _idf(corpus: list[list[str]]) -> dict[str, float]:
    df = Counter(term for doc in corpus for term in set(doc))
    n = len(corpus)
    return {term: math.log(1 + (n - f + 0.5) / (f + 0.5)) for term, f in df.items()}


class LexicalCache:
    """Keeps the BM25 index in step with the store: rebuilt only after the store changes.

    Until ``follow()`` is called, a call checks the store's version itself (at most every
    ``check_every_s``), which suits the CLIs. A server calls ``follow()``: from then on a
    background thread checks and rebuilds, and a call only hands out the current index, so a
    question never waits on the store's version or on a rebuild, and a hung store cannot
    freeze the routes that only read articles.
    """

    def __init__(
        self, reader: Any, version: Callable[[], str], check_every_s: float = _DEFAULTS.check_every_s
    ) -> None:
        self._reader = reader
        self._version = version
        self._check_every_s = check_every_s
        self._index: LexicalIndex | None = None
        self._seen_version = ""
        self._checked_at = 0.0
        self._lock = threading.Lock()  # one rebuild at a time
        self._stop: threading.Event | None = None

    def __call__(self) -> LexicalIndex:
        index = self._index
        if index is not None and (self._stop is not None or self._fresh_enough()):
            return index
        return self.refresh()

    def refresh(self) -> LexicalIndex:
        """Check the store's version now; rebuild if it changed (or nothing is loaded yet)."""
        with self._lock:
            self._checked_at = time.monotonic()
            version = self._version()
            if self._index is None or version != self._seen_version:
                self._index = LexicalIndex.from_vectorstore(self._reader)
                self._seen_version = version
            return self._index

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
            except Exception as err:  # a store that is down: keep serving the last index
                if not failing:
                    log.warning("cannot refresh the lexical index: %s", err)
                failing = True
            else:
                failing = False
