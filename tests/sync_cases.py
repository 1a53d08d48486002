"""The indexer's sync rules, written once: run on the fake encoder with embedded Chroma
(tests/unit/index/test_sync.py) and on the real model with embedded and server Chroma
(tests/e2e/index/test_sync.py). Each case takes a fresh indexer and an empty source folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from index.loaders import load_sources
from index.sync import Indexer, remove_article
from tests.corpus import SEED, article_text, write_articles


def expected_ids(indexer: Indexer, folder: Path) -> set[str]:
    docs = load_sources([folder], 5_000_000, 1).documents
    return {c.id for d in docs for c in indexer.chunker.split(d)}


def stored_ids(indexer: Indexer) -> list[str]:
    return list(indexer.store.collection.get(include=[])["ids"])


def build_is_idempotent_and_edits_replace_chunks(indexer: Indexer, docs: Path) -> None:
    paths = write_articles(docs, 4)
    first = indexer.build([docs])
    assert (first.added, first.failed) == (4, 0)
    assert sorted(stored_ids(indexer)) == sorted(expected_ids(indexer, docs))
    assert first.chunks_written == len(stored_ids(indexer)) and first.chunks_deleted == 0

    again = indexer.build([docs])
    assert (again.added, again.updated, again.unchanged, again.chunks_written) == (0, 0, 4, 0)

    paths[1].write_text(article_text(1).replace("approved", "rejected"), encoding="utf-8")
    edited = indexer.build([docs])
    assert (edited.updated, edited.unchanged) == (1, 3)
    assert edited.chunks_deleted > 0
    assert sorted(stored_ids(indexer)) == sorted(expected_ids(indexer, docs))
    texts = indexer.store.collection.get(where={"article_id": "article-001"})["documents"] or []
    assert any("rejected" in t for t in texts) and not any("approved" in t for t in texts)


def removed_file_is_pruned_and_remove_command_deletes(indexer: Indexer, docs: Path) -> None:
    paths = write_articles(docs, 3)
    indexer.build([docs])
    paths[0].unlink()
    stats = indexer.build([docs])
    assert stats.removed == 1
    assert set(indexer.store.articles()) == {"article-001", "article-002"}
    assert remove_article(indexer.store, "article-002") > 0
    assert set(indexer.store.articles()) == {"article-001"}
    assert remove_article(indexer.store, "article-002") == 0


def bad_input_is_skipped_and_nothing_indexed_is_lost(indexer: Indexer, docs: Path) -> None:
    paths = write_articles(docs, 3)
    indexer.build([docs])
    before = len(stored_ids(indexer))
    paths[2].write_bytes(b"\xff\xfe broken now")  # a bad edit to an indexed article
    (docs / "empty.txt").write_text("")
    (docs / "dupe.txt").write_text(article_text(0))
    stats = indexer.build([docs])
    assert stats.failed == 3
    assert {Path(f.origin).name for f in stats.failures} == {"article-002.txt", "empty.txt", "dupe.txt"}
    assert (stats.unchanged, stats.removed) == (2, 0)
    assert len(stored_ids(indexer)) == before  # article-002's chunks survive its bad edit


def other_folders_are_not_pruned(indexer: Indexer, docs: Path, extra: Path) -> None:
    write_articles(docs, 2)
    extra.mkdir()
    shutil.copy(SEED, extra / "seed.txt")
    indexer.build([docs])
    indexer.build([extra])
    assert set(indexer.store.articles()) == {"article-000", "article-001", "seed"}
