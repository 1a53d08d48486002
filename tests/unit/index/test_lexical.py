"""The lexical index (Tantivy) beside Chroma: written with every store write, one commit per
batch, the mark of an interrupted write, repair from Chroma, the old format replaced."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Settings
from index.errors import IndexBusyError
from index.lexical import PENDING, LexicalConfig, LexicalStore, StoredChunk, lexical_path, old_lexical_path
from index.loaders import load_sources
from index.store import ArticleStore, open_store
from index.sync import remove_article
from index.terms import terms
from tests.corpus import write_articles
from tests.fakes import HashEmbeddings, fake_chunker


def chunk(chunk_id: str, text: str, **meta: object) -> StoredChunk:
    return StoredChunk(chunk_id, text, {"article_id": chunk_id.split("#", maxsplit=1)[0], **meta})


def test_a_readd_replaces_the_chunk_and_a_delete_removes_it(tmp_path: Path) -> None:
    store = LexicalStore(tmp_path / "lex")
    store.add([chunk("a#0", "The harbour froze."), chunk("b#0", "A quiet day.")])
    store.add([chunk("a#0", "The harbour thawed.")])  # same id: an upsert, as Chroma's
    view = store.view()
    assert view.count == 2 and view.chunks(["a#0"])["a#0"].text == "The harbour thawed."
    assert view.search(terms("froze"), 5) == {} and set(view.search(terms("thawed"), 5)) == {"a#0"}
    store.delete(["a#0", "unknown#0"])
    assert store.view().ids() == {"b#0"}


def test_a_batch_is_seen_by_readers_at_once_at_its_end(tmp_path: Path) -> None:
    store = LexicalStore(tmp_path / "lex")
    store.add([chunk("old#0", "The old version.")])
    reader = LexicalStore(tmp_path / "lex")  # another process's view of the folder
    before = reader.generation()
    with store.batch():
        store.add([chunk("new#0", "The new version.")])
        store.delete(["old#0"])
        assert reader.generation() == before and reader.view().ids() == {"old#0"}
    assert reader.generation() != before and reader.view().ids() == {"new#0"}


def test_the_indexed_terms_are_the_bots_and_include_the_header(tmp_path: Path) -> None:
    store = LexicalStore(tmp_path / "lex")
    store.add([chunk("a#0", "Ferries stopped.", title="Strike", source="Coastal Times")])
    view = store.view()
    for term in terms("ferries strike coastal times"):
        assert view.doc_freq(term) == 1, term
    assert view.doc_freq("ferries") == 0  # stemmed, as the bot stems questions


def test_an_interrupted_write_leaves_its_mark_until_the_next_commit(tmp_path: Path) -> None:
    store = LexicalStore(tmp_path / "lex")
    assert store.pending  # new: Chroma may already hold chunks it lacks
    store.add([chunk("a#0", "Text.")])
    assert not store.pending
    store.mark_pending()  # said before a Chroma write that then dies
    assert LexicalStore(tmp_path / "lex").pending and (tmp_path / "lex" / PENDING).exists()


def test_a_folder_of_another_format_is_started_afresh(tmp_path: Path) -> None:
    folder = tmp_path / "lex"
    LexicalStore(folder).add([chunk("a#0", "Text.")])
    (folder / "newsbot-lexical.json").write_text('{"format": 0}', encoding="utf-8")
    again = LexicalStore(folder)
    assert again.count() == 0 and again.pending


def test_a_second_writer_waits_for_the_first_then_fails_as_busy(tmp_path: Path) -> None:
    store = LexicalStore(tmp_path / "lex", LexicalConfig(lock_wait_s=0.3))
    other = LexicalStore(tmp_path / "lex", LexicalConfig(lock_wait_s=0.3))
    with store.batch():
        store.add([chunk("a#0", "Text.")])
        with pytest.raises(IndexBusyError, match="busy"):
            other.add([chunk("b#0", "Other text.")])
    other.add([chunk("b#0", "Other text.")])  # free again
    assert other.view().ids() == {"a#0", "b#0"}


def filled(settings: Settings, count: int = 2):  # type: ignore[no-untyped-def]
    store = open_store(settings)
    docs = load_sources(write_articles(settings.source_dir, count), 5_000_000, 1).documents
    chunks = [c for d in docs for c in fake_chunker(64, 8).split(d)]
    store.upsert(chunks, HashEmbeddings().encode_batch([c.embed_text for c in chunks]))
    return store, chunks


def test_every_store_write_reaches_the_lexical_index(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    store, chunks = filled(settings)
    assert store.lexical is not None and lexical_path(settings).is_dir()
    assert store.lexical.view().ids() == {c.id for c in chunks} and store.lexical_gap() == ""
    gone = remove_article(store, "article-000")
    assert gone and store.lexical.view().ids() == {c.id for c in chunks if c.article_id != "article-000"}
    assert store.lexical_gap() == ""


def test_a_store_written_without_its_lexical_index_is_repaired(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    store, chunks = filled(settings, 3)
    assert store.lexical is not None
    store.lexical.clear()  # as if Chroma had been written by a version without it
    store.lexical.add([chunk("stray#0", "Only in the lexical index.")])
    assert "chunks in the store" in store.lexical_gap()
    assert store.repair_lexical() == (len(chunks), 1)
    assert store.lexical.view().ids() == {c.id for c in chunks} and store.lexical_gap() == ""
    assert store.repair_lexical() == (0, 0)  # a rerun finds nothing to do


def test_the_old_segment_store_is_removed_and_the_index_marked_for_repair(
    make_settings: Callable[..., Settings],
) -> None:
    settings = make_settings()
    filled(settings)
    old = old_lexical_path(settings)
    (old / "segments").mkdir(parents=True)
    (old / "segments" / "manifest.json").write_text("{}", encoding="utf-8")
    reopened = open_store(settings)
    assert not old.exists() and reopened.lexical is not None and reopened.lexical.pending
    assert reopened.lexical_gap() and reopened.repair_lexical() == (0, 0)  # it held them all already
    assert reopened.lexical_gap() == ""


def _replica(writer: ArticleStore, folder: Path) -> ArticleStore:
    """Another machine's view: the same Chroma, a lexical index of its own."""
    return ArticleStore(
        writer.client,
        writer.collection_name,
        None,
        writer.location,
        writer.mode,
        lexical=LexicalStore(folder),
    )


def test_a_replica_with_its_own_index_follows_the_writers_change_log(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    settings = make_settings()
    writer, chunks = filled(settings, 2)
    replica = _replica(writer, tmp_path / "elsewhere")
    assert replica.lexical is not None
    assert replica.follow_changes() == len(chunks)  # never followed: every id compared
    assert replica.lexical.view().ids() == {c.id for c in chunks}
    assert replica.follow_changes() == 0  # nothing new: nothing read, no commit
    generation = replica.lexical.generation()
    assert replica.follow_changes() == 0 and replica.lexical.generation() == generation

    gone = remove_article(writer, "article-000")  # a takedown by a writer elsewhere
    docs = load_sources(write_articles(settings.source_dir, 3), 5_000_000, 1).documents
    fresh = [c for c in fake_chunker(64, 8).split(docs[2])]
    writer.upsert(fresh, HashEmbeddings().encode_batch([c.embed_text for c in fresh]))
    assert replica.follow_changes() == gone + len(fresh)  # only what the log names is read
    expected = {c.id for c in chunks if c.article_id != "article-000"} | {c.id for c in fresh}
    assert replica.lexical.view().ids() == expected
    assert replica.follow_changes() == 0  # the entries just applied are not applied again


def test_the_change_log_is_pruned_and_a_replica_away_longer_compares_every_id(
    make_settings: Callable[..., Settings], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from index import store as stores

    settings = make_settings()
    writer, chunks = filled(settings, 2)
    replica = _replica(writer, tmp_path / "elsewhere")
    assert replica.lexical is not None
    replica.follow_changes()
    monkeypatch.setattr(stores, "CHANGES", stores.ChangeLogConfig(keep_s=0.0))
    writer.prune_changes()  # every entry is older than 0 s
    assert writer.collection.count() == len(chunks)
    remove_article(writer, "article-001")
    writer.prune_changes()
    # Away longer than the log is kept (0 s here): every id is compared, nothing is missed.
    assert replica.follow_changes() > 0
    assert replica.lexical.view().ids() == {c.id for c in chunks if c.article_id != "article-001"}
