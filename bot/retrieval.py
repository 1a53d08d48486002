"""Hybrid retrieval as a LangChain ``BaseRetriever``: dense (Chroma) + BM25 + metadata.

Candidates come from Chroma's similarity search (all outlets, and again within the
outlets a question names) and from BM25 over the same chunks. Each candidate gets a
weighted score: cosine similarity, BM25 normalised by the query's best BM25 score,
a boost when its outlet / date is the one the question names, and a small recency
bonus so that, of two conflicting articles, the newer ranks first. Near-duplicate
chunks (syndicated copies) are collapsed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from bot.query_analysis import QueryHints, SourceMatcher, analyse
from bot.text import jaccard, shingles, terms
from index.chunking import article_header

PAGE = 5000


@dataclass(frozen=True)
class RetrievalWeights:
    # Tuned on the MultiHop-RAG dev questions (bench/tune_retrieval.py): a flat optimum, so
    # these global weights are not fitted to individual questions.
    dense: float = 1.0
    lexical: float = 1.5
    source: float = 0.6
    date: float = 0.5
    recency: float = 0.05
    duplicate_jaccard: float = 0.8
    same_story_jaccard: float = 0.3  # this similar (but no copy): two versions of one story
    conflict_margin: float = 0.15  # ...and this close in score: the newer one goes first


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

    @classmethod
    def from_vectorstore(cls, vectorstore: Any) -> LexicalIndex:
        """Read all chunks through LangChain's ``Chroma.get``, page by page."""
        ids: list[str] = []
        texts: list[str] = []
        metadatas: list[dict[str, Any]] = []
        while True:
            page = vectorstore.get(limit=PAGE, offset=len(ids), include=["documents", "metadatas"])
            if not page["ids"]:
                break
            ids.extend(page["ids"])
            texts.extend(page["documents"])
            metadatas.extend(dict(m or {}) for m in page["metadatas"])
        return cls(ids, texts, metadatas)

    def __len__(self) -> int:
        return len(self.ids)

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


class HybridRetriever(BaseRetriever):
    """Top-k chunks for a question; ``metadata`` carries score, dense, lexical and rank."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    vectorstore: Any
    embed_query: Callable[[str], list[float]]
    lexical_index: Callable[[], LexicalIndex]
    k: int = 10
    candidates: int = 50
    weights: RetrievalWeights = RetrievalWeights()

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        return self.search(query, k=int(kwargs.get("k", self.k)), article_id=kwargs.get("article_id"))

    def search(self, query: str, k: int | None = None, article_id: str | None = None) -> list[Document]:
        """Rank chunks for ``query``; with ``article_id`` only that article's chunks."""
        k = k or self.k
        lexical = self.lexical_index()
        if not len(lexical):
            return []
        hints = analyse(query, lexical.matcher)
        vector = self.embed_query(query)
        dense = self._dense_candidates(vector, hints, article_id)
        bm25 = lexical.scores(query)
        candidates = self._candidate_positions(lexical, dense, bm25, hints, article_id)
        scored = self._score(lexical, candidates, dense, bm25, hints)
        return self._top_k(lexical, scored, k)

    def _dense_candidates(
        self, vector: list[float], hints: QueryHints, article_id: str | None
    ) -> dict[str, float]:
        """Chunk id → cosine similarity, from Chroma (plus a search within named outlets)."""
        filters: list[dict[str, Any] | None] = [None]
        if article_id:
            filters = [{"article_id": article_id}]
        elif hints.sources:
            filters.append({"source": {"$in": sorted(hints.sources)}})
        found: dict[str, float] = {}
        # Ids and distances only: the chunks' texts and metadata are already in memory (the BM25
        # index), and fetching them with every query tripled its time (measured: 5.1 → 1.6 ms).
        collection = self.vectorstore._collection
        for where in filters:
            result = collection.query(
                query_embeddings=[vector], n_results=self.candidates, where=where, include=["distances"]
            )
            for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True):
                found[chunk_id] = 1.0 - float(distance)  # cosine space: distance = 1 - cos
        return found

    def _candidate_positions(
        self,
        lexical: LexicalIndex,
        dense: dict[str, float],
        bm25: np.ndarray,
        hints: QueryHints,
        article_id: str | None,
    ) -> np.ndarray:
        positions = {lexical.position[i] for i in dense if i in lexical.position}
        allowed = np.ones(len(bm25), dtype=bool)
        if article_id:
            allowed = np.array([m.get("article_id") == article_id for m in lexical.metadatas])
        ranked = np.where(allowed, bm25, -1.0)
        positions.update(int(i) for i in np.argsort(-ranked)[: self.candidates] if ranked[i] > 0)
        if hints.sources and not article_id:
            within = np.where(lexical.mask_sources(hints.sources), bm25, -1.0)
            positions.update(int(i) for i in np.argsort(-within)[: self.candidates] if within[i] > 0)
        return np.array(sorted(positions), dtype=np.int64)

    def _score(
        self,
        lexical: LexicalIndex,
        positions: np.ndarray,
        dense: dict[str, float],
        bm25: np.ndarray,
        hints: QueryHints,
    ) -> list[tuple[float, int, float, float]]:
        if not len(positions):
            return []
        w = self.weights
        floor = min(dense.values(), default=0.0)  # unseen by dense search: at most the worst seen
        top_bm25 = float(bm25[positions].max()) or 1.0
        dates = [_timestamp(lexical.metadatas[i].get("published_at", "")) for i in positions]
        known = [d for d in dates if d is not None]
        span = (max(known) - min(known)) if len(known) > 1 else 0.0
        scored = []
        for pos, published in zip(positions, dates, strict=True):
            meta = lexical.metadatas[pos]
            cos = dense.get(lexical.ids[pos], floor)
            lex = float(bm25[pos]) / top_bm25
            score = w.dense * cos + w.lexical * lex
            score += w.source * (meta.get("source") in hints.sources)
            score += w.date * hints.date_score(str(meta.get("published_at", "")))
            if span and published is not None:
                score += w.recency * (published - min(known)) / span
            scored.append((score, int(pos), cos, lex))
        scored.sort(key=lambda s: -s[0])
        return scored

    def _top_k(
        self, lexical: LexicalIndex, scored: Sequence[tuple[float, int, float, float]], k: int
    ) -> list[Document]:
        ranked = list(scored[: 3 * k])
        grams = [shingles(lexical.texts[item[1]]) for item in ranked]  # once, for both passes
        chosen: list[Document] = []
        seen: list[set[tuple[str, ...]]] = []
        for i in self._newer_first(lexical, ranked, grams):
            score, pos, cos, lex = ranked[i]
            if any(jaccard(grams[i], other) >= self.weights.duplicate_jaccard for other in seen):
                continue  # a near-copy of a better-ranked chunk
            doc = lexical.document(pos)
            doc.metadata.update(
                score=round(score, 4), dense=round(cos, 4), lexical=round(lex, 4), rank=len(chosen) + 1
            )
            chosen.append(doc)
            seen.append(grams[i])
            if len(chosen) == k:
                break
        return chosen

    def _newer_first(
        self,
        lexical: LexicalIndex,
        ranked: list[tuple[float, int, float, float]],
        grams: list[set[tuple[str, ...]]],
    ) -> list[int]:
        """Order of ``ranked``: two close-scoring versions of one story (updates) → newer first."""
        w = self.weights
        times = [_timestamp(lexical.metadatas[item[1]].get("published_at")) or 0.0 for item in ranked]
        order = list(range(len(ranked)))
        for i in range(len(order)):
            for j in range(i + 1, len(order)):
                a, b = order[i], order[j]
                if ranked[b][0] < ranked[a][0] - w.conflict_margin:
                    break
                similar = w.same_story_jaccard <= jaccard(grams[a], grams[b]) < w.duplicate_jaccard
                if similar and times[b] > times[a]:
                    order.insert(i, order.pop(j))
        return order


def _idf(corpus: list[list[str]]) -> dict[str, float]:
    import math
    from collections import Counter

    df = Counter(term for doc in corpus for term in set(doc))
    n = len(corpus)
    return {term: math.log(1 + (n - f + 0.5) / (f + 0.5)) for term, f in df.items()}


def _timestamp(published_at: object) -> float | None:
    text = str(published_at or "")
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class LexicalCache:
    """Keeps the BM25 index in step with the store: rebuilt only after the store changes."""

    def __init__(self, vectorstore: Any, version: Callable[[], str], check_every_s: float = 5.0) -> None:
        self._vectorstore = vectorstore
        self._version = version
        self._check_every_s = check_every_s
        self._index: LexicalIndex | None = None
        self._seen_version = ""
        self._checked_at = 0.0

    def __call__(self) -> LexicalIndex:
        now = time.monotonic()
        if self._index is not None and now - self._checked_at < self._check_every_s:
            return self._index
        self._checked_at = now
        version = self._version()
        if self._index is None or version != self._seen_version:
            self._index = LexicalIndex.from_vectorstore(self._vectorstore)
            self._seen_version = version
        return self._index
