"""The Chroma store (embedded, in tmp_path): articles from chunk metadata, deletes, version,
build info, the writer lock, and never Chroma's own (downloading) embedding function."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.config import Settings
from index.errors import IndexBusyError
from index.loaders import load_sources
from index.store import StoredArticle, chroma_path, open_store, write_lock
from tests.corpus import write_articles
from tests.fakes import HashEmbeddings, fake_chunker


def filled(settings: Settings, count: int = 2):  # type: ignore[no-untyped-def]
    store = open_store(settings)
    docs = load_sources(write_articles(settings.source_dir, count), 5_000_000, 1).documents
    chunks = [c for d in docs for c in fake_chunker(64, 8).split(d)]
    store.upsert(chunks, HashEmbeddings().encode_batch([c.embed_text for c in chunks]))
    return store, chunks


def test_embedded_store_lives_under_the_data_folder(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    store = open_store(settings)
    assert store.mode == "embedded" and chroma_path(settings) == settings.data_dir / "chroma"
    assert store.location == str(chroma_path(settings).resolve()) and store.count() == 0
    assert store.articles() == {} and store.build_info() == {}


def test_articles_are_read_back_from_chunk_metadata(make_settings: Callable[..., Settings]) -> None:
    store, chunks = filled(make_settings())
    articles = store.articles()
    assert set(articles) == {"article-000", "article-001"}
    first = articles["article-000"]
    mine = [c for c in chunks if c.article_id == "article-000"]
    assert first.chunk_ids == {c.id for c in mine} and first.chunk_total == len(mine)
    assert first.origin.endswith("article-000.txt") and first.origin_kind == "file"
    assert first.is_complete(mine[0].metadata["article_fingerprint"])
    assert not first.is_complete("another-version")
    assert store.count() == len(chunks)


def test_an_article_missing_chunks_is_incomplete() -> None:
    article = StoredArticle("a", "a.txt", "file", {"fp"}, chunk_total=3, chunk_ids={"a#1", "a#2"})
    assert not article.is_complete("fp")
    assert StoredArticle("a", "a.txt", "file", {"fp", "old"}, 1, {"a#1"}).is_complete("fp") is False


def test_upserts_are_idempotent_and_deletes_remove(make_settings: Callable[..., Settings]) -> None:
    store, chunks = filled(make_settings())
    store.upsert(chunks, HashEmbeddings().encode_batch([c.embed_text for c in chunks]))
    assert store.count() == len(chunks)  # the same ids: no duplicates
    store.delete([c.id for c in chunks[:3]])
    assert store.count() == len(chunks) - 3
    store.delete([])


def test_version_and_build_info_follow_the_builds(make_settings: Callable[..., Settings]) -> None:
    store, chunks = filled(make_settings())
    before = store.version()
    store.set_build_info(last_build_at="2024-01-01T00:00:00+00:00", model="m")
    assert store.version() != before and store.version().startswith(f"{len(chunks)}:")
    info = store.build_info()
    assert (info["last_build_at"], info["model"]) == ("2024-01-01T00:00:00+00:00", "m")
    store.delete([chunks[0].id])
    assert store.version().startswith(f"{len(chunks) - 1}:")
    same_count = store.version()  # a correction rewrites chunks and keeps their number
    store.upsert([chunks[1]], HashEmbeddings().encode_batch([chunks[1].embed_text]))
    assert store.version() != same_count and store.version().startswith(f"{len(chunks) - 1}:")
    assert store.build_info()["model"] == "m"  # each write's mark keeps the other fields


def test_retrieval_goes_through_our_embeddings_only(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    filled(settings)
    with pytest.raises(Exception):  # noqa: B017 - any error is fine, a model download is not
        open_store(settings).collection.query(query_texts=["harbour"], n_results=1)
    store = open_store(settings, HashEmbeddings())
    hits = store.vectorstore.similarity_search("What did the Aldermoor council approve?", k=1)
    assert hits[0].metadata["article_id"] == "article-000"


def test_one_writer_at_a_time(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    busy = pytest.raises(IndexBusyError, match="another build is writing")
    with write_lock(settings), busy, write_lock(settings):  # a second writer while the first holds it
        pass
    with write_lock(settings):  # released when the first writer is done
        pass


WRITER = """
import sys, chromadb
from chromadb.config import Settings
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
collection = client.get_collection(sys.argv[2], embedding_function=None)
collection.add(ids=["elsewhere#0"], embeddings=[[1.0] + [0.0] * 383], documents=["Written elsewhere."],
               metadatas=[{"article_id": "elsewhere"}])
collection.modify(metadata={**(collection.metadata or {}), "newsbot_last_write": "theirs"})
"""


def test_an_embedded_store_catches_up_with_another_processs_writes(
    make_settings: Callable[..., Settings],
) -> None:
    import subprocess
    import sys

    settings = make_settings()
    store, _ = filled(settings)
    vector = [1.0] + [0.0] * 383

    def nearest() -> str:
        return str(
            store.reader.query(query_embeddings=[vector], n_results=1, include=["distances"])["ids"][0][0]
        )

    before = nearest()
    path = str(settings.data_dir / "chroma")
    subprocess.run([sys.executable, "-c", WRITER, path, settings.collection], check=True, timeout=120)
    assert nearest() == before  # this client's vector index does not see the other process's write
    version = store.catch_up()
    assert version.startswith(f"{store.count()}:") and nearest() == "elsewhere#0"
    assert store.catch_up() == version  # nothing new: no reopening


def test_the_stores_own_metadata_writes_do_not_reopen_it(make_settings: Callable[..., Settings]) -> None:
    store, _ = filled(make_settings())
    client = store.client
    store.set_build_info(last_build_at="2025-01-01T00:00:00+00:00")  # what every build ends with
    store.catch_up()
    assert store.client is client  # found by review: each publication reloaded the vector index
