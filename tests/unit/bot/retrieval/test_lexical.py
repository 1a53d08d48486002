"""BM25 over the stored chunks (LexicalIndex) and its cache that follows the index's commits
(LexicalCache)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bot.retrieval.lexical import LexicalCache, LexicalIndex
from index.lexical import LexicalStore, StoredChunk

IDS = ["bridge#1", "ferry#1", "budget#1"]
TEXTS = [
    "The council approved the new bridge on Tuesday. The bridge will cost 40 million euros.",
    "The ferry strike in Kestrel Bay ended after nine days.",
    "The council approved the school budget after a heated debate.",
]
METAS: list[dict[str, Any]] = [
    {
        "article_id": "bridge",
        "title": "Bridge vote",
        "source": "Aldermoor Gazette",
        "published_at": "2024-03-01",
    },
    {"article_id": "ferry", "title": "Ferry strike ends", "source": "Coastal Times", "published_at": ""},
    {"article_id": "budget", "title": "Budget passed", "source": "Aldermoor Gazette"},
]


class PagedStore:
    """Chroma's ``get`` — by page (``limit``, ``offset``: at most ``page_size`` records per
    call, as a server may) or by ``ids`` — recording every call."""

    def __init__(
        self,
        ids: list[str],
        texts: list[str],
        metadatas: list[dict[str, Any] | None],
        page_size: int = 1000,
    ) -> None:
        self.ids, self.texts, self.metadatas = ids, texts, metadatas
        self.page_size = page_size
        self.calls: list[tuple[int, int, list[str]]] = []

    def get(
        self, include: list[str], limit: int = 0, offset: int = 0, ids: list[str] | None = None
    ) -> dict[str, Any]:
        self.calls.append((limit, offset, include))
        if ids is not None:
            rows = [self.ids.index(i) for i in ids if i in self.ids]
        else:
            rows = list(range(len(self.ids)))[offset : offset + min(limit, self.page_size)]
        return {
            "ids": [self.ids[i] for i in rows],
            "documents": [self.texts[i] for i in rows] if "documents" in include else None,
            "metadatas": [self.metadatas[i] for i in rows] if "metadatas" in include else None,
        }


def test_the_chunk_with_the_query_terms_scores_highest() -> None:
    index = LexicalIndex.of(IDS, TEXTS, METAS)
    scores = index.search("How long did the ferry strike last?", 10)
    assert list(scores) == ["ferry#1"] and scores["ferry#1"] > 0
    both = index.search("council approved", 10)
    assert set(both) == {"bridge#1", "budget#1"}


def test_title_and_outlet_are_searchable_though_not_in_the_text() -> None:
    index = LexicalIndex.of(IDS, TEXTS, METAS)
    assert list(index.search("Coastal Times", 10)) == ["ferry#1"]


def test_unknown_terms_and_an_empty_index_find_nothing() -> None:
    index = LexicalIndex.of(IDS, TEXTS, METAS)
    assert index.search("xylophone quartet", 10) == {}
    assert index.search("the of and", 10) == {}  # stopwords only
    empty = LexicalIndex.of([], [], [])
    assert len(empty) == 0 and empty.search("bridge", 10) == {}
    assert empty.sources == [] and empty.idf("bridge") == 1.0 and empty.articles() == []


def test_rare_terms_weigh_more_and_unknown_terms_count_as_rarest() -> None:
    index = LexicalIndex.of(IDS, TEXTS, METAS)
    council, ferry = index.idf("council"), index.idf("ferri")  # stemmed terms, as terms() makes them
    assert ferry > council > 0
    assert index.idf("xylophon") == max(ferry, index.idf("kestrel"))


def test_searches_narrowed_to_an_article_outlets_or_chunks_keep_their_scores() -> None:
    index = LexicalIndex.of(IDS, TEXTS, METAS)
    everywhere = index.search("council approved bridge", 10)
    assert index.search("council approved bridge", 10, article_id="budget") == {
        "budget#1": everywhere["budget#1"]
    }
    assert set(index.search("council", 10, sources={"Coastal Times"})) == set()
    assert set(index.search("council", 10, sources={"Aldermoor Gazette"})) == {"bridge#1", "budget#1"}
    assert index.search("council approved bridge", 10, ids=["bridge#1", "ferry#1"]) == {
        "bridge#1": everywhere["bridge#1"]
    }
    assert list(index.search("council approved bridge", 1)) == ["bridge#1"]  # the best one


def test_sources_chunks_articles_and_documents() -> None:
    index = LexicalIndex.of(IDS, TEXTS, METAS)
    assert len(index) == 3 and set(index.chunks(["budget#1", "nope#1"])) == {"budget#1"}
    assert index.sources == ["Aldermoor Gazette", "Coastal Times"]
    assert index.matcher.find("What did the Aldermoor Gazette report?") == {"Aldermoor Gazette"}
    assert [a["article_id"] for a in index.articles()] == ["bridge", "budget", "ferry"]
    assert index.articles()[0]["title"] == "Bridge vote" and index.article_count == 3
    [doc] = index.article_chunks("ferry")
    assert (doc.id, doc.page_content, doc.metadata["article_id"]) == ("ferry#1", TEXTS[1], "ferry")
    doc.metadata["rank"] = 1
    assert "rank" not in index.chunks(["ferry#1"])["ferry#1"].metadata  # a copy: the index stays as stored


def test_subscriber_only_chunks_are_found_and_listed_for_subscribers_only() -> None:
    metas = [dict(m) for m in METAS]
    metas[1]["access"] = "subscriber"
    index = LexicalIndex.of(IDS, TEXTS, metas)
    assert index.search("ferry strike", 10) == {}
    assert set(index.search("ferry strike", 10, subscriber=True)) == {"ferry#1"}
    assert index.article_chunks("ferry") == [] and len(index.article_chunks("ferry", subscriber=True)) == 1
    assert {a["article_id"]: a["access"] for a in index.articles()}["ferry"] == "subscriber"


def test_filled_from_the_store_page_by_page_until_an_empty_page() -> None:
    store = PagedStore(
        [*IDS, "x#1", "y#1"], [*TEXTS, "more text", "even more text"], [*METAS, None, {}], page_size=2
    )
    index = LexicalIndex.from_vectorstore(store)
    chunks = index.chunks([*IDS, "x#1", "y#1"])
    assert len(index) == 5 and chunks["y#1"].text == "even more text"
    assert chunks["x#1"].metadata == {} and chunks["bridge#1"].metadata == METAS[0]
    listing = [offset for limit, offset, _ in store.calls if limit]
    assert listing == [0, 2, 4, 5]  # ids listed page by page, then read by id
    assert all(include == ["documents", "metadatas"] for limit, _, include in store.calls if not limit)


def _store(tmp_path: Path) -> LexicalStore:
    store = LexicalStore(tmp_path / "lexical")
    store.add(StoredChunk(i, t, m) for i, t, m in zip(IDS, TEXTS, METAS, strict=True))
    return store


class Changes:
    def __init__(self) -> None:
        self.seen = 0
        self.fail = False

    def __call__(self) -> None:
        self.seen += 1
        if self.fail:
            raise ConnectionError("the store is gone")


def test_cache_makes_a_new_index_only_after_a_commit(tmp_path: Path) -> None:
    store = _store(tmp_path)
    changes = Changes()
    cache = LexicalCache(store, check_every_s=0, on_change=changes)
    first = cache()
    assert len(first) == 3 and cache() is first and changes.seen == 1
    LexicalStore(tmp_path / "lexical").add(
        [StoredChunk("new#1", "The library reopened.", {"article_id": "new"})]
    )
    second = cache()  # another writer's commit (another LexicalStore on the folder)
    assert second is not first and len(second) == 4 and changes.seen == 2
    assert cache() is second and len(first) == 3  # an index handed out stays as it was


def test_cache_does_not_look_within_its_check_interval(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cache = LexicalCache(store, check_every_s=3600)
    first = cache()
    store.delete(["ferry#1"])
    assert cache() is first
    assert len(cache.refresh()) == 2  # asked now: the commit is seen


def test_a_following_cache_catches_up_in_the_background(tmp_path: Path) -> None:
    store = _store(tmp_path)
    cache = LexicalCache(store, check_every_s=0.01)
    first = cache()
    cache.follow()
    try:
        store.delete(["ferry#1"])
        deadline = time.monotonic() + 10
        while cache() is first and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(cache()) == 2 and cache().search("ferry", 10) == {}
    finally:
        cache.stop()


def test_a_follower_that_fails_still_takes_the_change(tmp_path: Path) -> None:
    store = _store(tmp_path)
    changes = Changes()
    cache = LexicalCache(store, check_every_s=0, on_change=changes)
    cache()
    changes.fail = True  # e.g. Chroma cannot be reached to catch up its vectors
    store.delete(["ferry#1"])
    assert len(cache()) == 2 and changes.seen == 2  # a takedown still leaves the answers


def test_a_feed_writes_others_changes_before_each_look_and_its_failures_are_survived(tmp_path: Path) -> None:
    """A replica on another machine: its feed (the writers' change log) writes into its own
    index before the cache looks at the commit; a feed that fails leaves the index served."""
    store = _store(tmp_path)
    fed: list[str] = []

    def feed() -> None:
        if len(fed) == 1:
            fed.append("failed")
            raise ConnectionError("the store is gone")
        fed.append("new#1")
        store.add([StoredChunk("new#1", "The library reopened.", {"article_id": "new"})])

    cache = LexicalCache(store, check_every_s=0, feed=feed)
    assert len(cache()) == 4 and fed == ["new#1"]
    assert len(cache()) == 4 and fed == ["new#1", "failed"]  # served as it was
