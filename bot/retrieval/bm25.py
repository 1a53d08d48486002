"""BM25 as plain numpy arrays: built in one streaming pass, saved as ``.npy``, loaded mapped.

The same scoring as bm25s's default, "lucene": idf = ln(1 + (N - df + 0.5) / (df + 0.5))
times tf / (tf + k1 (1 - b + b len / average len)), k1 = 1.5, b = 0.75 — what the retrieval
weights were tuned with; a test checks the scores match bm25s's on article text.

Written here because bm25s's ``index`` wants every chunk's token list in memory at once (at
a million chunks, ~100 million Python strings), and because arrays on disk let a replica
start by mapping them, not by re-reading the store.

Two layouts of one matrix:
* ``TermCounts`` (chunk-major: each chunk's term ids and counts) — the raw counts, kept so
  that a changed index is rebuilt from the chunks that did not change without tokenising
  them again;
* ``Bm25`` (term-major: each term's chunks and weights) — what a query reads: one slice
  per query term.
"""

from __future__ import annotations

import json
import math
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Bm25Params:
    k1: float = 1.5  # bm25s's defaults, which bench/tune_retrieval.py tuned the weights with
    b: float = 0.75


class Vocabulary:
    """Term ↔ id; ids are given in order of first sight."""

    def __init__(self, terms: Sequence[str] = ()) -> None:
        self.terms = list(terms)
        self.ids = {term: i for i, term in enumerate(self.terms)}

    def __len__(self) -> int:
        return len(self.terms)

    def copy(self) -> Vocabulary:
        return Vocabulary(self.terms)

    def id_of(self, term: str) -> int:
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.terms)
            self.terms.append(term)
        return found


@dataclass
class TermCounts:
    """Per chunk: its term ids and their counts (CSR: ``ptr[i]:ptr[i+1]`` is chunk i's slice)."""

    vocab: Vocabulary
    ptr: np.ndarray  # int64, chunks + 1
    terms: np.ndarray  # int32, one per (chunk, term)
    counts: np.ndarray  # uint16 (capped), same length

    @property
    def chunks(self) -> int:
        return len(self.ptr) - 1

    def take(self, chunks: np.ndarray) -> TermCounts:
        """Only these chunks (ascending positions), renumbered from 0; the same vocabulary."""
        sizes = np.diff(self.ptr)[chunks]
        entries = np.repeat(self.ptr[:-1][chunks], sizes) + _ranges(sizes)
        ptr = np.zeros(len(chunks) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum(sizes)
        return TermCounts(self.vocab, ptr, np.asarray(self.terms[entries]), np.asarray(self.counts[entries]))

    @staticmethod
    def concat(first: TermCounts, second: TermCounts) -> TermCounts:
        """``first``'s chunks then ``second``'s; ``second``'s vocabulary extends ``first``'s."""
        assert second.vocab.terms[: len(first.vocab)] == first.vocab.terms, "vocabularies must agree"
        ptr = np.concatenate([first.ptr, second.ptr[1:] + first.ptr[-1]])
        terms = np.concatenate([first.terms, second.terms])
        return TermCounts(second.vocab, ptr, terms, np.concatenate([first.counts, second.counts]))

    def lengths(self) -> np.ndarray:
        """Terms per chunk (with repeats): BM25's document length."""
        per_entry = np.repeat(np.arange(self.chunks), np.diff(self.ptr))
        return np.bincount(per_entry, weights=self.counts, minlength=self.chunks)


class CountsBuilder:
    """Collects chunks' term counts one chunk at a time, in compact arrays."""

    def __init__(self, vocab: Vocabulary | None = None) -> None:
        self.vocab = vocab or Vocabulary()
        self._ptr = array("q", [0])
        self._terms = array("i")
        self._counts = array("H")

    def add(self, terms: Iterable[str]) -> None:
        for term, count in Counter(terms).items():
            self._terms.append(self.vocab.id_of(term))
            self._counts.append(min(count, 65535))
        self._ptr.append(len(self._terms))

    def build(self) -> TermCounts:
        return TermCounts(
            self.vocab,
            np.frombuffer(self._ptr, dtype=np.int64).copy(),
            np.frombuffer(self._terms, dtype=np.int32).copy(),
            np.frombuffer(self._counts, dtype=np.uint16).copy(),
        )


class Bm25:
    """Term-major BM25 weights: ``ptr[t]:ptr[t+1]`` are term t's chunks and their weights."""

    def __init__(self, vocab: Vocabulary, ptr: np.ndarray, chunks: np.ndarray, weights: np.ndarray, n: int):
        self.vocab = vocab
        self.ptr = ptr
        self.chunks = chunks
        self.weights = weights
        self.n = n

    @classmethod
    def from_counts(cls, counts: TermCounts, params: Bm25Params = Bm25Params()) -> Bm25:
        n = counts.chunks
        lengths = counts.lengths()
        average = float(lengths.mean()) if n else 1.0
        chunk_of = np.repeat(np.arange(n, dtype=np.int32), np.diff(counts.ptr))
        df = np.bincount(counts.terms, minlength=len(counts.vocab)).astype(np.float64)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        tf = counts.counts.astype(np.float32)
        norm = params.k1 * (1.0 - params.b + params.b * lengths[chunk_of] / (average or 1.0))
        weights = (idf[counts.terms] * tf / (tf + norm)).astype(np.float32)
        order = np.argsort(counts.terms, kind="stable")  # term-major, chunks ascending within a term
        ptr = np.zeros(len(counts.vocab) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum(np.bincount(counts.terms, minlength=len(counts.vocab)))
        return cls(counts.vocab, ptr, chunk_of[order], weights[order], n)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """Each chunk's score: the sum over the query's terms (a repeated term counts again)."""
        total = np.zeros(self.n, dtype=np.float32)
        for term in terms:
            t = self.vocab.ids.get(term)
            if t is None:
                continue
            start, end = int(self.ptr[t]), int(self.ptr[t + 1])
            np.add.at(total, self.chunks[start:end], self.weights[start:end])
        return total

    def df(self, term: str) -> int:
        t = self.vocab.ids.get(term)
        return 0 if t is None else int(self.ptr[t + 1] - self.ptr[t])

    def idf(self, term: str) -> float | None:
        """The term's rarity (None for a term no chunk has)."""
        df = self.df(term)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5)) if df else None


def _ranges(sizes: np.ndarray) -> np.ndarray:
    """0..size-1 for each size, concatenated ([2, 3] → [0, 1, 0, 1, 2])."""
    total = int(sizes.sum())
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    ranges: np.ndarray = np.arange(total, dtype=np.int64) - starts
    return ranges


# File names of the arrays in a saved index.
_COUNTS = ("counts_ptr", "counts_terms", "counts_values")
_BM25 = ("bm25_ptr", "bm25_chunks", "bm25_weights")


def save(folder: Path, counts: TermCounts, bm25: Bm25) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(counts.vocab.terms), encoding="utf-8")
    for name, values in zip(_COUNTS, (counts.ptr, counts.terms, counts.counts), strict=True):
        np.save(folder / f"{name}.npy", values)
    for name, values in zip(_BM25, (bm25.ptr, bm25.chunks, bm25.weights), strict=True):
        np.save(folder / f"{name}.npy", values)


def load(folder: Path) -> tuple[TermCounts, Bm25]:
    """Both layouts, memory-mapped (read-only): pages are read when a query touches them."""
    vocab = Vocabulary(json.loads((folder / "vocab.json").read_text(encoding="utf-8")))
    ptr, terms, values = (np.load(folder / f"{name}.npy", mmap_mode="r") for name in _COUNTS)
    counts = TermCounts(vocab, ptr, terms, values)
    bptr, chunks, weights = (np.load(folder / f"{name}.npy", mmap_mode="r") for name in _BM25)
    return counts, Bm25(vocab, bptr, chunks, weights, counts.chunks)
