"""The lexical index: every stored chunk in a Tantivy index beside the Chroma data.

Tantivy (the Rust engine behind Quickwit; official Python bindings) keeps the segments,
merges, deletes, BM25 and the stored texts; this module only says what a chunk is to it:

* ``terms``: the chunk's ``title · outlet · date`` header and text as the lexical vocabulary
  of ``index.terms`` (the bot's own stemmer and stop words), given to Tantivy already split
  (its whitespace tokenizer), so a question's terms are exactly the indexed ones;
* ``id``, ``article``, ``source`` (exact terms: filters, takedowns by id), ``restricted``
  (subscriber-only), ``head`` (an article's first chunk: the article list);
* ``payload``: the chunk's text and metadata as stored in Chroma (JSON), what the answerers
  read — one place for them, so the bot never reads chunks back from Chroma.

Written only through ``ArticleStore`` (index/store.py), right after each Chroma write and under
the data folder's write lock: new chunks before stale ones are deleted, like Chroma. A write
that dies between the two stores leaves a ``pending`` mark; the next build (and the app's
start) then compares the two stores' ids and repairs the lexical side from Chroma.

Readers (the app, its replicas, the CLIs) open the folder read-only and learn of a commit by
the change of Tantivy's ``meta.json`` (one small file read, never a listing of ids).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.chunking import article_header
from index.errors import IndexBusyError
from index.loaders import PUBLIC
from index.terms import terms

if TYPE_CHECKING:
    import tantivy

    from index.config import IndexSettings

log = logging.getLogger(__name__)

FORMAT = 1  # bump when the schema or what is indexed changes: an older folder is rebuilt
MARKER = "newsbot-lexical.json"  # our format, beside Tantivy's files
PENDING = "pending"  # a write reached Chroma and maybe not this index yet
FOLLOWED = "followed.json"  # how far a replica's own index followed the writers' change log
OLD_FOLDER = "lexical"  # the home-made segment store this index replaced (data_dir/lexical/…)


@dataclass(frozen=True)
class LexicalConfig:
    """Initial choices, not tuned, unless said."""

    # Tantivy's indexing memory before it writes a segment (its minimum is 15 MB a thread).
    writer_heap_bytes: int = 64_000_000
    # A second writer (another process between our write lock's checks) waits this long for
    # Tantivy's writer lock before the write fails as busy.
    lock_wait_s: float = 10.0
    page: int = 2000  # chunks per read of Chroma when the index is repaired or rebuilt
    # Chunks a view keeps decoded (a question reads ~100-200, some of them twice).
    cached_chunks: int = 4096


_DEFAULTS = LexicalConfig()


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as the lexical index keeps it: what Chroma stores, without the vector."""

    id: str
    text: str
    metadata: dict[str, Any]


def lexical_path(settings: IndexSettings) -> Path:
    return settings.data_dir / "tantivy" / settings.collection


def old_lexical_path(settings: IndexSettings) -> Path:
    return settings.data_dir / OLD_FOLDER / settings.collection


def indexed_text(chunk: StoredChunk) -> str:
    # Outlet, title and date words matter a lot on news: BM25 always sees them, whether or not
    # the dense side embedded the header.
    return f"{article_header(chunk.metadata)}\n{chunk.text}"


def _schema() -> tantivy.Schema:
    import tantivy

    builder = tantivy.SchemaBuilder()
    # A fast field too: every id is read from its column when the index is compared with Chroma.
    builder.add_text_field("id", stored=True, tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_text_field("article", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("source", tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_boolean_field("restricted", indexed=True)
    builder.add_boolean_field("head", indexed=True)
    # Term frequencies, no positions: BM25 needs no more, and the index stays small.
    builder.add_text_field("terms", tokenizer_name="whitespace", index_option="freq")
    builder.add_bytes_field("payload", stored=True)
    return builder.build()


def is_restricted(metadata: dict[str, Any]) -> bool:
    return str(metadata.get("access", "") or PUBLIC) != PUBLIC


def _document(chunk: StoredChunk) -> tantivy.Document:
    import tantivy

    meta = chunk.metadata
    return tantivy.Document(
        id=chunk.id,
        article=str(meta.get("article_id", "")),
        source=str(meta.get("source", "") or ""),
        restricted=is_restricted(meta),
        head=int(meta.get("chunk_index", 0) or 0) == 0,
        terms=" ".join(terms(indexed_text(chunk))),
        payload=json.dumps({"text": chunk.text, "meta": meta}).encode(),
    )


def chunk_of(payload: bytes, chunk_id: str) -> StoredChunk:
    stored = json.loads(payload)
    return StoredChunk(chunk_id, str(stored.get("text", "")), dict(stored.get("meta") or {}))


class LexicalStore:
    """The index folder: writes (the caller holds the write lock) and views to read."""

    def __init__(self, folder: Path, config: LexicalConfig = _DEFAULTS) -> None:
        self.folder = folder
        self.config = config
        self.tantivy_index = _open(folder)
        self._batch: _Writer | None = None

    # -- writing ---------------------------------------------------------------------------

    def add(self, chunks: Iterable[StoredChunk]) -> None:
        """Add (or replace: same id) these chunks; committed at once unless in a ``batch``."""
        with self._writing() as writer:
            writer.add(chunks)

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            with self._writing() as writer:
                writer.delete(ids)

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Every ``add``/``delete`` inside goes into one commit, at the end: a build's or a
        correction's new and stale chunks change at once for readers. Committed also when
        the block fails: what it wrote is in Chroma already."""
        if self._batch is not None:
            yield
            return
        self._batch = _Writer(self)
        try:
            yield
        finally:
            writer, self._batch = self._batch, None
            writer.commit()

    @contextlib.contextmanager
    def _writing(self) -> Iterator[_Writer]:
        if self._batch is not None:
            yield self._batch
            return
        writer = _Writer(self)
        try:
            yield writer
        finally:
            writer.commit()

    def mark_pending(self) -> None:
        """Said before Chroma is written: a crash from here on leaves the two stores possibly
        apart, and the mark says so until a commit here clears it."""
        (self.folder / PENDING).touch()

    @property
    def pending(self) -> bool:
        return (self.folder / PENDING).exists()

    def clear(self) -> None:
        """Every chunk gone (a rebuild from Chroma starts here)."""
        with self._writing() as writer:
            writer.clear()

    def followed(self) -> FollowedChanges:
        try:
            state = json.loads((self.folder / FOLLOWED).read_text(encoding="utf-8"))
            return FollowedChanges(int(state["at_ms"]), tuple(state["applied"]))
        except (OSError, ValueError, KeyError, TypeError):
            return FollowedChanges(0, ())

    def set_followed(self, state: FollowedChanges) -> None:
        temporary = self.folder / f"{FOLLOWED}.tmp"
        temporary.write_text(
            json.dumps({"at_ms": state.at_ms, "applied": list(state.applied)}), encoding="utf-8"
        )
        temporary.replace(self.folder / FOLLOWED)  # whole or not at all

    # -- reading ---------------------------------------------------------------------------

    def generation(self) -> str:
        """Changes with every commit, by any process: a digest of Tantivy's ``meta.json``."""
        try:
            return hashlib.sha256((self.folder / "meta.json").read_bytes()).hexdigest()
        except OSError:
            return ""

    def view(self) -> LexicalView:
        """The index as last committed (by any process)."""
        self.tantivy_index.reload()
        return LexicalView(
            self.tantivy_index.searcher(), self.tantivy_index.schema, self.config.cached_chunks
        )

    def count(self) -> int:
        return self.view().count

    # -- repair ----------------------------------------------------------------------------

    def repair(
        self, get: Callable[..., Any], progress: Callable[[int, int], None] | None = None
    ) -> tuple[int, int]:
        """Make this index hold exactly the chunks of the Chroma collection whose ``get`` this
        is: chunks it lacks are read from Chroma and added, chunks Chroma no longer has are
        deleted. Returns (added, deleted); ``progress(done, total)`` while adding."""
        wanted = _all_ids(get, self.config.page * 25)
        held = self.view().ids()
        missing = [i for i in wanted if i not in held]
        wanted_set = set(wanted)
        extra = sorted(held - wanted_set)
        with self.batch():
            self.delete(extra)
            for start in range(0, len(missing), self.config.page):
                page = missing[start : start + self.config.page]
                self.add(chunks_of(get(ids=page, include=["documents", "metadatas"])))
                if progress:
                    progress(start + len(page), len(missing))
        return len(missing), len(extra)


@dataclass(frozen=True)
class FollowedChanges:
    """How far this index has followed the writers' change log (index/store.py): the newest
    entry's time, and the entries already applied within the re-read margin."""

    at_ms: int
    applied: tuple[str, ...]


class _Writer:
    """One Tantivy writer for one commit."""

    def __init__(self, store: LexicalStore) -> None:
        self._store = store
        self._writer = _acquire(store.tantivy_index, store.config)

    def add(self, chunks: Iterable[StoredChunk]) -> None:
        for chunk in chunks:
            self._writer.delete_documents_by_term("id", chunk.id)  # an upsert, like Chroma's
            self._writer.add_document(_document(chunk))

    def delete(self, ids: Iterable[str]) -> None:
        for chunk_id in ids:
            self._writer.delete_documents_by_term("id", chunk_id)

    def clear(self) -> None:
        self._writer.delete_all_documents()

    def commit(self) -> None:
        """Commit, then the merges Tantivy decided on (readers see the commit already)."""
        self._writer.commit()
        with contextlib.suppress(FileNotFoundError):
            (self._store.folder / PENDING).unlink()
        self._writer.wait_merging_threads()  # releases Tantivy's writer lock too


def _acquire(index: tantivy.Index, config: LexicalConfig) -> tantivy.IndexWriter:
    deadline = time.monotonic() + config.lock_wait_s
    while True:
        try:
            return index.writer(heap_size=config.writer_heap_bytes, num_threads=1)
        except ValueError as err:  # Tantivy's lock is held: another process is writing
            if "lock" not in str(err).lower() or time.monotonic() > deadline:
                raise IndexBusyError(f"the lexical index is busy ({err}); try again later") from err
            time.sleep(0.1)


def _open(folder: Path) -> tantivy.Index:
    """The index in ``folder``; one of another format (or none) is started afresh there."""
    import tantivy

    marker = folder / MARKER
    try:
        current = json.loads(marker.read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, ValueError):
        current = False
    if current and tantivy.Index.exists(str(folder)):
        index = tantivy.Index.open(str(folder))
    else:
        if folder.exists():
            log.warning("lexical index at %s is of another format: starting it afresh", folder)
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        index = tantivy.Index(_schema(), path=str(folder))
        (folder / PENDING).touch()  # empty, while Chroma may hold chunks: compare them
        marker.write_text(json.dumps({"format": FORMAT}), encoding="utf-8")
    index.config_reader(reload_policy="manual")  # a view changes only when asked for
    return index


class LexicalView:
    """The index at one commit: BM25 searches and the chunks' stored texts. Read-only."""

    def __init__(self, searcher: tantivy.Searcher, schema: tantivy.Schema, cached: int = 4096) -> None:
        self._searcher = searcher
        self._schema = schema
        self._cached = cached
        self._cache: OrderedDict[tuple[int, int], StoredChunk] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def count(self) -> int:
        return int(self._searcher.num_docs)

    def doc_freq(self, term: str) -> int:
        return int(self._searcher.doc_freq("terms", term))

    def search(
        self,
        query_terms: Sequence[str],
        limit: int,
        *,
        article_id: str | None = None,
        sources: Iterable[str] = (),
        ids: Iterable[str] = (),
        subscriber: bool = False,
    ) -> dict[str, float]:
        """Chunk id → BM25 score of the ``limit`` best chunks for these terms (a repeated term
        counts again), within ``article_id`` / ``sources`` / ``ids`` when given; chunks of
        subscriber-only articles for a ``subscriber`` only."""
        from tantivy import Occur, Query

        if not query_terms or limit <= 0:
            return {}
        should = [(Occur.Should, Query.term_query(self._schema, "terms", t)) for t in query_terms]
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = [(Occur.Must, Query.boolean_query(should))]
        clauses += self._filters(article_id, sources, ids, subscriber)
        found = self._searcher.search(Query.boolean_query(clauses), limit, count=False)
        return {self._chunk(address).id: float(score) for score, address in found.hits}

    def _filters(
        self, article_id: str | None, sources: Iterable[str], ids: Iterable[str], subscriber: bool
    ) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        """Clauses that narrow without scoring (a constant score of 0 adds nothing to BM25)."""
        from tantivy import Occur, Query

        narrow = []
        if article_id is not None:
            narrow.append(Query.term_query(self._schema, "article", article_id))
        if sources := sorted(sources):
            narrow.append(Query.term_set_query(self._schema, "source", sources))
        if ids := sorted(set(ids)):
            narrow.append(Query.term_set_query(self._schema, "id", ids))
        clauses = [(Occur.Must, Query.const_score_query(q, 0.0)) for q in narrow]
        if not subscriber:
            clauses.append((Occur.MustNot, Query.term_query(self._schema, "restricted", True)))
        return clauses

    def chunks(self, ids: Iterable[str]) -> dict[str, StoredChunk]:
        """The stored chunks of these ids (unknown ids left out)."""
        from tantivy import Query

        wanted = sorted(set(ids))
        if not wanted:
            return {}
        query = Query.term_set_query(self._schema, "id", wanted)
        return self._read(self._searcher.search(query, len(wanted), count=False).hits)

    def article_chunks(self, article_id: str, subscriber: bool = False) -> list[StoredChunk]:
        """One article's chunks in reading order; subscriber-only ones for a ``subscriber`` only."""
        from tantivy import Occur, Query

        clauses = [(Occur.Must, Query.term_query(self._schema, "article", article_id))]
        if not subscriber:
            clauses.append((Occur.MustNot, Query.term_query(self._schema, "restricted", True)))
        chunks = list(self._all(Query.boolean_query(clauses)).values())
        return sorted(chunks, key=lambda c: (int(c.metadata.get("start", 0) or 0), c.id))

    def heads(self) -> list[StoredChunk]:
        """The first chunk of every article (two while an article's new version replaces its
        old one), in no particular order."""
        from tantivy import Query

        return list(self._all(Query.term_query(self._schema, "head", True)).values())

    def sources(self) -> list[str]:
        """Every outlet named by a chunk, sorted."""
        from tantivy import Query

        found = self._searcher.aggregate(
            Query.all_query(), {"sources": {"terms": {"field": "source", "size": 1_000_000}}}
        )
        return sorted(str(b["key"]) for b in found["sources"]["buckets"] if b["key"])

    def ids(self) -> set[str]:
        """Every chunk id (a repair's comparison with Chroma: read once per build at most)."""
        from tantivy import Query

        found = self._searcher.aggregate(
            Query.all_query(), {"ids": {"terms": {"field": "id", "size": max(self.count, 1)}}}
        )
        return {str(b["key"]) for b in found["ids"]["buckets"]}

    def _all(self, query: tantivy.Query) -> dict[str, StoredChunk]:
        limit = max(self.count, 1)
        return self._read(self._searcher.search(query, limit, count=False).hits)

    def _read(self, hits: Sequence[tuple[Any, tantivy.DocAddress]]) -> dict[str, StoredChunk]:
        chunks = (self._chunk(address) for _, address in hits)
        return {chunk.id: chunk for chunk in chunks}

    def _chunk(self, address: tantivy.DocAddress) -> StoredChunk:
        """The stored chunk at this address, decoded once per view (kept for the most recent)."""
        key = (address.segment_ord, address.doc)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        doc = self._searcher.doc(address)
        chunk_id = str(doc.get_first("id"))
        found = chunk_of(bytes(doc.get_first("payload") or b"{}"), chunk_id)
        with self._lock:
            self._cache[key] = found
            while len(self._cache) > self._cached:
                self._cache.popitem(last=False)
        return found


def _all_ids(get: Callable[..., Any], page: int) -> list[str]:
    ids: list[str] = []
    while True:
        found = get(limit=page, offset=len(ids), include=[])  # ids only: cheap
        if not found["ids"]:
            return ids
        ids.extend(found["ids"])


def chunks_of(found: dict[str, Any]) -> Iterator[StoredChunk]:
    """The chunks of one answer of Chroma's ``get`` (documents and metadatas included)."""
    metadatas = found.get("metadatas") or [None] * len(found["ids"])
    for chunk_id, text, meta in zip(found["ids"], found["documents"], metadatas, strict=True):
        yield StoredChunk(chunk_id, text or "", dict(meta or {}))
