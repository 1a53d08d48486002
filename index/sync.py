"""Idempotent, crash-safe build/update/remove of the article index.

Crash safety comes from the order of writes, not from transactions: chunk ids are
derived from article id + content, new chunks are upserted first and an article's
stale chunks are deleted only afterwards. A run killed at any point leaves a store
that the next run completes from the difference "wanted ids vs stored ids", with no
duplicate (ids are deterministic) and no missing chunk.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.documents import Document

from index.chunking import Chunk, SentenceChunker
from index.loaders import LoadFailure, LoadResult, load_sources
from index.store import ArticleStore, StoredArticle

if TYPE_CHECKING:
    from index.encoder import Encoder

log = logging.getLogger(__name__)


@dataclass
class BuildProgress:
    chunks_done: int
    chunks_total: int
    articles_done: int
    articles_total: int


@dataclass
class BuildStats:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    failures: list[LoadFailure] = field(default_factory=list)
    chunks_written: int = 0
    chunks_deleted: int = 0
    seconds: float = 0.0
    written_ids: list[str] = field(default_factory=list)  # what changed, for a reader to follow
    deleted_ids: list[str] = field(default_factory=list)
    changes: list[tuple[str, str]] = field(default_factory=list)  # (added|updated|removed, article id)
    withheld: list[str] = field(default_factory=list)  # ids of taken-down articles a source still holds
    repaired: str = ""  # what bringing the lexical index in line with the store did, if anything

    @property
    def failed(self) -> int:
        return len(self.failures)

    def summary(self) -> str:
        withheld = f", withheld {len(self.withheld)} (taken down)" if self.withheld else ""
        repaired = f"; {self.repaired}" if self.repaired else ""
        return (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, "
            f"removed {self.removed}, failed {self.failed}{withheld} "
            f"({self.chunks_written} chunks embedded, {self.chunks_deleted} deleted, "
            f"{self.seconds:.1f} s){repaired}"
        )


@dataclass
class _Plan:
    """What a run has to do, computed from sources vs store before any write."""

    new_chunks: list[Chunk] = field(default_factory=list)
    stale_ids: list[str] = field(default_factory=list)
    articles_to_write: list[str] = field(default_factory=list)


class Indexer:
    """Loads, chunks, embeds and stores articles; the one writer of the index."""

    def __init__(
        self,
        store: ArticleStore,
        embeddings_factory: Callable[[], Encoder],
        chunker: SentenceChunker,
        max_bytes: int,
        fetch_timeout_s: float,
        write_batch: int = 256,
    ) -> None:
        self.store = store
        self._embeddings_factory = embeddings_factory
        self._embeddings: Encoder | None = None
        self.chunker = chunker
        self.max_bytes = max_bytes
        self.fetch_timeout_s = fetch_timeout_s
        self.write_batch = write_batch

    @property
    def embeddings(self) -> Encoder:
        """Loaded on first use: a run with nothing to embed never pays for the model."""
        if self._embeddings is None:
            self._embeddings = self._embeddings_factory()
        return self._embeddings

    def build(
        self,
        sources: Sequence[str | Path],
        prune: bool = True,
        progress: Callable[[BuildProgress], None] | None = None,
    ) -> BuildStats:
        """Bring the index in line with ``sources``; prune articles whose files are gone.
        The lexical index is first brought in line with Chroma when it may not be (a write
        interrupted between the two, a new or old-format lexical index)."""
        started = time.perf_counter()
        repaired = self._repair_lexical()
        loaded = load_sources(sources, self.max_bytes, self.fetch_timeout_s)
        stats = BuildStats(failures=list(loaded.failures), repaired=repaired)
        stored = self.store.articles()
        plan = self._plan(loaded, stored, stats)
        if prune:
            self._plan_removals(loaded, stored, sources, plan, stats)
        stats = self._apply(plan, stats, started, progress)
        self.store.prune_changes()
        return stats

    def _repair_lexical(self) -> str:
        gap = self.store.lexical_gap()
        if not gap:
            return ""
        log.info("lexical index: %s; bringing it in line with the store", gap)
        added, deleted = self.store.repair_lexical()
        return (
            f"lexical index brought in line with the store ({gap}): {added} chunks added, {deleted} deleted"
        )

    def sync(self, documents: Sequence[Document]) -> BuildStats:
        """Bring these articles in line (added, updated or unchanged), touching no other: what
        a publication pushed by a newsroom's CMS needs. Reads only these articles' records."""
        started = time.perf_counter()
        unique: dict[str, Document] = {}
        stats = BuildStats()
        for doc in documents:  # two items of one feed poll may name one article: the first wins
            article_id = doc.metadata["article_id"]
            if article_id in unique:
                stats.failures.append(
                    LoadFailure(str(doc.metadata.get("origin", "")), f"duplicate article id {article_id!r}")
                )
            else:
                unique[article_id] = doc
        loaded = LoadResult(documents=list(unique.values()))
        stored = self.store.articles(only=list(unique))
        return self._apply(self._plan(loaded, stored, stats), stats, started, None)

    def _apply(
        self,
        plan: _Plan,
        stats: BuildStats,
        started: float,
        progress: Callable[[BuildProgress], None] | None,
    ) -> BuildStats:
        """New chunks first, stale ones after (the crash-safe order), then the build record.
        Readers of the lexical index see the whole change at once."""
        with self.store.writing():
            self._write(plan, progress)
            self.store.delete(plan.stale_ids)
        stats.chunks_written = len(plan.new_chunks)
        stats.chunks_deleted = len(plan.stale_ids)
        stats.written_ids = [c.id for c in plan.new_chunks]
        stats.deleted_ids = list(plan.stale_ids)
        stats.seconds = time.perf_counter() - started
        self.store.set_build_info(
            last_build_at=datetime.now(UTC).isoformat(timespec="seconds"),
            model=self.chunker.model_tag,
            last_build_summary=stats.summary(),
        )
        return stats

    def _plan(self, loaded: LoadResult, stored: dict[str, StoredArticle], stats: BuildStats) -> _Plan:
        plan = _Plan()
        taken_down = {t.article_id for t in self.store.takedowns()} if loaded.documents else set()
        for doc in loaded.documents:
            if doc.metadata["article_id"] in taken_down:  # until an editor lifts the takedown
                stats.withheld.append(doc.metadata["article_id"])
                continue
            previous = stored.get(doc.metadata["article_id"])
            owner = _other_owner(doc, previous)
            if owner:
                # A new source naming an indexed article's id ("id: …" header, a JSONL record, a
                # CMS push) must not replace it: the article keeps its id and its source.
                stats.failures.append(
                    LoadFailure(
                        doc.metadata["origin"],
                        f"article id {doc.metadata['article_id']!r} already belongs to {owner}; "
                        "give this article another id, or take the other one down first",
                    )
                )
                loaded.failed_origins.add(_file_part(str(doc.metadata["origin"])))
                continue
            if previous is not None and previous.is_complete(self.chunker.fingerprint(doc)):
                stats.unchanged += 1  # fast path: no chunking, no model
                continue
            try:
                chunks = self.chunker.split(doc)
            except ValueError as err:
                stats.failures.append(LoadFailure(doc.metadata["origin"], str(err)))
                continue
            self._plan_article(doc, chunks, previous, plan, stats)
        return plan

    @staticmethod
    def _plan_article(
        doc: Document, chunks: list[Chunk], previous: StoredArticle | None, plan: _Plan, stats: BuildStats
    ) -> None:
        wanted = {c.id for c in chunks}
        have = previous.chunk_ids if previous else set()
        if wanted == have:
            stats.unchanged += 1
            return
        if previous is None:
            stats.added += 1
        else:
            stats.updated += 1
        stats.changes.append(("added" if previous is None else "updated", doc.metadata["article_id"]))
        plan.articles_to_write.append(doc.metadata["article_id"])
        plan.new_chunks.extend(c for c in chunks if c.id not in have)
        plan.stale_ids.extend(sorted(have - wanted))

    @staticmethod
    def _plan_removals(
        loaded: LoadResult,
        stored: dict[str, StoredArticle],
        sources: Sequence[str | Path],
        plan: _Plan,
        stats: BuildStats,
    ) -> None:
        """Articles from files that are gone (or no longer hold them) leave the index.

        Articles from URLs, from files outside the built folders, and from files that
        failed to load this time are kept: a bad edit must not wipe what was indexed.
        """
        present = {doc.metadata["article_id"] for doc in loaded.documents}
        roots = [Path(s).resolve() for s in sources if not str(s).startswith(("http://", "https://"))]
        failed = {Path(_file_part(origin)).resolve() for origin in loaded.failed_origins}
        for article in stored.values():
            if article.article_id in present or article.origin_kind != "file":
                continue
            recorded = Path(_file_part(article.origin))
            path = recorded.resolve()
            if path in failed:
                continue
            inside = any(path == r or path.is_relative_to(r) for r in roots)
            # Outside the built folders: kept while its file exists — and, when it was recorded
            # relative to another directory (older indexes), whenever it cannot be found from here.
            if not inside and (path.exists() or not recorded.is_absolute()):
                continue
            stats.removed += 1
            stats.changes.append(("removed", article.article_id))
            plan.stale_ids.extend(sorted(article.chunk_ids))

    def _write(self, plan: _Plan, progress: Callable[[BuildProgress], None] | None) -> None:
        total = len(plan.new_chunks)
        articles_total = len(plan.articles_to_write)
        done_articles: set[str] = set()
        for start in range(0, total, self.write_batch):
            batch = plan.new_chunks[start : start + self.write_batch]
            vectors = self.embeddings.encode_batch([c.embed_text for c in batch])
            self.store.upsert(batch, vectors)
            done_articles.update(c.article_id for c in batch)
            if progress:
                progress(
                    BuildProgress(
                        start + len(batch), total, min(len(done_articles), articles_total), articles_total
                    )
                )


def _other_owner(doc: Document, previous: StoredArticle | None) -> str:
    """Who holds the indexed article of ``doc``'s id, when that is another source ("" otherwise:
    a new article, the same source, or a file that was moved or deleted). An article belongs to
    the source that first indexed it — a file, the publishing API, a feed item, a URL — and no
    other source may replace it: a file must not silently overwrite what the newsroom
    published, nor the API a file's article."""
    if previous is None:
        return ""
    mine = str(doc.metadata.get("origin", ""))
    if previous.origin_kind != "file":
        return "" if previous.origin == mine else _describe(previous)
    mine_file = (
        Path(_file_part(mine)).resolve() if doc.metadata.get("origin_kind", "file") == "file" else None
    )
    recorded = Path(_file_part(previous.origin))
    if recorded.is_absolute():
        owner = recorded.resolve()
        return "" if owner == mine_file or not owner.is_file() else str(owner)
    # Recorded relative (an index built before origins were absolute): relative to the
    # directory that build ran in, which may not be this one.
    if mine_file is not None and _same_tail(mine_file, recorded):
        return ""  # the same file, named from another directory
    here = recorded.resolve()
    if here == mine_file:
        return ""
    # Not found from here: gone, or recorded from elsewhere. Only a build of its folder can
    # tell (it prunes it); until then the id stays its own.
    return str(here) if here.exists() else str(recorded)


def _same_tail(path: Path, recorded: Path) -> bool:
    parts = Path(os.path.normpath(recorded)).parts
    return path.parts[-len(parts) :] == parts


def _describe(article: StoredArticle) -> str:
    """A non-file owner as an editor knows it."""
    if article.origin_kind == "api":
        return "the publishing API (PUT /api/admin/articles)"
    return f"{article.origin_kind} {article.origin}"


def _file_part(origin: str) -> str:
    """'data.jsonl:12' and 'list.json[3]' → the file they came from."""
    if origin.endswith("]") and "[" in origin:
        return origin.rsplit("[", 1)[0]
    head, sep, tail = origin.rpartition(":")
    return head if sep and tail.isdigit() else origin


def remove_article(store: ArticleStore, article_id: str) -> int:
    """Delete one article's chunks; returns how many were deleted (0: not indexed)."""
    article = store.articles().get(article_id)
    if article is None:
        return 0
    store.delete(sorted(article.chunk_ids))
    return len(article.chunk_ids)
