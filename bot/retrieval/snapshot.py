"""The lexical index on disk: BM25 arrays, the chunks' texts and metadata, per-chunk arrays.

One folder per version of the store (``<root>/<hash of the store's version>/``), written
under a temporary name and renamed when complete, so a reader never sees half of one and a
replica killed while writing leaves only a temporary folder (removed by the next build).
What a replica holds in memory is small at any size: the vocabulary, three per-chunk
arrays (article, outlet, date) and the article list; BM25 and the term counts are
memory-mapped ``.npy`` files; texts and metadata stay in SQLite and are read per candidate.

A new version of the store is followed incrementally: only the chunk ids are read from the
store, chunks already in the previous snapshot are copied from it (rows, term counts) and
only new chunks are fetched and tokenised. Replicas sharing a data folder share snapshots:
the first to see a version builds it, the others open it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
import uuid
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.language.patterns import timestamp
from bot.language.text import terms
from bot.retrieval import bm25
from bot.retrieval.bm25 import Bm25, CountsBuilder, TermCounts
from index.chunking import article_header

FORMAT = 1  # bump when the folder's layout changes: older snapshots are then rebuilt
ARTICLE_FIELDS = ("title", "source", "author", "published_at", "url")


@dataclass(frozen=True)
class SnapshotConfig:
    page: int = 2000  # chunks per read of the store: initial choice, not tuned
    keep: int = 2  # snapshots kept per folder: the newest, and the one a slower replica may still use


@dataclass(frozen=True)
class Chunk:
    id: str
    text: str
    metadata: dict[str, Any]


def indexed_text(chunk: Chunk) -> str:
    # Outlet, title and date words matter a lot on news: BM25 always sees them, whether or not
    # the dense side embedded the header.
    return f"{article_header(chunk.metadata)}\n{chunk.text}"


class ChunkTable:
    """The chunks of one snapshot in SQLite, read-only. One connection, opened at once and
    shared by all threads (SQLite serialises them; ``sqlite3.threadsafety`` is 3 here): a
    snapshot pruned from disk while a question still reads it stays readable through it."""

    SCHEMA = """
        CREATE TABLE chunks (pos INTEGER PRIMARY KEY, id TEXT NOT NULL, article INTEGER NOT NULL,
                             start INTEGER NOT NULL, text TEXT NOT NULL, meta TEXT NOT NULL);
        CREATE TABLE articles (code INTEGER PRIMARY KEY, article_id TEXT NOT NULL, title TEXT,
                               source TEXT, author TEXT, published_at TEXT, url TEXT);
    """
    INDEXES = """
        CREATE UNIQUE INDEX chunks_id ON chunks (id);
        CREATE INDEX chunks_article ON chunks (article, start);
        CREATE UNIQUE INDEX articles_id ON articles (article_id);
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    def rows(self, positions: Sequence[int]) -> dict[int, Chunk]:
        rows = self._select_in("SELECT pos, id, text, meta FROM chunks WHERE pos IN", list(positions))
        return {int(pos): Chunk(chunk_id, text, json.loads(meta)) for pos, chunk_id, text, meta in rows}

    def positions_of(self, ids: Iterable[str]) -> dict[str, int]:
        return {
            chunk_id: int(pos)
            for chunk_id, pos in self._select_in("SELECT id, pos FROM chunks WHERE id IN", list(ids))
        }

    def _select_in(self, query: str, keys: list[Any]) -> Iterator[tuple[Any, ...]]:
        """``query (?, ?, …)`` over ``keys``, in batches under SQLite's parameter limit."""
        for batch in _batches(keys, 500):
            yield from self._connection.execute(f"{query} ({','.join('?' * len(batch))})", batch)

    def article_positions(self, code: int) -> list[int]:
        rows = self._connection.execute(
            "SELECT pos FROM chunks WHERE article = ? ORDER BY start, pos", (code,)
        )
        return [int(pos) for (pos,) in rows]

    def articles(self) -> list[dict[str, str]]:
        query = f"SELECT article_id, {', '.join(ARTICLE_FIELDS)} FROM articles ORDER BY code"
        return [
            {"article_id": row[0], **{f: row[i + 1] or "" for i, f in enumerate(ARTICLE_FIELDS)}}
            for row in self._connection.execute(query)
        ]


class Snapshot:
    """One complete, read-only lexical index (see the module's docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        self.table = ChunkTable(folder / "chunks.sqlite")
        self.counts, self.bm25 = bm25.load(folder / "bm25")
        self.article_code = np.load(folder / "article_code.npy")
        self.source_code = np.load(folder / "source_code.npy")
        self.published = np.load(folder / "published.npy")
        names = json.loads((folder / "names.json").read_text(encoding="utf-8"))
        self.article_ids: list[str] = names["articles"]
        self.sources: list[str] = names["sources"]
        self.code_of_article = {article_id: i for i, article_id in enumerate(self.article_ids)}

    def __len__(self) -> int:
        return len(self.article_code)

    @property
    def store_version(self) -> str:
        return str(self.manifest["store_version"])


class SnapshotWriter:
    """Writes a snapshot folder from chunks; nothing is visible until ``finish`` renames it."""

    def __init__(self, root: Path, store_version: str, previous: Snapshot | None) -> None:
        self.final = folder_for(root, store_version)
        self.folder = root / f".building-{uuid.uuid4().hex}"
        self.folder.mkdir(parents=True)  # root too, the first time
        self.store_version = store_version
        self.previous = previous
        self._db = sqlite3.connect(self.folder / "chunks.sqlite")
        self._db.executescript(ChunkTable.SCHEMA)
        self._counts = CountsBuilder(previous.counts.vocab.copy() if previous else None)
        self._kept: TermCounts | None = None
        self._article_code = array("i")
        self._source_code = array("i")
        self._published = array("d")
        self._articles: dict[str, int] = {}
        self._sources: dict[str, int] = {"": 0}

    def keep(self, positions: np.ndarray) -> None:
        """Chunks of the previous snapshot, as they were: rows copied inside SQLite, arrays
        and term counts gathered with numpy — nothing parsed or tokenised again."""
        assert self.previous is not None and not len(self._article_code), "keep() comes first"
        prev = self.previous
        self._kept = prev.counts.take(positions)
        old_codes = prev.article_code[positions]
        firsts = np.unique(old_codes, return_index=True)[1]
        ordered = old_codes[np.sort(firsts)]  # previous article codes in order of first use
        renumber = np.full(len(prev.article_ids), -1, dtype=np.int64)
        renumber[ordered] = np.arange(len(ordered))
        self._articles = {prev.article_ids[int(old)]: i for i, old in enumerate(ordered)}
        self._sources = {source: i for i, source in enumerate(prev.sources)}
        self._article_code.frombytes(renumber[old_codes].astype(np.int32).tobytes())
        self._source_code.frombytes(prev.source_code[positions].astype(np.int32).tobytes())
        self._published.frombytes(prev.published[positions].astype(np.float64).tobytes())
        db = self._db
        db.execute("ATTACH DATABASE ? AS prev", (str(prev.table.path),))  # only read from
        db.execute("CREATE TEMP TABLE kept (pos INTEGER PRIMARY KEY, old INTEGER, article INTEGER)")
        rows = zip(range(len(positions)), positions.tolist(), renumber[old_codes].tolist(), strict=True)
        db.executemany("INSERT INTO kept VALUES (?, ?, ?)", rows)
        db.execute(
            "INSERT INTO chunks SELECT k.pos, c.id, k.article, c.start, c.text, c.meta "
            "FROM kept k JOIN prev.chunks c ON c.pos = k.old ORDER BY k.pos"
        )
        db.execute("CREATE TEMP TABLE codes (old INTEGER PRIMARY KEY, new INTEGER)")
        db.executemany("INSERT INTO codes VALUES (?, ?)", ((int(o), i) for i, o in enumerate(ordered)))
        fields = ", ".join(f"a.{f}" for f in ARTICLE_FIELDS)
        db.execute(
            f"INSERT INTO articles SELECT m.new, a.article_id, {fields} "
            "FROM codes m JOIN prev.articles a ON a.code = m.old"
        )
        db.commit()
        db.execute("DETACH DATABASE prev")

    def add(self, chunk: Chunk) -> None:
        self._counts.add(terms(indexed_text(chunk)))
        self._row(chunk)

    def _row(self, chunk: Chunk) -> None:
        meta = chunk.metadata
        article_id = str(meta.get("article_id", ""))
        code = self._articles.get(article_id)
        if code is None:
            code = self._articles[article_id] = len(self._articles)
            fields = [str(meta.get(f, "") or "") for f in ARTICLE_FIELDS]
            fields[0] = fields[0] or article_id
            self._db.execute("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)", (code, article_id, *fields))
        source = str(meta.get("source", "") or "")
        pos = len(self._article_code)
        self._article_code.append(code)
        self._source_code.append(self._sources.setdefault(source, len(self._sources)))
        stamp = timestamp(meta.get("published_at"))
        self._published.append(np.nan if stamp is None else stamp)
        self._db.execute(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?)",
            (pos, chunk.id, code, int(meta.get("start", 0) or 0), chunk.text, json.dumps(meta)),
        )

    def finish(self) -> Snapshot:
        self._db.executescript(ChunkTable.INDEXES)
        self._db.commit()
        self._db.close()
        added = self._counts.build()
        counts = TermCounts.concat(self._kept, added) if self._kept is not None else added
        bm25.save(self.folder / "bm25", counts, Bm25.from_counts(counts))
        np.save(self.folder / "article_code.npy", np.frombuffer(self._article_code, dtype=np.int32))
        np.save(self.folder / "source_code.npy", np.frombuffer(self._source_code, dtype=np.int32))
        np.save(self.folder / "published.npy", np.frombuffer(self._published, dtype=np.float64))
        names = {"articles": list(self._articles), "sources": list(self._sources)}
        (self.folder / "names.json").write_text(json.dumps(names), encoding="utf-8")
        manifest = {"format": FORMAT, "store_version": self.store_version, "chunks": len(self._article_code)}
        (self.folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        try:
            os.rename(self.folder, self.final)
        except OSError:  # another replica finished the same version first: use theirs
            shutil.rmtree(self.folder, ignore_errors=True)
        return Snapshot(self.final)

    def abandon(self) -> None:
        self._db.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def folder_for(root: Path, store_version: str) -> Path:
    digest = hashlib.sha256(f"{FORMAT}:{store_version}".encode()).hexdigest()[:16]
    return root / digest


def latest(root: Path) -> Snapshot | None:
    """The newest complete snapshot under ``root`` of this format (any store version): the
    starting point of an incremental build after a restart."""
    if not root.is_dir():
        return None
    found = []
    for manifest in root.glob("*/manifest.json"):
        try:
            if json.loads(manifest.read_text(encoding="utf-8")).get("format") == FORMAT:
                found.append(manifest.parent)
        except (OSError, ValueError):
            continue  # unreadable: not a snapshot to build on
    return Snapshot(max(found, key=lambda p: p.stat().st_mtime)) if found else None


def open_existing(root: Path, store_version: str) -> Snapshot | None:
    """The complete snapshot of this store version, if one was written (by any replica)."""
    folder = folder_for(root, store_version)
    return Snapshot(folder) if (folder / "manifest.json").exists() else None


ReadPage = Callable[..., Any]  # Chroma's ``get`` (the store's guarded reader)


def build(
    root: Path,
    store_version: str,
    get: ReadPage,
    previous: Snapshot | None = None,
    config: SnapshotConfig = SnapshotConfig(),
) -> Snapshot:
    """The snapshot of the store as it is now: from ``previous`` plus the chunks it lacks, or
    (no previous) from every chunk. ``get`` is the collection's ``get``."""
    existing = open_existing(root, store_version)
    if existing is not None:
        return existing
    writer = SnapshotWriter(root, store_version, previous)
    try:
        if previous is None:
            for chunk in _all_chunks(get, config.page):
                writer.add(chunk)
        else:
            wanted = _all_ids(get, config.page)
            known = previous.table.positions_of(wanted)
            writer.keep(np.array(sorted(known.values()), dtype=np.int64))
            fresh = [chunk_id for chunk_id in wanted if chunk_id not in known]
            for batch in _batches(fresh, config.page):
                for chunk in _chunks_of(get(ids=batch, include=["documents", "metadatas"])):
                    writer.add(chunk)
        snapshot = writer.finish()
    except BaseException:
        writer.abandon()
        raise
    _prune(root, keep={snapshot.folder, *([previous.folder] if previous else [])}, config=config)
    return snapshot


def _all_chunks(get: ReadPage, page: int) -> Iterator[Chunk]:
    offset = 0
    while True:
        found = get(limit=page, offset=offset, include=["documents", "metadatas"])
        if not found["ids"]:
            return
        yield from _chunks_of(found)
        offset += len(found["ids"])


def _all_ids(get: ReadPage, page: int) -> list[str]:
    ids: list[str] = []
    while True:
        found = get(limit=page * 5, offset=len(ids), include=[])  # ids only: cheap
        if not found["ids"]:
            return ids
        ids.extend(found["ids"])


def _chunks_of(found: dict[str, Any]) -> Iterator[Chunk]:
    metadatas = found.get("metadatas") or [None] * len(found["ids"])
    for chunk_id, text, meta in zip(found["ids"], found["documents"], metadatas, strict=True):
        yield Chunk(chunk_id, text or "", dict(meta or {}))


def _prune(root: Path, keep: set[Path], config: SnapshotConfig) -> None:
    """Snapshots beyond the newest ``config.keep`` (and those in use) go, and temporary
    folders an hour old (a replica killed while writing; a younger one may be in progress)."""
    now = time.time()
    done = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and p not in keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    stale = [p for p in root.glob(".building-*") if now - p.stat().st_mtime > 3600]
    for folder in [*done[max(0, config.keep - len(keep)) :], *stale]:
        shutil.rmtree(folder, ignore_errors=True)


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
