"""The lexical index on disk: parts (segments) of chunks, and snapshots that list them.

A *segment* is an immutable folder under ``<root>/segments/``: BM25 counts and postings as
memory-mapped ``.npy`` files, the chunks' texts and metadata in SQLite (read per
candidate), and per-chunk arrays (article, outlet, date). A *snapshot* is one version of the
store: a folder ``<root>/<hash of the store's version>/`` whose manifest lists its segments
and, per segment, the chunks removed since it was written. Both are written under a
temporary name and renamed when complete, so a reader never sees half of one, and a
replica killed while writing leaves only a temporary folder (removed by a later build).

A new version of the store costs about what changed, not what is stored: only the chunk ids
are read from the store, ids that are gone become removed positions, and the chunks the
snapshot lacks are fetched, tokenised and written as one new small segment. Small segments
are merged into one once there are more than ``max_small`` of them (their counts are reused,
nothing is tokenised again). A full build writes segments of ``segment_chunks``, which
bounds its memory. BM25's statistics are computed across the segments minus the removed
chunks (bot/retrieval/bm25.py), so the scores equal those of one index built at once.

What a replica holds in memory is small at any size: the segments' vocabularies, three
per-chunk arrays and the article ids. Replicas sharing a data folder share snapshots and
segments: the first to see a version builds it, the others open it.
"""

from __future__ import annotations

import contextlib
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
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from bot.language.patterns import timestamp
from bot.language.text import terms
from bot.retrieval import bm25
from bot.retrieval.bm25 import Bm25, CountsBuilder, Part, TermCounts
from index.chunking import article_header
from index.loaders import PUBLIC

FORMAT = 4  # bump when the folder's layout changes: older snapshots are then rebuilt
ARTICLE_FIELDS = ("title", "source", "author", "published_at", "url", "updated_at", "access")
SEGMENTS = "segments"


@dataclass(frozen=True)
class SnapshotConfig:
    page: int = 2000  # chunks per read of the store: initial choice, not tuned
    keep: int = 2  # snapshots kept per folder: the newest, and the one a slower replica may still use
    # Chunks per segment of a full build. One segment of 1M chunks peaked at 7.1 GB while its
    # postings were sorted (bench/scale.py); 200k keeps a build under ~1.5 GB.
    segment_chunks: int = 200_000
    max_small: int = 8  # segments smaller than segment_chunks before they are merged into one
    # A segment nothing lists is removed this long after it was written: a replica may be
    # between writing a segment and the snapshot that lists it.
    orphan_after_s: float = 3600.0


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
    """The chunks of one segment in SQLite, read-only. One connection, opened at once and
    shared by all threads (SQLite serialises them; ``sqlite3.threadsafety`` is 3 here): a
    segment pruned from disk while a question still reads it stays readable through it."""

    SCHEMA = """
        CREATE TABLE chunks (pos INTEGER PRIMARY KEY, id TEXT NOT NULL, article INTEGER NOT NULL,
                             start INTEGER NOT NULL, text TEXT NOT NULL, meta TEXT NOT NULL);
        CREATE TABLE articles (code INTEGER PRIMARY KEY, article_id TEXT NOT NULL, title TEXT,
                               source TEXT, author TEXT, published_at TEXT, url TEXT,
                               updated_at TEXT, access TEXT);
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

    def article_positions(self, article_id: str) -> list[int]:
        rows = self._connection.execute(
            "SELECT c.pos FROM articles a JOIN chunks c ON c.article = a.code "
            "WHERE a.article_id = ? ORDER BY c.start, c.pos",
            (article_id,),
        )
        return [int(pos) for (pos,) in rows]

    def articles(self) -> Iterator[dict[str, str]]:
        query = f"SELECT article_id, {', '.join(ARTICLE_FIELDS)} FROM articles ORDER BY code"
        for row in self._connection.execute(query):
            yield {"article_id": row[0], **{f: row[i + 1] or "" for i, f in enumerate(ARTICLE_FIELDS)}}


class Segment:
    """One immutable part of the index (see the module's docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.name = folder.name
        with contextlib.suppress(OSError):  # a read-only data folder: nothing prunes it either
            os.utime(folder)  # in use: not an orphan for another hour (_prune), whoever lists it
        self.table = ChunkTable(folder / "chunks.sqlite")
        self.part = bm25.load(folder / "bm25")
        self.article_code = np.load(folder / "article_code.npy")  # into article_ids
        self.source_code = np.load(folder / "source_code.npy")  # into sources
        self.published = np.load(folder / "published.npy")
        self.restricted = np.load(folder / "restricted.npy")  # subscriber-only chunks
        names = json.loads((folder / "names.json").read_text(encoding="utf-8"))
        self.article_ids: list[str] = names["articles"]
        self.sources: list[str] = names["sources"]

    def __len__(self) -> int:
        return len(self.article_code)


class SegmentWriter:
    """Writes one segment from chunks (``add``) and from other segments' chunks (``copy``,
    first); nothing is visible until ``finish`` renames it."""

    def __init__(self, root: Path) -> None:
        self.segments = root / SEGMENTS
        self.folder = self.segments / f".building-{uuid.uuid4().hex}"
        self.folder.mkdir(parents=True)  # root too, the first time
        self._db = sqlite3.connect(self.folder / "chunks.sqlite")
        self._db.executescript(ChunkTable.SCHEMA)
        self._copied: list[TermCounts] = []
        self._counts = CountsBuilder()
        self._article_code = array("i")
        self._source_code = array("i")
        self._published = array("d")
        self._restricted = array("b")
        self._articles: dict[str, int] = {}
        self._sources: dict[str, int] = {"": 0}

    def __len__(self) -> int:
        return len(self._article_code)

    def copy(self, segment: Segment, positions: np.ndarray) -> None:
        """These chunks of ``segment`` as they are: rows re-inserted, term counts taken as
        they were counted (nothing tokenised again)."""
        assert not len(self._counts), "copy() comes before add()"
        self._copied.append(segment.part.counts.take(positions))
        for batch in _batches(positions.tolist(), 1000):
            rows = segment.table.rows(batch)
            for pos in batch:
                self._row(rows[pos])

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
            fields[-1] = fields[-1] or PUBLIC
            places = ", ".join("?" * (len(fields) + 2))
            self._db.execute(f"INSERT INTO articles VALUES ({places})", (code, article_id, *fields))
        source = str(meta.get("source", "") or "")
        pos = len(self._article_code)
        self._article_code.append(code)
        self._source_code.append(self._sources.setdefault(source, len(self._sources)))
        stamp = timestamp(meta.get("published_at"))
        self._published.append(np.nan if stamp is None else stamp)
        self._restricted.append(int(str(meta.get("access", "") or PUBLIC) != PUBLIC))
        self._db.execute(
            "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?)",
            (pos, chunk.id, code, int(meta.get("start", 0) or 0), chunk.text, json.dumps(meta)),
        )

    def finish(self) -> Segment:
        self._db.executescript(ChunkTable.INDEXES)
        self._db.commit()
        self._db.close()
        added = self._counts.build()
        counts = TermCounts.merge([*self._copied, added]) if self._copied else added
        bm25.save(self.folder / "bm25", Part.of(counts))
        np.save(self.folder / "article_code.npy", np.frombuffer(self._article_code, dtype=np.int32))
        np.save(self.folder / "source_code.npy", np.frombuffer(self._source_code, dtype=np.int32))
        np.save(self.folder / "published.npy", np.frombuffer(self._published, dtype=np.float64))
        np.save(self.folder / "restricted.npy", np.frombuffer(self._restricted, dtype=np.int8).astype(bool))
        names = {"articles": list(self._articles), "sources": list(self._sources)}
        (self.folder / "names.json").write_text(json.dumps(names), encoding="utf-8")
        final = self.segments / uuid.uuid4().hex
        os.rename(self.folder, final)
        return Segment(final)

    def abandon(self) -> None:
        self._db.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> SegmentWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:  # failed or interrupted before ``finish``: leave nothing behind
            self.abandon()


class Snapshot:
    """One version of the store: its segments laid end to end (segment i's chunk j is
    position ``offsets[i] + j``), minus the removed chunks. Read-only."""

    def __init__(self, folder: Path, segments: dict[str, Segment] | None = None) -> None:
        """``segments``: already opened segments by name (a previous snapshot's), reused."""
        self.folder = folder
        self.manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        opened = segments or {}
        root = folder.parent / SEGMENTS
        self.segments = [opened.get(name) or Segment(root / name) for name in self.manifest["segments"]]
        with np.load(folder / "removed.npz") as removed:
            self.removed = [np.asarray(removed[s.name], dtype=np.int64) for s in self.segments]
        self.offsets = np.cumsum([0, *(len(s) for s in self.segments)])
        self.bm25 = Bm25([s.part for s in self.segments], self.removed)
        self.article_ids: list[str] = []
        self.sources: list[str] = [""]
        self._article_segment: list[int] = []  # per article: the segment whose row describes it
        self.article_code = self._global_codes(
            lambda s: (s.article_code, s.article_ids), self.article_ids, self._article_segment
        )
        self.source_code = self._global_codes(lambda s: (s.source_code, s.sources), self.sources, [])
        self.code_of_article = {article_id: i for i, article_id in enumerate(self.article_ids)}
        self.published = (
            np.concatenate([s.published for s in self.segments]) if self.segments else np.zeros(0)
        )
        self.restricted = (
            np.concatenate([s.restricted for s in self.segments]) if self.segments else np.zeros(0, bool)
        )
        # An article with any subscriber-only chunk is subscriber-only (a public article made
        # subscriber-only has both for a moment: new chunks are written before old ones go).
        self.article_restricted = np.zeros(len(self.article_ids), dtype=bool)
        self.article_restricted[np.unique(self.article_code[self.restricted & (self.article_code >= 0)])] = (
            True
        )

    def _global_codes(
        self, local: Callable[[Segment], tuple[np.ndarray, list[str]]], names: list[str], first: list[int]
    ) -> np.ndarray:
        """Each position's code into ``names`` (filled here: the names of live chunks, in
        order of first use; ``first`` gets the segment of each name's first use); -1 for a
        removed chunk."""
        index = {name: i for i, name in enumerate(names)}
        parts = []
        for i, (segment, gone) in enumerate(zip(self.segments, self.removed, strict=True)):
            codes, local_names = local(segment)
            live = np.ones(len(segment), dtype=bool)
            live[gone] = False
            firsts = np.unique(codes[live], return_index=True)[1]
            mapping = np.full(len(local_names) + 1, -1, dtype=np.int32)  # the last: removed
            for code in codes[live][np.sort(firsts)]:
                name = local_names[int(code)]
                if name not in index:
                    index[name] = len(names)
                    names.append(name)
                    first.append(i)
                mapping[int(code)] = index[name]
            parts.append(mapping[np.where(live, codes, len(local_names))])
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)

    def __len__(self) -> int:
        """Positions, removed ones included (what the per-chunk arrays are indexed by)."""
        return int(self.offsets[-1])

    @property
    def chunk_count(self) -> int:
        return self.bm25.n

    @property
    def store_version(self) -> str:
        return str(self.manifest["store_version"])

    def live(self, position: int) -> bool:
        return bool(self.article_code[position] >= 0)

    def rows(self, positions: Iterable[int]) -> dict[int, Chunk]:
        found: dict[int, Chunk] = {}
        for i, local in self._by_segment(positions):
            offset = int(self.offsets[i])
            found.update((pos + offset, chunk) for pos, chunk in self.segments[i].table.rows(local).items())
        return found

    def _by_segment(self, positions: Iterable[int]) -> Iterator[tuple[int, list[int]]]:
        wanted = np.unique(np.fromiter((int(p) for p in positions), dtype=np.int64))
        wanted = wanted[(wanted >= 0) & (wanted < len(self))]
        which = np.searchsorted(self.offsets, wanted, side="right") - 1
        for i in np.unique(which):
            yield int(i), (wanted[which == i] - self.offsets[i]).tolist()

    def positions_of(self, ids: Iterable[str]) -> dict[str, int]:
        """Live chunks' positions by id (unknown and removed ids left out)."""
        ids = list(ids)
        found: dict[str, int] = {}
        for i, segment in enumerate(self.segments):
            for chunk_id, pos in segment.table.positions_of(ids).items():
                position = pos + int(self.offsets[i])
                if self.live(position):
                    found[chunk_id] = position
        return found

    def article_positions(self, article_id: str, subscriber: bool = False) -> list[int]:
        """The live chunks of one article, in reading order; subscriber-only ones for a
        ``subscriber`` only."""
        found: list[int] = []
        for i, segment in enumerate(self.segments):
            offset = int(self.offsets[i])
            positions = (p + offset for p in segment.table.article_positions(article_id))
            found.extend(p for p in positions if self.live(p) and (subscriber or not self.restricted[p]))
        return found

    def articles(self) -> list[dict[str, str]]:
        """Each live article's id and fields, in the order of ``article_ids``."""
        found: dict[str, dict[str, str]] = {}
        for i, segment in enumerate(self.segments):
            for row in segment.table.articles():
                code = self.code_of_article.get(row["article_id"])
                if code is not None and self._article_segment[code] == i:
                    found[row["article_id"]] = {
                        **row,
                        "access": "subscriber" if self.article_restricted[code] else PUBLIC,
                    }
        return [found[article_id] for article_id in self.article_ids]


def _write_snapshot(
    root: Path, store_version: str, segments: Sequence[Segment], removed: Sequence[np.ndarray]
) -> Path:
    """The manifest folder of this version (renamed into place; another replica's, if it
    finished first)."""
    final = folder_for(root, store_version)
    folder = root / f".building-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    arrays: dict[str, Any] = {s.name: r for s, r in zip(segments, removed, strict=True)}
    np.savez(folder / "removed.npz", **arrays)
    manifest = {
        "format": FORMAT,
        "store_version": store_version,
        "segments": [s.name for s in segments],
        "chunks": sum(len(s) for s in segments) - sum(len(r) for r in removed),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    try:
        os.rename(folder, final)
    except OSError:  # another replica finished the same version first: use theirs
        shutil.rmtree(folder, ignore_errors=True)
    return final


def folder_for(root: Path, store_version: str) -> Path:
    digest = hashlib.sha256(f"{FORMAT}:{store_version}".encode()).hexdigest()[:16]
    return root / digest


def _snapshot_folders(root: Path) -> list[Path]:
    """Complete snapshots of this format, newest first."""
    found = []
    for manifest in root.glob("*/manifest.json") if root.is_dir() else []:
        try:
            if json.loads(manifest.read_text(encoding="utf-8")).get("format") == FORMAT:
                found.append(manifest.parent)
        except (OSError, ValueError):
            continue  # unreadable: not a snapshot to build on
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def latest(root: Path) -> Snapshot | None:
    """The newest complete snapshot under ``root`` (any store version): the starting point
    of an incremental build after a restart."""
    found = _snapshot_folders(root)
    return Snapshot(found[0]) if found else None


def open_existing(root: Path, store_version: str, previous: Snapshot | None = None) -> Snapshot | None:
    """The complete snapshot of this store version, if one was written (by any replica)."""
    folder = folder_for(root, store_version)
    if not (folder / "manifest.json").exists():
        return None
    return Snapshot(folder, _opened(previous))


def _opened(snapshot: Snapshot | None) -> dict[str, Segment]:
    return {s.name: s for s in snapshot.segments} if snapshot else {}


ReadPage = Callable[..., Any]  # Chroma's ``get`` (the store's guarded reader)
Progress = Callable[[int], None]  # told the chunks read so far by a full build


def build(
    root: Path,
    store_version: str,
    get: ReadPage,
    previous: Snapshot | None = None,
    config: SnapshotConfig = SnapshotConfig(),
    progress: Progress | None = None,
) -> Snapshot:
    """The snapshot of the store as it is now: from ``previous`` plus what changed, or (no
    previous) from every chunk. ``get`` is the collection's ``get``."""
    existing = open_existing(root, store_version, previous)
    if existing is not None:
        return existing
    if previous is not None and not all(s.folder.exists() for s in previous.segments):
        # Pruned while this replica could not follow (over an hour): start from what is on disk.
        previous = latest(root)
    if previous is None:
        segments = _full_build(root, get, config, progress or (lambda _: None))
        removed = [np.zeros(0, dtype=np.int64) for _ in segments]
    else:
        segments, removed = _update(root, get, previous, config)
    snapshot = Snapshot(_write_snapshot(root, store_version, segments, removed), _opened(previous))
    _prune(root, keep={snapshot.folder, *([previous.folder] if previous else [])}, config=config)
    return snapshot


def _full_build(root: Path, get: ReadPage, config: SnapshotConfig, progress: Progress) -> list[Segment]:
    """Every chunk, in segments of ``segment_chunks`` (the last may be smaller; an empty store
    gives one empty segment)."""
    chunks = iter(_all_chunks(get, config.page))
    segments: list[Segment] = []
    read = 0
    try:
        while True:
            with SegmentWriter(root) as writer:
                for chunk in islice(chunks, config.segment_chunks):
                    writer.add(chunk)
                    read += 1
                    if read % config.page == 0:
                        progress(read)
                if not len(writer) and segments:
                    writer.abandon()
                    return segments
                segments.append(writer.finish())
            if len(writer) < config.segment_chunks:
                return segments
    except BaseException:
        for segment in segments:  # listed nowhere: of no use to anyone
            shutil.rmtree(segment.folder, ignore_errors=True)
        raise


def _update(
    root: Path, get: ReadPage, previous: Snapshot, config: SnapshotConfig
) -> tuple[list[Segment], list[np.ndarray]]:
    """``previous``'s segments with the chunks the store no longer has removed, plus one
    segment of the chunks it lacks; small segments merged when there are too many."""
    fresh, removed = _diff(_all_ids(get, config.page), previous)
    return _extend(root, get, previous.segments, removed, fresh, config)


def _extend(
    root: Path,
    get: ReadPage,
    segments: list[Segment],
    removed: list[np.ndarray],
    fresh: list[str],
    config: SnapshotConfig,
) -> tuple[list[Segment], list[np.ndarray]]:
    """These segments and removals plus one new segment of the ``fresh`` chunks (fetched by
    id); small segments merged when there are too many."""
    segments, removed = list(segments), list(removed)
    if fresh:
        with SegmentWriter(root) as writer:
            for batch in _batches(fresh, config.page):
                for chunk in _chunks_of(get(ids=batch, include=["documents", "metadatas"])):
                    writer.add(chunk)
            segments.append(writer.finish())
        removed.append(np.zeros(0, dtype=np.int64))
    return _merge_small(root, segments, removed, config)


def apply_change(
    root: Path,
    get: ReadPage,
    previous: Snapshot,
    added: Sequence[str],
    removed: Sequence[str],
    config: SnapshotConfig = SnapshotConfig(),
) -> Snapshot:
    """``previous`` with these chunk ids added and those removed — a change made in this
    process, whose ids are known — without listing the store: what makes a takedown or a
    correction take effect at once at any archive size. Its version is a local one; the
    next check of the store's version reconciles it with everything else that changed."""
    gone = [r.copy() for r in previous.removed]
    for i, segment in enumerate(previous.segments):
        found = np.fromiter(segment.table.positions_of(removed).values(), dtype=np.int64)
        gone[i] = np.union1d(gone[i], found)
    live = previous.positions_of(added)
    fresh = [chunk_id for chunk_id in dict.fromkeys(added) if chunk_id not in live]
    segments, gone = _extend(root, get, previous.segments, gone, fresh, config)
    version = f"local:{uuid.uuid4().hex}"
    snapshot = Snapshot(_write_snapshot(root, version, segments, gone), _opened(previous))
    _prune(root, keep={snapshot.folder, previous.folder}, config=config)
    return snapshot


def _diff(wanted: list[str], previous: Snapshot) -> tuple[list[str], list[np.ndarray]]:
    """The ids ``previous`` lacks (in the store's order), and per segment the positions to
    remove (those removed before, and those whose ids the store no longer has). Done in a
    scratch SQLite database: a million ids as Python objects would cost ~100 MB."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE TABLE wanted (n INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL)")
        db.execute("CREATE TABLE known (id TEXT PRIMARY KEY)")
        db.executemany("INSERT OR IGNORE INTO wanted (id) VALUES (?)", ((i,) for i in wanted))
        removed = []
        for segment, gone in zip(previous.segments, previous.removed, strict=True):
            db.execute("ATTACH DATABASE ? AS s", (str(segment.table.path),))  # only read from
            db.execute("CREATE TEMP TABLE gone (pos INTEGER PRIMARY KEY)")
            db.executemany("INSERT INTO gone VALUES (?)", ((int(p),) for p in gone))
            db.execute(
                "INSERT OR IGNORE INTO known SELECT c.id FROM s.chunks c JOIN wanted w ON w.id = c.id "
                "WHERE c.pos NOT IN (SELECT pos FROM gone)"
            )
            dropped = db.execute("SELECT pos FROM s.chunks WHERE id NOT IN (SELECT id FROM wanted)")
            removed.append(np.union1d(gone, np.array([p for (p,) in dropped], dtype=np.int64)))
            db.execute("DROP TABLE gone")
            db.commit()
            db.execute("DETACH DATABASE s")
        rows = db.execute("SELECT id FROM wanted WHERE id NOT IN (SELECT id FROM known) ORDER BY n")
        return [chunk_id for (chunk_id,) in rows], removed
    finally:
        db.close()


def _merge_small(
    root: Path, segments: list[Segment], removed: list[np.ndarray], config: SnapshotConfig
) -> tuple[list[Segment], list[np.ndarray]]:
    small = [i for i, s in enumerate(segments) if len(s) < config.segment_chunks]
    if len(small) <= config.max_small:
        return segments, removed
    with SegmentWriter(root) as writer:
        for i in small:
            live = np.setdiff1d(np.arange(len(segments[i]), dtype=np.int64), removed[i])
            writer.copy(segments[i], live)
        merged = writer.finish()
    keep = [i for i in range(len(segments)) if i not in small]
    return [*(segments[i] for i in keep), merged], [*(removed[i] for i in keep), np.zeros(0, np.int64)]


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
        found = get(limit=page * 25, offset=len(ids), include=[])  # ids only: cheap
        if not found["ids"]:
            return ids
        ids.extend(found["ids"])


def _chunks_of(found: dict[str, Any]) -> Iterator[Chunk]:
    metadatas = found.get("metadatas") or [None] * len(found["ids"])
    for chunk_id, text, meta in zip(found["ids"], found["documents"], metadatas, strict=True):
        yield Chunk(chunk_id, text or "", dict(meta or {}))


def _prune(root: Path, keep: set[Path], config: SnapshotConfig) -> None:
    """Snapshots beyond the newest ``config.keep`` (and those in use) go; then segments no
    remaining snapshot lists, and temporary folders, once ``orphan_after_s`` old (a younger
    one may be another replica's work in progress)."""
    done = [p for p in _snapshot_folders(root) if p not in keep]
    for folder in done[max(0, config.keep - len(keep)) :]:
        shutil.rmtree(folder, ignore_errors=True)
    listed = set()
    for folder in _snapshot_folders(root):
        try:
            listed.update(json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["segments"])
        except (OSError, ValueError, KeyError):
            return  # cannot tell what is in use: remove nothing
    old = time.time() - config.orphan_after_s
    candidates = [*root.glob(".building-*"), *(root / SEGMENTS).glob("*")]
    for folder in candidates:
        try:
            if folder.name not in listed and folder.stat().st_mtime < old:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue  # gone meanwhile


def _batches(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def of_chunks(root: Path, chunks: Iterable[Chunk], store_version: str = "adhoc") -> Snapshot:
    """A snapshot of just these chunks, in one segment (tests, one-off indexes)."""
    with SegmentWriter(root) as writer:
        for chunk in chunks:
            writer.add(chunk)
        segment = writer.finish()
    return Snapshot(_write_snapshot(root, store_version, [segment], [np.zeros(0, dtype=np.int64)]))
