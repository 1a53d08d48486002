"""The indexer on an embedded Chroma in tmp_path with the fake encoder and a word-count chunker:
incremental builds, pruning, bad input, the model loaded only when needed, crash recovery.

The same against the real model and a ``chroma run`` server: tests/e2e/index/test_sync.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings
from index.encoder import TokenEncoding
from index.store import open_store
from index.sync import BuildProgress, Indexer
from tests import sync_cases as cases
from tests.corpus import jsonl_records, write_articles
from tests.fakes import HashEmbeddings, fake_chunker


class Factory:
    """The indexer's model loader: counts loads; the encoder may fail after some batches."""

    def __init__(self, fail_after_batches: int | None = None) -> None:
        self.loads = 0
        self.batches = 0
        self.fail_after_batches = fail_after_batches
        self.encoder = HashEmbeddings()

    def __call__(self) -> Factory:
        self.loads += 1
        return self

    def embed_query(self, text: str) -> list[float]:
        return self.encoder.embed_query(text)

    def encode_batch(self, texts: Sequence[str], batch_size: int | None = None) -> np.ndarray:
        if self.fail_after_batches is not None and self.batches >= self.fail_after_batches:
            raise KeyboardInterrupt("killed mid-build")
        self.batches += 1
        return self.encoder.encode_batch(texts)

    def encode_tokens(self, texts: Sequence[str], batch_size: int | None = None) -> list[TokenEncoding]:
        return self.encoder.encode_tokens(texts)


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


def indexer_for(settings: Settings, factory: Factory | None = None, write_batch: int = 256) -> Indexer:
    return Indexer(
        store=open_store(settings),
        embeddings_factory=factory or Factory(),
        chunker=fake_chunker(max_tokens=96, overlap_tokens=16, model_tag="fake/words"),
        max_bytes=5_000_000,
        fetch_timeout_s=1,
        write_batch=write_batch,
    )


def test_build_is_idempotent_and_edits_replace_chunks(settings: Settings) -> None:
    cases.build_is_idempotent_and_edits_replace_chunks(indexer_for(settings), settings.source_dir)


def test_the_model_is_loaded_only_when_something_needs_embedding(settings: Settings) -> None:
    factory = Factory()
    write_articles(settings.source_dir, 2)
    indexer_for(settings, factory).build([settings.source_dir])
    assert factory.loads == 1
    rebuilt = Factory()
    stats = indexer_for(settings, rebuilt).build([settings.source_dir])  # a fresh process, say
    assert stats.unchanged == 2 and rebuilt.loads == 0 and rebuilt.batches == 0


def test_removed_file_is_pruned_and_remove_command_deletes(settings: Settings) -> None:
    cases.removed_file_is_pruned_and_remove_command_deletes(indexer_for(settings), settings.source_dir)


def test_no_prune_keeps_articles_whose_files_are_gone(settings: Settings) -> None:
    indexer = indexer_for(settings)
    paths = write_articles(settings.source_dir, 2)
    indexer.build([settings.source_dir])
    paths[0].unlink()
    stats = indexer.build([settings.source_dir], prune=False)
    assert stats.removed == 0 and set(indexer.store.articles()) == {"article-000", "article-001"}


def test_bad_input_is_skipped_and_nothing_indexed_is_lost(settings: Settings) -> None:
    cases.bad_input_is_skipped_and_nothing_indexed_is_lost(indexer_for(settings), settings.source_dir)


def test_records_of_a_feed_file_are_kept_while_one_line_is_bad(settings: Settings) -> None:
    indexer = indexer_for(settings)
    feed = settings.source_dir / "feed.jsonl"
    feed.parent.mkdir(parents=True)
    lines = jsonl_records(2).splitlines()
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    indexer.build([settings.source_dir])
    assert len(indexer.store.articles()) == 2
    feed.write_text("\n".join([lines[0], "{broken"]) + "\n", encoding="utf-8")
    stats = indexer.build([settings.source_dir])
    assert stats.failed == 1 and stats.removed == 0  # the record on the bad line is not dropped
    assert len(indexer.store.articles()) == 2
    feed.unlink()
    assert indexer.build([settings.source_dir]).removed == 2


def test_other_folders_and_urls_are_not_pruned(settings: Settings, tmp_path: Path) -> None:
    cases.other_folders_are_not_pruned(indexer_for(settings), settings.source_dir, tmp_path / "extra")


def test_progress_reports_chunks_and_articles(settings: Settings) -> None:
    indexer = indexer_for(settings, write_batch=5)
    write_articles(settings.source_dir, 3)
    reports: list[BuildProgress] = []
    stats = indexer.build([settings.source_dir], progress=reports.append)
    assert len(reports) > 1
    assert [r.chunks_done for r in reports] == sorted(r.chunks_done for r in reports)
    last = reports[-1]
    assert last.chunks_done == last.chunks_total == stats.chunks_written
    assert last.articles_done == last.articles_total == 3
    assert all(r.chunks_done - p.chunks_done <= 5 for p, r in itertools.pairwise(reports))


def test_a_build_killed_mid_write_is_completed_exactly_by_the_next(settings: Settings) -> None:
    write_articles(settings.source_dir, 6)
    dying = Factory(fail_after_batches=2)
    with pytest.raises(KeyboardInterrupt):
        indexer_for(settings, dying, write_batch=4).build([settings.source_dir])
    indexer = indexer_for(settings, write_batch=4)
    wanted = cases.expected_ids(indexer, settings.source_dir)
    partial = cases.stored_ids(indexer)
    assert 0 < len(partial) < len(wanted) and set(partial) <= wanted
    stats = indexer.build([settings.source_dir])
    assert sorted(cases.stored_ids(indexer)) == sorted(wanted)  # no missing chunk and no duplicate
    assert stats.chunks_written == len(wanted) - len(partial)  # only what was missing
    assert indexer.build([settings.source_dir]).unchanged == 6


def test_status_info_after_build(settings: Settings) -> None:
    indexer = indexer_for(settings)
    write_articles(settings.source_dir, 2)
    indexer.build([settings.source_dir])
    info = indexer.store.build_info()
    assert info["model"] == "fake/words"
    assert info["last_build_summary"].startswith("added 2, updated 0, unchanged 0, removed 0, failed 0")
    assert info["last_build_at"] and indexer.store.mode == "embedded"
    version = indexer.store.version()
    write_articles(settings.source_dir, 3)
    indexer.build([settings.source_dir])
    assert indexer.store.version() != version  # what the BM25 cache polls to see a change


def test_a_new_file_cannot_take_an_indexed_articles_id(settings: Settings) -> None:
    indexer = indexer_for(settings)
    paths = write_articles(settings.source_dir, 3)
    indexer.build([settings.source_dir])
    before = indexer.store.articles()["article-001"]
    # Sorts first, so the loader keeps it and reports the genuine file as the duplicate.
    hijack = settings.source_dir / "aaa-hijack.txt"
    hijack.write_text("Hijacked\nid: article-001\nSource: Elsewhere\n\nThe bridge was sold to a stranger.\n")
    stats = indexer.build([settings.source_dir])
    after = indexer.store.articles()["article-001"]
    assert (after.origin, after.chunk_ids) == (before.origin, before.chunk_ids)  # nothing replaced
    assert any("already belongs to" in f.reason and "aaa-hijack" in f.origin for f in stats.failures)
    # Once the owning file is gone, the id is free: a moved or replaced article takes it.
    paths[1].unlink()
    indexer.build([settings.source_dir])
    assert indexer.store.articles()["article-001"].origin.endswith("aaa-hijack.txt")


def test_sync_of_two_documents_with_one_id_keeps_the_first(settings: Settings) -> None:
    """Two items of one feed poll naming one article (found by review): one article, not two
    sets of chunks under one id."""
    from index.loaders import make_document

    first = make_document(
        "The harbour reopened on Monday after the strike ended.",
        {"article_id": "x", "title": "A"},
        "feed:1",
        "feed",
    )
    second = make_document(
        "A different story entirely about the bridge vote.",
        {"article_id": "x", "title": "B"},
        "feed:2",
        "feed",
    )
    indexer = indexer_for(settings)
    stats = indexer.sync([first, second])
    assert stats.added == 1 and [f.reason for f in stats.failures] == ["duplicate article id 'x'"]
    stored = indexer.store.articles()["x"]
    assert stored.fields["title"] == "A" and len(stored.fingerprints) == 1


def test_a_file_cannot_replace_an_article_published_through_the_api(settings: Settings) -> None:
    """The probe's high-severity defect: a file naming an API article's id (by header or by its
    file name) silently replaced what the newsroom published. Now it is refused and reported."""
    from index.loaders import make_document

    indexer = indexer_for(settings)
    published = make_document(
        "The harbour authority named Jo Quill as its new chief on Monday.",
        {"article_id": "api-owned", "title": "Harbour names a new chief"},
        "api:api-owned",
        "api",
    )
    assert indexer.sync([published]).added == 1
    before = indexer.store.articles()["api-owned"]
    settings.source_dir.mkdir(parents=True, exist_ok=True)
    claims = {
        "claim-api.txt": "Harbour names a chief\nID: api-owned\n\nThe authority named Max Impostor.\n",
        "api-owned.txt": "Harbour names a new chief\n\nThe harbour authority named Max Impostor as chief.\n",
    }
    for name, text in claims.items():  # by its header, then by its file name
        for old in settings.source_dir.glob("*.txt"):
            old.unlink()
        (settings.source_dir / name).write_text(text)
        stats = indexer.build([settings.source_dir])
        after = indexer.store.articles()["api-owned"]
        assert (after.origin, after.origin_kind) == ("api:api-owned", "api")
        assert after.chunk_ids == before.chunk_ids
        [refused] = stats.failures
        assert "already belongs to the publishing API" in refused.reason and refused.origin.endswith(name)
        assert stats.updated == 0 and stats.added == 0
    # The API itself still corrects its own article.
    corrected = make_document(
        "The harbour authority named Jo Quill as its new chief on Tuesday.",
        {"article_id": "api-owned", "title": "Harbour names a new chief"},
        "api:api-owned",
        "api",
    )
    assert indexer.sync([corrected]).updated == 1


def test_a_feed_item_cannot_replace_another_sources_article(settings: Settings) -> None:
    from index.loaders import make_document

    indexer = indexer_for(settings)
    first = make_document(
        "The bridge vote passed on Monday night.",
        {"article_id": "x", "title": "A"},
        "https://a.example/1",
        "feed",
    )
    other = make_document(
        "The bridge was sold off to a stranger.",
        {"article_id": "x", "title": "B"},
        "https://b.example/2",
        "feed",
    )
    indexer.sync([first])
    stats = indexer.sync([other])
    assert stats.updated == 0 and "already belongs to feed https://a.example/1" in stats.failures[0].reason
    assert indexer.store.articles()["x"].fields["title"] == "A"


def test_a_taken_down_article_is_withheld_from_builds_and_feeds_until_lifted(settings: Settings) -> None:
    from index.loaders import make_document
    from index.store import Takedown

    indexer = indexer_for(settings)
    write_articles(settings.source_dir, 2)
    indexer.build([settings.source_dir])
    indexer.store.take_down(Takedown("article-001", "2026-12-07T00:00:00+00:00", "legal"))
    indexer.store.delete(sorted(indexer.store.articles()["article-001"].chunk_ids))
    stats = indexer.build([settings.source_dir])
    assert (stats.withheld, stats.added, stats.failed) == (["article-001"], 0, 0)
    item = make_document(
        "A feed's copy of the story that was taken down.", {"article_id": "article-001"}, "f:1", "feed"
    )
    assert indexer.sync([item]).withheld == ["article-001"]
    assert "article-001" not in indexer.store.articles()
    assert [t.article_id for t in indexer.store.takedowns()] == ["article-001"]
    assert indexer.store.lift("article-001") and not indexer.store.lift("article-001")
    assert indexer.build([settings.source_dir]).added == 1


def test_ownership_and_pruning_do_not_depend_on_the_working_directory(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The probe's finding: origins were stored as given (``source_docs/x.txt``) and resolved
    against whatever directory a later build ran in — from elsewhere the owner looked deleted,
    so another file took the id, and a build of an unrelated folder pruned the article."""
    indexer = indexer_for(settings)
    write_articles(settings.source_dir, 2)
    monkeypatch.chdir(settings.source_dir.parent)
    indexer.build([Path(settings.source_dir.name)])  # a relative path, as `index build source_docs`
    assert Path(indexer.store.articles()["article-001"].origin).is_absolute()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    intruders = tmp_path / "intruders"
    intruders.mkdir()
    (intruders / "article-001.txt").write_text("Hijacked\n\nThe bridge was sold to a stranger today.\n")
    stats = indexer.build([intruders])
    assert any("already belongs to" in f.reason for f in stats.failures)
    assert set(indexer.store.articles()) == {"article-000", "article-001"}  # nothing pruned either
    assert indexer.store.articles()["article-001"].fields["title"] != "Hijacked"
    # The same folder named another way is the same owner: unchanged, no failure.
    same = indexer.build([settings.source_dir.resolve()])
    assert not same.failures and same.unchanged == 2


def test_an_older_index_with_relative_origins_is_kept_safe_from_elsewhere(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Indexes built before origins were absolute keep their relative ones: from another
    directory they can neither be taken over nor pruned; from theirs they still match."""
    from index.loaders import make_document

    indexer = indexer_for(settings)
    body = "The harbour authority named Jo Quill as its new chief on Monday morning."
    legacy = make_document(body, {"article_id": "old", "title": "Old"}, "docs/old.txt", "file")
    indexer.sync([legacy])
    monkeypatch.chdir(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    (other / "old.txt").write_text("Impostor\n\nThe authority named Max Impostor as chief today.\n")
    stats = indexer.build([other])
    assert any("already belongs to docs/old.txt" in f.reason for f in stats.failures)
    assert indexer.store.articles()["old"].fields["title"] == "Old"
    (other / "old.txt").unlink()
    assert "old" in indexer.store.articles() and indexer.build([other]).removed == 0
    # Seen from its own directory, its file is its own (same tail): unchanged.
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "old.txt").write_text(f"Old\n\n{body}\n")
    assert not indexer.build([tmp_path / "docs"]).failures
