"""The Chroma store: embedded ``PersistentClient`` by default, ``HttpClient`` in server mode.

Every write of chunks goes through :meth:`ArticleStore.upsert` / :meth:`ArticleStore.delete`,
which write Chroma and then the lexical index beside it (index/lexical.py, Tantivy), so the two
stay in step whoever writes (a build, a watcher, the publishing API, ``index remove``). The
retriever queries :attr:`ArticleStore.collection` for neighbour ids and distances; texts and
metadata are read from the lexical index. ``embeddings`` only serves LangChain's
own ``similarity_search`` on the vector store (benchmarks, tests). The collection never gets
an embedding function of Chroma's own: its default one downloads an ONNX model, which must
never happen here.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.config import IndexSettings
from index.errors import IndexBusyError, IndexUnavailableError
from index.guard import CallGuard, GuardConfig
from index.lexical import (
    FollowedChanges,
    LexicalStore,
    StoredChunk,
    chunks_of,
    lexical_path,
    old_lexical_path,
)
from index.loaders import one_line
from index.nlp import NOTES_KEY

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from langchain_chroma import Chroma
    from langchain_core.embeddings import Embeddings

    from index.chunking import Chunk

log = logging.getLogger(__name__)

PAGE = 5000  # records per metadata page when listing the whole collection


@dataclass
class StoredArticle:
    """What the store knows of one article: its chunk ids and where it came from."""

    article_id: str
    origin: str
    origin_kind: str
    fingerprints: set[str] = field(default_factory=set)
    chunk_total: int = 0
    chunk_ids: set[str] = field(default_factory=set)
    noted_chunks: int = 0  # chunks stored with sentence notes (index/nlp.py)
    fields: dict[str, Any] = field(default_factory=dict)  # title, dates, … as stored with a chunk

    def is_complete(self, fingerprint: str) -> bool:
        """All chunks of exactly this version are stored (a killed run leaves this False)."""
        return self.fingerprints == {fingerprint} and len(self.chunk_ids) == self.chunk_total


@dataclass(frozen=True)
class Takedown:
    """An article taken down through the publishing API: no source may index it again until
    the takedown is lifted (a newsroom's takedown is often a legal one)."""

    article_id: str
    taken_down_at: str  # ISO 8601, UTC
    reason: str = ""
    title: str = ""


def newest_first(takedowns: Iterable[Takedown]) -> list[Takedown]:
    """The order takedowns are listed in (the API, /admin)."""
    return sorted(takedowns, key=lambda t: (t.taken_down_at, t.article_id), reverse=True)


TAKEDOWN_SUFFIX = "-takedowns"  # the collection beside the articles' that holds the takedowns
CHANGES_SUFFIX = "-changes"  # ... and the one that holds the writers' change log


@dataclass(frozen=True)
class ChangeLogConfig:
    """The writers' change log: initial choices, not tuned."""

    keep_s: float = 7 * 86400.0  # a replica away longer compares every id instead
    # Entries this far back are read again: two writers on two machines (clocks apart, one
    # entry visible before an older one) must not hide one from a replica.
    margin_s: float = 120.0
    ids_per_entry: int = 500  # a large delete is logged in several entries


CHANGES = ChangeLogConfig()
REASON_CHARS = 500


class ArticleStore:
    """One Chroma collection of article chunks, with the admin operations indexing needs."""

    def __init__(
        self,
        client: ClientAPI,
        collection_name: str,
        embeddings: Embeddings | None,
        location: str,
        mode: str,
        guard: CallGuard | None = None,
        reopen: Callable[[], ClientAPI] | None = None,
        lexical: LexicalStore | None = None,
    ) -> None:
        """``reopen``: a fresh client on the same folder (embedded mode), for ``catch_up``;
        ``lexical``: the lexical index written with every write (none: Chroma alone, for
        tools that only read vectors)."""
        self.lexical = lexical
        self.client = client
        self.location = location
        self.mode = mode
        self.collection_name = collection_name
        self.collection = client.get_or_create_collection(
            name=collection_name,
            embedding_function=None,  # never Chroma's default (it downloads a model)
            configuration={"hnsw": {"space": "cosine"}},
        )
        self._embeddings = embeddings
        self.guard = guard or CallGuard(f"the article store at {location}")
        self.reader = GuardedReader(lambda: self.collection, self.guard)
        self._reopen = reopen
        self._known_version = self.version() if reopen else ""

    @property
    def reachable(self) -> bool:
        """The store answered the last read (a hung or lost server: False until it answers again)."""
        return self.guard.healthy

    @property
    def vectorstore(self) -> Chroma:
        """LangChain view of the same collection, querying with our embeddings."""
        from langchain_chroma import Chroma

        return Chroma(
            client=self.client, collection_name=self.collection_name, embedding_function=self._embeddings
        )

    def count(self) -> int:
        return self.guard.call(lambda: int(self.collection.count()))

    def articles(self, only: Sequence[str] | None = None) -> dict[str, StoredArticle]:
        """Every stored article with its chunk ids, read page by page (``only``: just these
        articles, read by id — what a single publication needs at any archive size)."""
        found: dict[str, StoredArticle] = {}
        pages = self._pages() if only is None else self._pages_of(only)
        for ids, metadatas in pages:
            for chunk_id, meta in zip(ids, metadatas, strict=True):
                article_id = str(meta.get("article_id", ""))
                article = found.get(article_id)
                if article is None:
                    article = found[article_id] = StoredArticle(
                        article_id, str(meta.get("origin", "")), str(meta.get("origin_kind", "file"))
                    )
                article.chunk_ids.add(chunk_id)
                article.fields = article.fields or dict(meta)
                article.noted_chunks += NOTES_KEY in meta
                article.fingerprints.add(str(meta.get("article_fingerprint", "")))
                article.chunk_total = max(article.chunk_total, int(meta.get("chunk_total", 0)))
        return found

    def _pages(self) -> Iterator[tuple[list[str], list[Any]]]:
        offset = 0
        while True:
            page = self.collection.get(include=["metadatas"], limit=PAGE, offset=offset)
            ids = list(page["ids"])
            if not ids:
                return
            yield ids, list(page["metadatas"] or [{}] * len(ids))
            offset += len(ids)

    def _pages_of(self, article_ids: Sequence[str]) -> Iterator[tuple[list[str], list[Any]]]:
        for start in range(0, len(article_ids), 100):
            where: Any = {"article_id": {"$in": list(article_ids[start : start + 100])}}
            page = self.collection.get(include=["metadatas"], where=where)
            ids = list(page["ids"])
            yield ids, list(page["metadatas"] or [{}] * len(ids))

    def upsert(self, chunks: Sequence[Chunk], vectors: Any) -> None:
        """Write chunks with precomputed vectors, to Chroma then to the lexical index; ids
        derive from content, so re-writes are idempotent."""
        if self.lexical:
            self.lexical.mark_pending()
        self.collection.upsert(
            ids=[c.id for c in chunks],
            embeddings=vectors,
            documents=[c.text for c in chunks],
            metadatas=[c.metadata for c in chunks],
        )
        self._log_change(added=[c.id for c in chunks])
        if self.lexical:
            self.lexical.add(StoredChunk(c.id, c.text, c.metadata) for c in chunks)
        self._wrote()

    def delete(self, ids: Sequence[str]) -> None:
        if not ids:
            return
        if self.lexical:
            self.lexical.mark_pending()
        for start in range(0, len(ids), PAGE):
            self.collection.delete(ids=list(ids[start : start + PAGE]))
        self._log_change(removed=ids)
        if self.lexical:
            self.lexical.delete(ids)
        self._wrote()

    def _log_change(self, added: Sequence[str] = (), removed: Sequence[str] = ()) -> None:
        """One entry per write in the change log beside the collection: what a replica with a
        lexical index of its own (another machine) follows, instead of listing every id."""
        changes = self._changes_collection()
        step = CHANGES.ids_per_entry
        for start in range(0, max(len(added), len(removed)), step):
            now_ms = int(time.time() * 1000)
            meta = {
                "at": now_ms,
                "added": json.dumps(list(added[start : start + step])),
                "removed": json.dumps(list(removed[start : start + step])),
            }
            changes.add(ids=[f"{now_ms:015d}-{uuid.uuid4().hex[:12]}"], embeddings=[[1.0]], metadatas=[meta])

    def prune_changes(self) -> None:
        """Entries older than ``ChangeLogConfig.keep_s`` go (a build's last step)."""
        cutoff = int((time.time() - CHANGES.keep_s) * 1000)
        self.guard.call(lambda: self._changes_collection().delete(where={"at": {"$lt": cutoff}}))

    def follow_changes(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Bring this replica's own lexical index up to the writers' change log: the chunks
        its new entries name are read from Chroma (present: added or replaced; gone:
        deleted). Never followed, or away longer than the log is kept: every id is compared
        instead (``progress(done, total)`` while adding). Returns the chunk ids looked at."""
        lexical = self.lexical
        if lexical is None:
            return 0
        state = lexical.followed()
        margin_ms = int(CHANGES.margin_s * 1000)
        now_ms = int(time.time() * 1000)
        if state.at_ms == 0 or now_ms - state.at_ms > CHANGES.keep_s * 1000:
            covered = tuple(entry_id for _, entry_id, _ in self._changes_since(now_ms - margin_ms))
            lexical.set_followed(FollowedChanges(now_ms, covered))  # what the comparison covers
            added, deleted = self.repair_lexical(progress)
            return added + deleted
        entries = [e for e in self._changes_since(state.at_ms - margin_ms) if e[1] not in state.applied]
        if not entries:
            if now_ms - state.at_ms > CHANGES.keep_s * 500:  # quiet for long: not "away" though
                lexical.set_followed(FollowedChanges(now_ms - margin_ms, state.applied))
            return 0
        touched = sorted(
            {i for _, _, m in entries for key in ("added", "removed") for i in json.loads(m[key])}
        )
        with lexical.batch():
            for start in range(0, len(touched), PAGE // 5):
                wanted = touched[start : start + PAGE // 5]
                present = self.reader.get(ids=wanted, include=["documents", "metadatas"])
                lexical.add(chunks_of(present))
                lexical.delete(sorted(set(wanted) - set(present["ids"])))
        newest = max(at for at, _, _ in entries)
        window = max(newest, state.at_ms) - margin_ms
        applied = {*state.applied, *(entry_id for _, entry_id, _ in entries)}
        lexical.set_followed(
            FollowedChanges(max(newest, state.at_ms), tuple(a for a in applied if int(a[:15]) > window))
        )
        return len(touched)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """The writes inside reach readers of the lexical index in one commit at the end (a
        build; a correction's new and stale chunks), not one commit per write."""
        if self.lexical is None:
            yield
            return
        with self.lexical.batch():
            yield

    def lexical_gap(self) -> str:
        """Why the lexical index may not hold exactly Chroma's chunks ("" when it does, as far
        as two counts and the mark of an interrupted write can tell)."""
        if self.lexical is None:
            return ""
        if self.lexical.pending:
            return "a write was interrupted, or the lexical index is new"
        stored, held = self.count(), self.lexical.count()
        return "" if stored == held else f"{stored} chunks in the store, {held} in the lexical index"

    def repair_lexical(self, progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
        """Bring the lexical index in line with Chroma (the caller holds the write lock):
        (chunks added, chunks deleted)."""
        if self.lexical is None:
            return 0, 0
        return self.lexical.repair(self.reader.get, progress)

    def _wrote(self) -> None:
        # The count alone misses a correction (same number of chunks) and build times have
        # one-second resolution: every write leaves a mark that ``version`` reads.
        self.set_build_info(last_write=uuid.uuid4().hex)

    def catch_up(self) -> str:
        """The store's version, after reopening the client if another process changed the
        embedded store since this one last looked: an embedded client's in-memory vector
        index never sees other processes' writes (their rows, yes; their vectors, no)."""
        version = self.version()
        if self._reopen is not None and version != self._known_version:
            client = self.guard.call(self._reopen)
            self.collection = client.get_collection(self.collection_name, embedding_function=None)
            self.client = client
            self._known_version = version
        return version

    def version(self) -> str:
        """Changes whenever a build or removal changed the collection (read fresh, not cached)."""

        def read() -> str:
            current = self.client.get_collection(self.collection_name, embedding_function=None)
            meta = current.metadata or {}
            marks = (meta.get("newsbot_last_build_at", ""), meta.get("newsbot_last_write", ""))
            return f"{current.count()}:{marks[0]}:{marks[1]}"

        return self.guard.call(read)

    def takedowns(self) -> list[Takedown]:
        """Every takedown in force, newest first (a newsroom's handful: read whole)."""
        found = self.guard.call(lambda: self._takedown_collection().get(include=["metadatas"]))
        metas = found["metadatas"] or [{}] * len(found["ids"])
        takedowns = [
            Takedown(
                article_id, str(m.get("taken_down_at", "")), str(m.get("reason", "")), str(m.get("title", ""))
            )
            for article_id, m in zip(found["ids"], metas, strict=True)
        ]
        return newest_first(takedowns)

    def take_down(self, takedown: Takedown) -> None:
        """Record the takedown (before the article's chunks go: a crash in between leaves the
        article withheld from the next build, never back in answers)."""
        meta = {
            "taken_down_at": takedown.taken_down_at,
            "reason": one_line(takedown.reason, REASON_CHARS),
            "title": one_line(takedown.title, REASON_CHARS),
        }
        # Chroma keeps records with a vector: a constant one (nothing searches this collection).
        self.guard.call(
            lambda: self._takedown_collection().upsert(
                ids=[takedown.article_id], embeddings=[[1.0]], metadatas=[meta]
            )
        )

    def lift(self, article_id: str) -> bool:
        """End a takedown; False when there was none."""
        collection = self._takedown_collection()
        if not self.guard.call(lambda: collection.get(ids=[article_id])["ids"]):
            return False
        self.guard.call(lambda: collection.delete(ids=[article_id]))
        return True

    def _changes_since(self, since_ms: int) -> list[tuple[int, str, dict[str, Any]]]:
        """The change log's entries after ``since_ms``: (time, entry id, metadata)."""
        found = self.guard.call(
            lambda: self._changes_collection().get(where={"at": {"$gt": since_ms}}, include=["metadatas"])
        )
        metas = found["metadatas"] or []
        return [(int(m["at"]), entry_id, m) for entry_id, m in zip(found["ids"], metas, strict=True)]

    def _changes_collection(self) -> Any:
        # As the takedowns': from the current client each time.
        return self.client.get_or_create_collection(
            name=f"{self.collection_name}{CHANGES_SUFFIX}", embedding_function=None
        )

    def _takedown_collection(self) -> Any:
        # From the current client each time: ``catch_up`` may have replaced it.
        return self.client.get_or_create_collection(
            name=f"{self.collection_name}{TAKEDOWN_SUFFIX}", embedding_function=None
        )

    def build_info(self) -> dict[str, Any]:
        meta = self.collection.metadata or {}
        return {k.removeprefix("newsbot_"): v for k, v in meta.items() if k.startswith("newsbot_")}

    def set_build_info(self, **info: str | int | float) -> None:
        """Merged into the collection's metadata (Chroma's ``modify`` replaces it whole)."""
        current = self.client.get_collection(self.collection_name, embedding_function=None).metadata or {}
        self.collection.modify(metadata={**current, **{f"newsbot_{k}": v for k, v in info.items()}})
        if self._reopen is not None:
            self._known_version = self.version()  # our own write: this client has seen it


class GuardedReader:
    """The reads the bot makes of the collection (``query``, ``get``), each with a deadline.
    ``collection``: the collection, or a callable giving the current one (a store that
    reopens its client swaps it)."""

    def __init__(self, collection: Any, guard: CallGuard) -> None:
        self._collection = collection if callable(collection) else (lambda: collection)
        self._guard = guard

    def query(self, **kwargs: Any) -> Any:
        collection = self._collection()
        return self._guard.call(lambda: collection.query(**kwargs))

    def get(self, **kwargs: Any) -> Any:
        collection = self._collection()
        return self._guard.call(lambda: collection.get(**kwargs))


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def open_store(settings: IndexSettings, embeddings: Embeddings | None = None) -> ArticleStore:
    """Embedded store under ``data_dir``, or a Chroma server when ``chroma_host`` is set."""
    import chromadb

    config = GuardConfig(timeout_s=settings.store_timeout_s)
    if settings.server_mode:
        location = f"http://{settings.chroma_host}:{settings.chroma_port}"
        guard = CallGuard(f"the Chroma server at {location}", config)
        try:
            client = guard.call(
                lambda: chromadb.HttpClient(
                    host=str(settings.chroma_host), port=settings.chroma_port, settings=_chroma_settings()
                )
            )
            guard.call(client.heartbeat)
            # Creating the collection is a call too: a server that hangs now must not hang the start.
            lexical = _lexical(settings)
            return guard.call(
                lambda: ArticleStore(
                    client, settings.collection, embeddings, location, "server", guard, lexical=lexical
                )
            )
        except IndexUnavailableError:
            raise
        except Exception as err:  # chromadb raises several unrelated types here
            raise IndexUnavailableError(f"cannot reach the Chroma server at {location}: {err}") from err
    path = chroma_path(settings)
    path.mkdir(parents=True, exist_ok=True)
    client = chromadb.PersistentClient(path=str(path), settings=_chroma_settings())
    location = str(path.resolve())
    guard = CallGuard(f"the article store at {location}", config)
    return ArticleStore(
        client,
        settings.collection,
        embeddings,
        location,
        "embedded",
        guard,
        partial(_reopened, path),
        lexical=_lexical(settings),
    )


def _lexical(settings: IndexSettings) -> LexicalStore:
    """The lexical index of this collection; the home-made store it replaced (format ≤ 4,
    ``data_dir/lexical/``) is removed, and the new index marked to be filled from Chroma."""
    lexical = LexicalStore(lexical_path(settings))
    old = old_lexical_path(settings)
    if old.is_dir():
        log.warning("removing the lexical index of the old format at %s: rebuilt from the store", old)
        shutil.rmtree(old, ignore_errors=True)
        lexical.mark_pending()
    return lexical


def _reopened(path: Path) -> ClientAPI:
    """A new client on the folder, with its own view of it: Chroma shares one client per folder
    in a process, and that one's vector index stays as it was loaded."""
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # the next client on any folder starts afresh
    return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())


def chroma_path(settings: IndexSettings) -> Path:
    return settings.data_dir / "chroma"


@contextmanager
def write_lock(settings: IndexSettings) -> Iterator[None]:
    """One writer at a time per data folder (embedded mode); a second one fails fast."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock_path = settings.data_dir / "build.lock"
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise IndexBusyError(f"another build is writing to {settings.data_dir}; try again later") from err
        yield
    finally:
        os.close(fd)  # closing releases the lock, also when the process is killed
