"""Lexical snapshots on disk: shared by replicas, followed incrementally in segments, never
half-written."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from bot.retrieval import snapshot as snapshots
from bot.retrieval.lexical import LexicalCache, LexicalIndex
from tests.unit.bot.retrieval.test_lexical import IDS, METAS, TEXTS, PagedStore


def _store() -> PagedStore:
    return PagedStore(list(IDS), list(TEXTS), [dict(m) for m in METAS])


def _documents_read(store: PagedStore) -> int:
    return sum("documents" in include for _, _, include in store.calls)


def _add(store: PagedStore, chunk_id: str, text: str, article: str) -> None:
    store.ids.append(chunk_id)
    store.texts.append(text)
    store.metadatas.append({"article_id": article, "title": article.title(), "start": 0, "end": len(text)})


def test_a_second_replica_on_the_same_folder_opens_the_snapshot_without_reading_chunks(
    tmp_path: Path,
) -> None:
    first, second = _store(), _store()
    a = LexicalCache(first, lambda: "v1", root=tmp_path)()
    b = LexicalCache(second, lambda: "v1", root=tmp_path)()
    assert _documents_read(first) > 0 and second.calls == []  # B read nothing from the store
    np.testing.assert_array_equal(a.scores("ferry strike"), b.scores("ferry strike"))


def test_a_new_store_version_reads_only_ids_and_the_new_chunks(tmp_path: Path) -> None:
    store, version = _store(), ["v1"]
    cache = LexicalCache(store, lambda: version[0], root=tmp_path, check_every_s=0)
    first = cache()
    store.calls.clear()
    _add(store, "zeppelin#0", "A zeppelin landed at the harbour on Monday.", "zeppelin")
    del store.ids[0], store.texts[0], store.metadatas[0]  # and the first chunk was removed
    version[0] = "v2"
    second = cache()
    assert second is not first and second.chunk_count == first.chunk_count
    reads = [include for _, _, include in store.calls]
    assert reads.count([]) >= 1 and _documents_read(store) == 1  # ids, then the one new chunk
    assert (
        int(np.argmax(second.scores("zeppelin harbour"))) == second.positions_of(["zeppelin#0"])["zeppelin#0"]
    )
    assert IDS[0] not in second.positions_of(IDS)
    stored = {(m or {}).get("article_id") for m in store.metadatas}
    assert {a["article_id"] for a in second.articles()} == stored


def test_after_a_restart_the_newest_snapshot_is_the_starting_point(tmp_path: Path) -> None:
    store = _store()
    LexicalCache(store, lambda: "v1", root=tmp_path)()
    _add(store, "zeppelin#0", "A zeppelin landed at the harbour on Monday.", "zeppelin")
    store.calls.clear()
    restarted = LexicalCache(store, lambda: "v2", root=tmp_path)()  # a new process, a newer store
    assert _documents_read(store) == 1 and len(restarted) == len(IDS) + 1


def test_an_interrupted_build_leaves_nothing_that_a_reader_would_open(tmp_path: Path) -> None:
    class Failing(PagedStore):
        def get(self, include: list[str], limit: int = 0, offset: int = 0, ids: list[str] | None = None):  # type: ignore[no-untyped-def]
            if offset:
                raise ConnectionError("the store went away mid-read")
            return super().get(include, min(limit, 2), offset, ids)

    store = Failing(list(IDS), list(TEXTS), [dict(m) for m in METAS], page_size=2)
    with pytest.raises(ConnectionError):  # after one segment was complete
        LexicalCache(store, lambda: "v1", root=tmp_path, config=snapshots.SnapshotConfig(segment_chunks=1))()
    assert snapshots.latest(tmp_path) is None and [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert len(LexicalCache(_store(), lambda: "v1", root=tmp_path)()) == len(IDS)


def test_old_snapshots_are_pruned_and_segments_nothing_lists(tmp_path: Path) -> None:
    config = snapshots.SnapshotConfig(max_small=2, orphan_after_s=0)
    store, version = _store(), ["v0"]
    cache = LexicalCache(store, lambda: version[0], root=tmp_path, check_every_s=0, config=config)
    for i in range(1, 6):
        _add(store, f"extra#{i}", f"Extra story number {i} about ferries.", f"extra{i}")
        version[0] = f"v{i}"
        cache()
    manifests = list(tmp_path.glob("*/manifest.json"))
    assert len(manifests) == config.keep
    listed = {name for m in manifests for name in json.loads(m.read_text())["segments"]}
    assert {p.name for p in (tmp_path / "segments").iterdir()} == listed


def test_an_index_holds_chunk_texts_on_disk_not_in_memory() -> None:
    index = LexicalIndex.of(IDS, TEXTS, METAS)
    assert not any(isinstance(v, list) and len(v) == len(IDS) for v in vars(index).values())
    assert index.texts[1] == TEXTS[1] and index.metadatas[2]["article_id"] == METAS[2]["article_id"]


def test_an_index_still_reads_its_snapshot_after_it_was_pruned(tmp_path: Path) -> None:
    store, version = _store(), ["v0"]
    cache = LexicalCache(store, lambda: version[0], root=tmp_path, check_every_s=0)
    oldest = cache()  # a question may still hold it while newer versions replace it
    for i in range(1, 4):
        _add(store, f"extra#{i}", f"Extra story number {i} about ferries.", f"extra{i}")
        version[0] = f"v{i}"
        cache()
    assert not oldest.snapshot.folder.exists()
    with ThreadPoolExecutor(1) as other:  # a thread that never read it before, as a new question's
        read = other.submit(lambda: (oldest.texts[1], oldest.article_chunks(METAS[0]["article_id"])))
        text, chunks = read.result()
    assert text == TEXTS[1] and len(chunks) == 1


def test_two_stores_on_one_data_folder_never_share_a_snapshot(unit_settings) -> None:  # type: ignore[no-untyped-def]
    from bot.factory import make_lexical
    from tests.fakes import MemoryStore, as_store

    stores = [MemoryStore(), MemoryStore()]
    for store, name in zip(stores, ("first", "second"), strict=True):
        store.collection.upsert(
            [f"{name}#0"], [[1.0] + [0.0] * 383], [f"The {name} story."], [{"article_id": name}]
        )
    assert stores[0].version() == stores[1].version()  # the same count and writes
    a, b = (make_lexical(unit_settings, as_store(store))() for store in stores)
    assert [r["article_id"] for r in a.articles()] == ["first"]
    assert [r["article_id"] for r in b.articles()] == ["second"]


def _ranked(index: LexicalIndex, query: str) -> list[tuple[str, float]]:
    scores = index.scores(query)
    return sorted(
        ((index.ids[i], round(float(scores[i]), 4)) for i in range(len(index)) if scores[i] > 0),
        key=lambda item: (-item[1], item[0]),
    )


def test_an_index_followed_through_many_changes_equals_one_built_at_once(tmp_path: Path) -> None:
    """Additions, removals and an updated article over many versions (small segments merged
    on the way): the same chunks, articles and scores as a fresh build of the final store."""
    config = snapshots.SnapshotConfig(segment_chunks=3, max_small=2)
    store, version = _store(), ["v0"]
    cache = LexicalCache(
        store, lambda: version[0], root=tmp_path / "followed", check_every_s=0, config=config
    )
    cache()
    for i in range(1, 7):
        _add(store, f"extra#{i}", f"Extra story number {i} about ferries and harbours.", f"extra{i}")
        if i % 2 == 0:  # an article taken down
            gone = store.ids.index(f"extra#{i - 1}")
            del store.ids[gone], store.texts[gone], store.metadatas[gone]
        if i == 5:  # an article corrected: new chunk ids, the old ones removed
            del store.ids[0], store.texts[0], store.metadatas[0]
            _add(
                store,
                "fixed#0",
                "A corrected story: the ferry strike ended on Friday.",
                METAS[0]["article_id"],
            )
        version[0] = f"v{i}"
        followed = cache()
    assert len(followed.snapshot.segments) <= config.max_small + 1
    fresh = LexicalCache(_store_like(store), lambda: "final", root=tmp_path / "fresh", config=config)()
    assert followed.chunk_count == fresh.chunk_count == len(store.ids)
    assert followed.articles() == fresh.articles()
    for query in ("ferry strike", "extra story harbours", "corrected Friday"):
        assert _ranked(followed, query) == _ranked(fresh, query)
    article = METAS[0]["article_id"]
    assert [d.page_content for d in followed.article_chunks(article)] == [
        d.page_content for d in fresh.article_chunks(article)
    ]
    assert followed.positions_of(IDS[:1]) == {}  # the corrected article's old chunk is gone


def _store_like(store: PagedStore) -> PagedStore:
    return PagedStore(list(store.ids), list(store.texts), [dict(m or {}) for m in store.metadatas])


def test_a_full_build_is_written_in_segments_of_bounded_size(tmp_path: Path) -> None:
    config = snapshots.SnapshotConfig(segment_chunks=2)
    whole = LexicalCache(_store(), lambda: "v1", root=tmp_path / "a")()
    split = LexicalCache(_store(), lambda: "v1", root=tmp_path / "b", config=config)()
    assert [len(s) for s in split.snapshot.segments] == [2] * (len(IDS) // 2) + [1] * (len(IDS) % 2)
    assert _ranked(split, "ferry strike") == _ranked(whole, "ferry strike")
    assert split.articles() == whole.articles()


def test_a_change_with_known_ids_is_applied_without_listing_the_store(tmp_path: Path) -> None:
    store = _store()
    cache = LexicalCache(store, lambda: "v1", root=tmp_path / "a")
    cache()
    _add(store, "zeppelin#0", "A zeppelin landed at the harbour on Monday.", "zeppelin")
    gone = store.ids.index(IDS[1])
    del store.ids[gone], store.texts[gone], store.metadatas[gone]
    store.calls.clear()
    cache.apply(added=["zeppelin#0"], removed=[IDS[1]])
    assert [include for _, _, include in store.calls] == [["documents", "metadatas"]]  # the new chunk only
    applied = cache()
    fresh = LexicalCache(_store_like(store), lambda: "v2", root=tmp_path / "b")()
    assert applied.chunk_count == fresh.chunk_count and applied.articles() == fresh.articles()
    for query in ("zeppelin harbour", "ferry strike", "budget"):
        assert _ranked(applied, query) == _ranked(fresh, query)


def test_an_article_with_any_subscriber_only_chunk_is_subscriber_only() -> None:
    """Made subscriber-only, an article has old public and new restricted chunks for a moment
    (new chunks are written first): it is subscriber-only from then on (found by review)."""
    metas = [
        {"article_id": "deal", "title": "Deal", "start": 0, "end": 10},
        {"article_id": "deal", "title": "Deal", "start": 0, "end": 10, "access": "subscriber"},
    ]
    index = LexicalIndex.of(["deal#old", "deal#new"], ["The old public text.", "The new paid text."], metas)
    assert [a["access"] for a in index.articles()] == ["subscriber"]
    assert [d.page_content for d in index.article_chunks("deal")] == ["The old public text."]
    both = index.article_chunks("deal", subscriber=True)
    assert {d.page_content for d in both} == {"The old public text.", "The new paid text."}
