"""BM25 as plain numpy arrays, in parts: built in one streaming pass, saved as ``.npy``,
loaded mapped, and scored across parts with statistics of the whole.

The same scoring as bm25s's default, "lucene": idf = ln(1 + (N - df + 0.5) / (df + 0.5))
times tf / (tf + k1 (1 - b + b len / average len)), k1 = 1.5, b = 0.75 — what the retrieval
weights were tuned with; a test checks the scores match bm25s's on article text.

Written here because bm25s's ``index`` wants every chunk's token list in memory at once (at
a million chunks, ~100 million Python strings), because arrays on disk let a replica start
by mapping them, not by re-reading the store, and because an index in parts takes a new
article by adding a small part, not by rebuilding the whole: the weights are computed at
query time from the counts, with N, df and the average length of every part together
(minus the chunks removed since a part was written), so an index in parts scores exactly
as one built at once from the same chunks.

Two layouts of each part's matrix:
* ``TermCounts`` (chunk-major: each chunk's term ids and counts) — kept so that parts can
  be merged, and removed chunks discounted, without tokenising again;
* ``Postings`` (term-major: each term's chunks and counts) — what a query reads: one slice
  per query term.
"""

from __future__ import annotations

import json
import math
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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

    def id_of(self, term: str) -> int:
        found = self.ids.get(term)
        if found is None:
            found = self.ids[term] = len(self.terms)
            self.terms.append(term)
        return found

    def ids_for(self, other: Vocabulary) -> np.ndarray:
        """For each of ``other``'s term ids, this vocabulary's id (added where missing)."""
        return np.array([self.id_of(term) for term in other.terms], dtype=np.int32)


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
    def merge(parts: Sequence[TermCounts]) -> TermCounts:
        """The parts' chunks one after the other, their term ids mapped into one vocabulary."""
        vocab = Vocabulary()
        terms = [vocab.ids_for(part.vocab)[part.terms] if len(part.terms) else part.terms for part in parts]
        sizes = np.concatenate([np.diff(part.ptr) for part in parts]) if parts else np.zeros(0, np.int64)
        ptr = np.zeros(len(sizes) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum(sizes)
        return TermCounts(
            vocab,
            ptr,
            np.concatenate(terms).astype(np.int32) if parts else np.zeros(0, np.int32),
            np.concatenate([part.counts for part in parts]) if parts else np.zeros(0, np.uint16),
        )

    def lengths(self) -> np.ndarray:
        """Terms per chunk (with repeats): BM25's document length."""
        per_entry = np.repeat(np.arange(self.chunks), np.diff(self.ptr))
        return np.bincount(per_entry, weights=self.counts, minlength=self.chunks).astype(np.float32)

    def df(self) -> np.ndarray:
        """Chunks per term (the vocabulary's ids)."""
        return np.bincount(self.terms, minlength=len(self.vocab))


class CountsBuilder:
    """Collects chunks' term counts one chunk at a time, in compact arrays."""

    def __init__(self) -> None:
        self.vocab = Vocabulary()
        self._ptr = array("q", [0])
        self._terms = array("i")
        self._counts = array("H")

    def __len__(self) -> int:
        return len(self._ptr) - 1

    def add(self, terms: Iterable[str]) -> None:
        for term, count in Counter(terms).items():
            self._terms.append(self.vocab.id_of(term))
            self._counts.append(min(count, 65535))
        self._ptr.append(len(self._terms))

    def build(self) -> TermCounts:
        # Views of the builder's buffers, not copies: at a million chunks a copy is ~1 GB more.
        return TermCounts(
            self.vocab,
            np.frombuffer(self._ptr, dtype=np.int64),
            np.frombuffer(self._terms, dtype=np.int32),
            np.frombuffer(self._counts, dtype=np.uint16),
        )


@dataclass
class Postings:
    """Term-major counts: ``ptr[t]:ptr[t+1]`` are term t's chunks (ascending) and counts."""

    ptr: np.ndarray  # int64, terms + 1
    chunks: np.ndarray  # int32
    tf: np.ndarray  # uint16

    @classmethod
    def from_counts(cls, counts: TermCounts) -> Postings:
        order = np.argsort(counts.terms, kind="stable")  # chunks stay ascending within a term
        ptr = np.zeros(len(counts.vocab) + 1, dtype=np.int64)
        ptr[1:] = np.cumsum(np.bincount(counts.terms, minlength=len(counts.vocab)))
        chunk_of = np.repeat(np.arange(counts.chunks, dtype=np.int32), np.diff(counts.ptr))
        return cls(ptr, chunk_of[order], counts.counts[order])

    def of(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = int(self.ptr[t]), int(self.ptr[t + 1])
        return self.chunks[start:end], self.tf[start:end]

    def df(self, t: int) -> int:
        return int(self.ptr[t + 1] - self.ptr[t])


@dataclass
class Part:
    """One part of an index: its counts both ways and its chunks' lengths."""

    counts: TermCounts
    postings: Postings
    lengths: np.ndarray  # float32 per chunk

    @classmethod
    def of(cls, counts: TermCounts) -> Part:
        return cls(counts, Postings.from_counts(counts), counts.lengths())

    @property
    def vocab(self) -> Vocabulary:
        return self.counts.vocab

    def __len__(self) -> int:
        return self.counts.chunks


@dataclass
class _Placed:
    part: Part
    offset: int
    removed: np.ndarray  # local positions no longer counted
    removed_df: dict[int, int] = field(default_factory=dict)  # term id → removed chunks having it


class Bm25:
    """BM25 over parts laid end to end (part i's chunk j is position offset_i + j), with
    some chunks removed: they score 0 and count in no statistic."""

    def __init__(
        self,
        parts: Sequence[Part],
        removed: Sequence[np.ndarray] | None = None,
        params: Bm25Params = Bm25Params(),
    ) -> None:
        self.params = params
        removed = removed or [np.zeros(0, np.int64)] * len(parts)
        self._parts: list[_Placed] = []
        offset, total_length, live = 0, 0.0, 0
        for part, removed_here in zip(parts, removed, strict=True):
            gone = np.asarray(removed_here, dtype=np.int64)
            placed = _Placed(part, offset, gone)
            if len(gone):
                df = part.counts.take(np.sort(gone)).df()
                placed.removed_df = {int(t): int(df[t]) for t in np.flatnonzero(df)}
            self._parts.append(placed)
            total_length += float(part.lengths.sum(dtype=np.float64)) - float(part.lengths[gone].sum())
            live += len(part) - len(gone)
            offset += len(part)
        self.size = offset  # positions, removed ones included
        self.n = live
        self.average = total_length / live if live else 1.0
        self.removed = (
            np.concatenate([p.removed + p.offset for p in self._parts])
            if self._parts
            else np.zeros(0, np.int64)
        )

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """Each position's score: the sum over the query's terms (a repeated term counts again)."""
        total = np.zeros(self.size, dtype=np.float32)
        k1, b = self.params.k1, self.params.b
        for term in terms:
            idf = self.idf(term)
            if idf is None:
                continue
            for placed in self._parts:
                t = placed.part.vocab.ids.get(term)
                if t is None:
                    continue
                chunks, tf = placed.part.postings.of(t)
                tf = tf.astype(np.float32)
                norm = k1 * (1.0 - b + b * placed.part.lengths[chunks] / self.average)
                # A term's chunks are distinct, so a plain indexed add is exact (no np.add.at).
                total[chunks + placed.offset] += (idf * tf / (tf + norm)).astype(np.float32)
        if len(self.removed):
            total[self.removed] = 0.0
        return total

    def df(self, term: str) -> int:
        found = 0
        for placed in self._parts:
            t = placed.part.vocab.ids.get(term)
            if t is not None:
                found += placed.part.postings.df(t) - placed.removed_df.get(t, 0)
        return found

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


# File names of the arrays in a saved part.
_ARRAYS = (
    "counts_ptr",
    "counts_terms",
    "counts_values",
    "postings_ptr",
    "postings_chunks",
    "postings_tf",
    "lengths",
)


def save(folder: Path, part: Part) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(part.vocab.terms), encoding="utf-8")
    counts, postings = part.counts, part.postings
    values = (
        counts.ptr,
        counts.terms,
        counts.counts,
        postings.ptr,
        postings.chunks,
        postings.tf,
        part.lengths,
    )
    for name, array_ in zip(_ARRAYS, values, strict=True):
        np.save(folder / f"{name}.npy", array_)


def load(folder: Path) -> Part:
    """A saved part, memory-mapped (read-only): pages are read when a query touches them."""
    vocab = Vocabulary(json.loads((folder / "vocab.json").read_text(encoding="utf-8")))
    ptr, terms, values, pptr, chunks, tf, lengths = (
        np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS
    )
    return Part(TermCounts(vocab, ptr, terms, values), Postings(pptr, chunks, tf), lengths)
