"""The lexical side of retrieval: BM25 over every stored chunk, from a snapshot on disk.

``LexicalIndex`` answers BM25 queries and hands out the chunks' texts and metadata (read
from the snapshot's SQLite per candidate), so the dense side asks Chroma for ids and
distances only and the article library needs no second read of the store. In memory it
holds only the vocabulary and a few per-chunk arrays: the rest is memory-mapped or on disk
(bot/retrieval/snapshot.py). ``LexicalCache`` follows the store: a new version of the store
becomes a new snapshot, built from the previous one plus the chunks it lacks.
"""

from __future__ import annotations

import logging
import math
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.documents import Document

from bot.language.text import terms
from bot.retrieval import snapshot as snapshots
from bot.retrieval.query_hints import SourceMatcher
from bot.retrieval.snapshot import Chunk, Snapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LexicalConfig:
    """Initial choices, not tuned."""

    # Asking the store for its version costs a round trip (a network one in server mode): at
    # most this often; a change made by another process (a build, a CLI takedown, another
    # replica's publication) is picked up this long after it at the latest. 1 s: a takedown
    # must leave every replica's answers within about a second (issue 13); two small reads
    # a second per replica cost the store nothing measurable.
    check_every_s: float = 1.0
    # Chunks whose text and metadata stay parsed in memory (a question reads ~100-200).
    cached_chunks: int = 4096


_DEFAULTS = LexicalConfig()


class LexicalIndex:
    """BM25 over every stored chunk (its header line + text), and the chunks themselves."""

    def __init__(self, snapshot: Snapshot, keep: Any = None) -> None:
        """``keep``: an object to hold on to as long as the index lives (a temporary folder)."""
        self.snapshot = snapshot
        self._keep = keep
        self.ids = _Column(self, "id")
        self.texts = _Column(self, "text")
        self.metadatas = _Column(self, "metadata")
        self.sources = sorted(s for s in snapshot.sources if s)
        self.matcher = SourceMatcher(self.sources)  # compiled once per index, not per query
        n = snapshot.chunk_count
        self._unknown_idf = math.log(1 + (n - 1 + 0.5) / 1.5) if n else 1.0  # as rare as can be
        self._cache: OrderedDict[int, Chunk] = OrderedDict()
        self._cache_lock = threading.Lock()

    @classmethod
    def of(
        cls, ids: Sequence[str], texts: Sequence[str], metadatas: Sequence[dict[str, Any]]
    ) -> LexicalIndex:
        """An index of these chunks in a temporary folder (tests, small one-off indexes)."""
        folder = tempfile.TemporaryDirectory(prefix="newsbot-lexical-")
        chunks = [Chunk(i, t, dict(m or {})) for i, t, m in zip(ids, texts, metadatas, strict=True)]
        return cls(snapshots.of_chunks(Path(folder.name), chunks), keep=folder)

    @classmethod
    def from_vectorstore(cls, vectorstore: Any) -> LexicalIndex:
        """Every chunk, read page by page through anything with Chroma's ``get``, into a
        temporary folder (``LexicalCache`` keeps snapshots in the data folder instead)."""
        folder = tempfile.TemporaryDirectory(prefix="newsbot-lexical-")
        return cls(snapshots.build(Path(folder.name), "adhoc", vectorstore.get), keep=folder)

    def __len__(self) -> int:
        """Positions (what ``scores`` and the masks are indexed by), removed chunks included."""
        return len(self.snapshot)

    @property
    def chunk_count(self) -> int:
        """Chunks in the index (removed ones not counted)."""
        return self.snapshot.chunk_count

    @property
    def article_count(self) -> int:
        return len(self.snapshot.article_ids)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for the query (zeros when no term is known)."""
        return self.snapshot.bm25.scores(terms(query))

    def idf(self, term: str) -> float:
        """Rarity of a (stemmed) term in the corpus; unknown terms count as rare."""
        found = self.snapshot.bm25.idf(term)
        return self._unknown_idf if found is None else found

    def mask_sources(self, sources: set[str]) -> np.ndarray:
        codes = [i for i, source in enumerate(self.snapshot.sources) if source in sources]
        return np.isin(self.snapshot.source_code, codes)

    def article_mask(self, article_id: str) -> np.ndarray:
        """True for the chunks of this article."""
        code = self.snapshot.code_of_article.get(article_id, -2)  # -1 marks removed chunks
        return np.asarray(self.snapshot.article_code == code)

    @property
    def restricted(self) -> np.ndarray:
        """True for the chunks of subscriber-only articles (per position)."""
        return self.snapshot.restricted

    def positions_of(self, ids: Iterable[str]) -> dict[str, int]:
        return self.snapshot.positions_of(ids)

    def published(self, positions: Sequence[int] | np.ndarray) -> list[float | None]:
        """Publication times (seconds since the epoch) of these chunks; None where unknown."""
        stamps = self.snapshot.published[np.asarray(positions, dtype=np.int64)]
        return [None if math.isnan(s) else float(s) for s in stamps]

    def prefetch(self, positions: Iterable[int]) -> None:
        """Read these chunks in one query (instead of one query each when first used)."""
        with self._cache_lock:
            missing = [int(p) for p in positions if int(p) not in self._cache]
        self._remember(self.snapshot.rows(missing))

    def chunk(self, i: int) -> Chunk:
        with self._cache_lock:
            found = self._cache.get(i)
            if found is not None:
                self._cache.move_to_end(i)
                return found
        rows = self.snapshot.rows([i])
        if i not in rows:
            raise IndexError(i)
        self._remember(rows)
        return rows[i]

    def _remember(self, rows: dict[int, Chunk]) -> None:
        with self._cache_lock:
            self._cache.update(rows)
            while len(self._cache) > _DEFAULTS.cached_chunks:
                self._cache.popitem(last=False)

    def document(self, i: int) -> Document:
        chunk = self.chunk(int(i))
        return Document(page_content=chunk.text, metadata=dict(chunk.metadata), id=chunk.id)

    def article_chunks(self, article_id: str, subscriber: bool = False) -> list[Document]:
        """Every chunk of one article in reading order (empty for an unknown id); subscriber-only
        chunks for a ``subscriber`` only."""
        positions = self.snapshot.article_positions(article_id, subscriber)
        self.prefetch(positions)
        return [self.document(i) for i in positions]

    def articles(self) -> list[dict[str, str]]:
        """Each article's id and fields (title, source, author, published_at, url)."""
        return self.snapshot.articles()


class _Column(Sequence[Any]):
    """One field of every chunk as a read-only sequence, read from the snapshot on use."""

    def __init__(self, index: LexicalIndex, field: str) -> None:
        self._index = index
        self._field = field

    def __len__(self) -> int:
        return len(self._index)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        return getattr(self._index.chunk(int(i) % len(self)), self._field)


class LexicalCache:
    """Keeps the BM25 index in step with the store: rebuilt only after the store changes.

    Until ``follow()`` is called, a call checks the store's version itself (at most every
    ``check_every_s``), which suits the CLIs. A server calls ``follow()``: from then on a
    background thread checks and rebuilds, and a call only hands out the current index, so a
    question never waits on the store's version or on a rebuild, and a hung store cannot
    freeze the routes that only read articles.
    """

    def __init__(
        self,
        reader: Any,
        version: Callable[[], str],
        root: Path | None = None,
        check_every_s: float = _DEFAULTS.check_every_s,
        config: snapshots.SnapshotConfig | None = None,
    ) -> None:
        """``root``: the folder of the snapshots (shared by replicas on one data folder);
        none: a temporary one."""
        self._config = config or snapshots.SnapshotConfig()
        self.progress = 0  # chunks read so far by a first, full build (shown while loading)
        self._reader = reader
        self._version = version
        self._temporary = None if root else tempfile.TemporaryDirectory(prefix="newsbot-lexical-")
        self._root = root or Path(self._temporary.name)  # type: ignore[union-attr]
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
                previous = self._index.snapshot if self._index else snapshots.latest(self._root)
                started = time.monotonic()
                snapshot = snapshots.build(
                    self._root, version, self._reader.get, previous, self._config, self._read_so_far
                )
                took = time.monotonic() - started
                log.info(
                    "lexical index ready",
                    extra={
                        "chunks": snapshot.chunk_count,
                        "segments": len(snapshot.segments),
                        "seconds": round(took, 2),
                    },
                )
                self._index = LexicalIndex(snapshot)
                self._seen_version = version
            return self._index

    def apply(self, added: Sequence[str], removed: Sequence[str]) -> None:
        """Take in a change made in this process whose chunk ids are known (a publication, a
        takedown) at once, without listing the store; the next check of the store's version
        reconciles it with any other change. Nothing to do before an index is loaded."""
        with self._lock:
            if self._index is None:
                return
            snapshot = snapshots.apply_change(
                self._root, self._reader.get, self._index.snapshot, added, removed, self._config
            )
            self._index = LexicalIndex(snapshot)

    def _read_so_far(self, chunks: int) -> None:
        self.progress = chunks

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
