"""Deterministic stand-ins for the expensive parts: chat model, encoder, tokenizer, Chroma.

* ``RecordingChatModel`` / ``fake_model``: replays queued replies, records the prompts.
* ``HashEmbeddings``: a bag-of-words encoder (stemmed terms hashed into 384 dimensions,
  L2-normalised). Texts that share words are similar, texts that share none are orthogonal,
  so retrieval and extractive answering behave meaningfully without the real model.
* ``WordCounter``: a token counter that counts whitespace-separated words.
* ``MemoryCollection`` / ``MemoryStore``: the parts of Chroma (collection and LangChain
  vector store) and of ``ArticleStore`` that the retriever, the BM25 cache, the article
  library and the web service use, in memory.

They are passed in through the real seams: ``build_chatbot(settings, embeddings=...,
store=..., chat_model=...)``, ``ExtractiveAnswerer(encode=...)``, ``HybridRetriever(
collection=..., embed_query=...)``, ``SentenceChunker(counter, ...)``, ``Indexer(...)``.
"""

from __future__ import annotations

import hashlib
import math
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import Field

from bot.language.text import terms, words
from index.chunking import SentenceChunker
from index.encoder import TokenEncoding
from index.guard import CallGuard, GuardConfig
from index.lexical import LexicalStore, StoredChunk
from index.loaders import load_sources
from index.store import GuardedReader, Takedown, newest_first

if TYPE_CHECKING:
    from index.store import ArticleStore


class RecordingChatModel(FakeListChatModel):
    """``responses`` are replayed in order; call number k raises ``errors[k]`` instead."""

    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    errors: dict[int, Exception] = Field(default_factory=dict)

    def _next(self, messages: list[BaseMessage]) -> None:
        call = len(self.prompts)
        self.prompts.append(list(messages))
        if call in self.errors:
            raise self.errors[call]

    def _call(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> str:
        self._next(messages)
        return super()._call(messages, stop, run_manager, **kwargs)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        self._next(messages)
        yield from super()._stream(messages, stop, run_manager, **kwargs)

    def prompt_text(self, index: int = -1) -> str:
        return "\n".join(str(m.content) for m in self.prompts[index])


def fake_model(*replies: str, errors: dict[int, Exception] | None = None) -> RecordingChatModel:
    return RecordingChatModel(responses=list(replies), prompts=[], errors=errors or {})


DIMENSIONS = 384  # as the packaged all-MiniLM-L6-v2


def _bucket(term: str, dims: int) -> tuple[int, float]:
    """A stable (not per-process salted) dimension and sign for a term."""
    digest = hashlib.blake2b(term.encode(), digest_size=8).digest()
    value = int.from_bytes(digest, "little")
    return value % dims, 1.0 if (value >> 63) & 1 else -1.0


class HashEmbeddings(Embeddings):
    """Bag of stemmed content words hashed into ``dims`` dimensions, L2-normalised.

    Cosine similarity is roughly the share of words two texts have in common, so a question
    finds the passages that use its words. A text without content words (only stopwords or
    punctuation) maps to one fixed unit vector: never a zero vector, which Chroma's cosine
    space cannot rank. ``texts_encoded`` counts every text encoded, for tests that check
    what was (not) embedded.
    """

    def __init__(self, dims: int = DIMENSIONS) -> None:
        self.dims = dims
        self.texts_encoded = 0

    def vector(self, text: str) -> np.ndarray:
        try:  # as the real model's tokenizer, which takes no lone surrogate
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise TypeError("TextEncodeInput must be a valid str (a lone surrogate)") from None
        out = np.zeros(self.dims, dtype=np.float32)
        for term, count in Counter(terms(text)).items():
            index, sign = _bucket(term, self.dims)
            out[index] += sign * count
        norm = float(np.linalg.norm(out))
        if norm == 0.0:
            out[0] = 1.0
            return out
        return out / norm

    def encode_batch(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        """Normalised vectors as a float32 array, one row per text (``Encoder`` protocol)."""
        self.texts_encoded += len(texts)
        if not texts:
            return np.zeros((0, self.dims), dtype=np.float32)
        return np.stack([self.vector(t) for t in texts]).astype(np.float32)

    def encode_tokens(self, texts: Sequence[str], batch_size: int | None = None) -> list[TokenEncoding]:
        """Each lowercased word a piece with its own hashed vector (``Encoder`` protocol)."""
        self.texts_encoded += len(texts)
        found = []
        for text in texts:
            pieces = tuple(w.lower() for w in words(text))
            matrix = np.stack([self.vector(p) for p in pieces]) if pieces else np.zeros((0, self.dims))
            found.append(TokenEncoding(pieces, matrix.astype(np.float32), self.vector(text)))
        return found

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in self.encode_batch(texts)]

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class WordCounter:
    """A token counter (``index.chunking.TokenCounter``) where one word is one token."""

    def __call__(self, texts: Sequence[str]) -> list[int]:
        return [len(text.split()) for text in texts]

    def full_count(self, texts: Sequence[str]) -> list[int]:
        """With the two special tokens, like ``index.tokens.TokenCounter.full_count``."""
        return [n + 2 for n in self(texts)]


def fake_chunker(max_tokens: int = 96, overlap_tokens: int = 16, **kwargs: Any) -> SentenceChunker:
    return SentenceChunker(WordCounter(), max_tokens=max_tokens, overlap_tokens=overlap_tokens, **kwargs)


def _matches(metadata: dict[str, Any], where: dict[str, Any] | None) -> bool:
    """The subset of Chroma's ``where`` filters the bot uses: equality, ``$eq`` and ``$in``."""
    for key, wanted in (where or {}).items():
        value = metadata.get(key)
        if isinstance(wanted, dict):
            [(op, operand)] = wanted.items()
            if op == "$in":
                if value not in operand:
                    return False
            elif op == "$eq":
                if value != operand:
                    return False
            else:
                raise NotImplementedError(f"filter {op} is not faked")
        elif value != wanted:
            return False
    return True


class MemoryCollection:
    """A Chroma collection in memory: ``upsert``, ``delete``, ``count``, ``get`` and ``query``.

    ``get(limit, offset, include)`` is also the shape of LangChain's ``Chroma.get``, which the
    BM25 index reads through, so one object serves as collection and as vector store.
    ``fail_with`` makes every read raise it (a Chroma server that went away).
    """

    def __init__(self) -> None:
        self.records: dict[str, tuple[np.ndarray, str, dict[str, Any]]] = {}
        self.fail_with: Exception | None = None
        self.queries: list[dict[str, Any]] = []

    def _check(self) -> None:
        if self.fail_with is not None:
            raise self.fail_with

    def upsert(
        self,
        ids: Sequence[str],
        embeddings: Any,
        documents: Sequence[str],
        metadatas: Sequence[dict[str, Any]],
    ) -> None:
        for chunk_id, vector, text, meta in zip(ids, embeddings, documents, metadatas, strict=True):
            self.records[chunk_id] = (np.asarray(vector, dtype=np.float32), text, dict(meta))

    def delete(self, ids: Iterable[str]) -> None:
        for chunk_id in ids:
            self.records.pop(chunk_id, None)

    def count(self) -> int:
        self._check()
        return len(self.records)

    def get(
        self,
        ids: Sequence[str] | None = None,
        where: dict[str, Any] | None = None,
        limit: int | None = None,
        offset: int | None = None,
        include: Sequence[str] = ("documents", "metadatas"),
    ) -> dict[str, Any]:
        self._check()
        keys = [k for k in sorted(self.records) if (ids is None or k in ids)]
        keys = [k for k in keys if _matches(self.records[k][2], where)]
        start = offset or 0
        keys = keys[start : start + limit if limit is not None else None]
        return {
            "ids": keys,
            "documents": [self.records[k][1] for k in keys] if "documents" in include else None,
            "metadatas": [dict(self.records[k][2]) for k in keys] if "metadatas" in include else None,
        }

    def query(
        self,
        query_embeddings: Sequence[Sequence[float]],
        n_results: int = 10,
        where: dict[str, Any] | None = None,
        include: Sequence[str] = ("distances",),
    ) -> dict[str, Any]:
        self._check()
        self.queries.append({"n_results": n_results, "where": where, "include": list(include)})
        out_ids: list[list[str]] = []
        out_distances: list[list[float]] = []
        for query in query_embeddings:
            q = np.asarray(query, dtype=np.float32)
            found = [
                (1.0 - float(vector @ q), chunk_id)
                for chunk_id, (vector, _, meta) in self.records.items()
                if _matches(meta, where)
            ]
            found.sort()
            out_ids.append([chunk_id for _, chunk_id in found[:n_results]])
            out_distances.append([distance for distance, _ in found[:n_results]])
        return {"ids": out_ids, "distances": out_distances}


class MemoryStore:
    """What the bot and the web service use of ``index.store.ArticleStore``, in memory; reads go
    through the real ``CallGuard`` (no cool-down), as the real store's do."""

    def __init__(self, collection: MemoryCollection | None = None, location: str = "") -> None:
        """The lexical index is a real one (Tantivy), in a temporary folder kept with the store."""
        self.collection = collection or MemoryCollection()
        self._folder = tempfile.TemporaryDirectory(prefix="newsbot-memory-lexical-")
        self.lexical = LexicalStore(Path(self._folder.name) / "lexical")
        self.location = location or f"memory-{id(self.collection):x}"  # one per store, as a path is
        self.mode = "embedded"
        self.writes = 0
        self.taken_down: list[Takedown] = []
        self.guard = CallGuard("the memory store", GuardConfig(timeout_s=5.0, cooldown_s=0.0))
        self.reader = GuardedReader(self.collection, self.guard)

    @property
    def vectorstore(self) -> MemoryCollection:
        return self.collection

    @property
    def reachable(self) -> bool:
        return self.guard.healthy

    def count(self) -> int:
        return self.guard.call(self.collection.count)

    def version(self) -> str:
        return self.guard.call(lambda: f"{self.collection.count()}:{self.writes}")

    def catch_up(self) -> str:
        return self.version()  # one process: nothing written elsewhere to catch up with

    def lexical_gap(self) -> str:
        """As the real store's: why the lexical index may not hold the collection's chunks."""
        if self.lexical.pending:
            return "pending"
        return "" if self.count() == self.lexical.count() else "counts differ"

    def repair_lexical(self, progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
        return self.lexical.repair(self.reader.get, progress)

    def upsert(
        self, ids: Sequence[str], vectors: Any, texts: Sequence[str], metas: Sequence[dict[str, Any]]
    ) -> None:
        """Chroma then the lexical index, as ``ArticleStore.upsert`` writes."""
        self.collection.upsert(ids, vectors, texts, metas)
        self.lexical.add(StoredChunk(i, t, dict(m)) for i, t, m in zip(ids, texts, metas, strict=True))
        self.writes += 1

    def delete(self, ids: Sequence[str]) -> None:
        self.collection.delete(ids)
        self.lexical.delete(ids)
        self.writes += 1

    def takedowns(self) -> list[Takedown]:
        """As the real store's: newest first (tests add them to ``taken_down``)."""
        return newest_first(self.taken_down)

    def add(self, docs: Iterable[Document], embeddings: HashEmbeddings, chunker: SentenceChunker) -> int:
        """Chunk, embed and store ``docs`` as the indexer would; returns the chunk count."""
        chunks = [c for doc in docs for c in chunker.split(doc)]
        if chunks:
            vectors = embeddings.encode_batch([c.embed_text for c in chunks])
            self.upsert(
                [c.id for c in chunks], vectors, [c.text for c in chunks], [c.metadata for c in chunks]
            )
        return len(chunks)


def as_store(store: MemoryStore) -> ArticleStore:
    """The in-memory store where the code expects an ``ArticleStore`` (the methods it uses match)."""
    return cast("ArticleStore", store)


def memory_index(
    paths: Sequence[str | Path],
    embeddings: HashEmbeddings,
    chunker: SentenceChunker | None = None,
) -> MemoryStore:
    """The articles at ``paths`` loaded, chunked (one word = one token), embedded, stored."""
    loaded = load_sources(list(paths), 5_000_000, 1)
    assert not loaded.failures, loaded.failures
    store = MemoryStore()
    store.add(loaded.documents, embeddings, chunker or fake_chunker(max_tokens=128, overlap_tokens=24))
    return store


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    """Cosine similarity of two vectors (the fake encoder's are unit length already)."""
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)) or 1.0)


from index.nlp import MIN_WORDS, SentenceNotes  # noqa: E402  (appended with FakeAnnotator)


class FakeAnnotator:
    """An ``index.nlp.Annotator`` without spaCy: notes each sentence of four or more words.

    A sentence's notes carry the sentence itself as their one subject, so a test can check
    that stored offsets point back at it. ``calls`` records the sentences of every call.
    """

    def __init__(self, tag: str = "fake-nlp1") -> None:
        self.tag = tag
        self.calls: list[list[str]] = []

    def annotate(self, sentences: Sequence[str]) -> list[SentenceNotes | None]:
        self.calls.append(list(sentences))
        return [
            SentenceNotes(0, len(s), subjects=(s,)) if len(s.split()) >= MIN_WORDS else None
            for s in sentences
        ]
