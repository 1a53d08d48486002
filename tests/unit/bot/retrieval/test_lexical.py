"""BM25 over the stored chunks (LexicalIndex) and its cache that follows the store (LexicalCache)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from bot.retrieval.lexical import LexicalCache, LexicalIndex

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
    scores = index.scores("How long did the ferry strike last?")
    assert scores.dtype == np.float32 and scores.shape == (3,)
    assert int(np.argmax(scores)) == 1 and scores[0] == scores[2] == 0.0
    both = index.scores("council approved")
    assert both[0] > 0 and both[2] > 0 and both[1] == 0.0


def test_title_and_outlet_are_searchable_though_not_in_the_text() -> None:
    index = LexicalIndex.of(IDS, TEXTS, METAS)
    scores = index.scores("Coastal Times")
    assert int(np.argmax(scores)) == 1 and scores[1] > 0


def test_unknown_terms_and_an_empty_index_score_zero() -> None:
    index = LexicalIndex.of(IDS, TEXTS, METAS)
    assert not index.scores("xylophone quartet").any()
    assert not index.scores("the of and").any()  # stopwords only
    empty = LexicalIndex.of([], [], [])
    assert len(empty) == 0 and empty.scores("bridge").shape == (0,)
    assert empty.sources == [] and empty.idf("bridge") == 1.0


def test_rare_terms_weigh_more_and_unknown_terms_count_as_rarest() -> None:
    index = LexicalIndex.of(IDS, TEXTS, METAS)
    council, ferry = index.idf("council"), index.idf("ferri")  # stemmed terms, as terms() makes them
    assert ferry > council > 0
    assert index.idf("xylophon") == max(ferry, index.idf("kestrel"))


def test_sources_positions_masks_and_documents() -> None:
    index = LexicalIndex.of(IDS, TEXTS, METAS)
    assert len(index) == 3 and index.positions_of(["budget#1", "nope#1"]) == {"budget#1": 2}
    assert index.article_mask("budget").tolist() == [False, False, True]
    assert not index.article_mask("no-such-article").any()
    assert index.sources == ["Aldermoor Gazette", "Coastal Times"]
    assert index.mask_sources({"Aldermoor Gazette"}).tolist() == [True, False, True]
    assert index.matcher.find("What did the Aldermoor Gazette report?") == {"Aldermoor Gazette"}
    doc = index.document(1)
    assert (doc.id, doc.page_content, doc.metadata["article_id"]) == ("ferry#1", TEXTS[1], "ferry")
    doc.metadata["rank"] = 1
    assert "rank" not in index.metadatas[1]  # a document is a copy: the index stays as stored


def test_filled_from_the_store_page_by_page_until_an_empty_page() -> None:
    store = PagedStore(
        [*IDS, "x#1", "y#1"], [*TEXTS, "more text", "even more text"], [*METAS, None, {}], page_size=2
    )
    index = LexicalIndex.from_vectorstore(store)
    assert list(index.ids) == [*IDS, "x#1", "y#1"] and index.texts[4] == "even more text"
    assert index.metadatas[3] == {} and index.metadatas[0] == METAS[0]
    assert [offset for _, offset, _ in store.calls] == [0, 2, 4, 5]
    assert all(include == ["documents", "metadatas"] for _, _, include in store.calls)


class Versioned:
    def __init__(self) -> None:
        self.value = "1:a"
        self.asked = self.failed = 0
        self.fail = False

    def __call__(self) -> str:
        self.asked += 1
        if self.fail:
            self.failed += 1
            raise ConnectionError("the store is gone")
        return self.value


def test_cache_rebuilds_only_when_the_store_version_changes() -> None:
    store = PagedStore(list(IDS), list(TEXTS), list(METAS))
    version = Versioned()
    cache = LexicalCache(store, version, check_every_s=0)
    first = cache()
    assert len(first) == 3 and len(store.calls) == 2  # one page and the empty one after it
    assert cache() is first and cache() is first
    assert len(store.calls) == 2 and version.asked == 3  # asked each time, read only once

    store.ids.append("new#1")
    store.texts.append("The library reopened after a renovation.")
    store.metadatas.append({"article_id": "new"})
    assert cache() is first  # the store changed but its version did not (yet): no rebuild
    version.value = "2:b"
    second = cache()
    assert second is not first and len(second) == len(first) + 1
    assert cache() is second


def test_cache_does_not_ask_the_version_within_its_check_interval() -> None:
    version = Versioned()
    cache = LexicalCache(PagedStore(list(IDS), list(TEXTS), list(METAS)), version, check_every_s=3600)
    first = cache()
    version.value = "2:b"
    assert cache() is first and version.asked == 1


def test_a_following_cache_never_asks_the_store_and_catches_up_in_the_background() -> None:
    store = PagedStore(list(IDS), list(TEXTS), list(METAS))
    version = Versioned()
    cache = LexicalCache(store, version, check_every_s=0.01)
    first = cache()
    cache.follow()
    try:
        calls = len(store.calls)
        store.ids.append("new#1")
        store.texts.append("The library reopened after a renovation.")
        store.metadatas.append({"article_id": "new"})
        version.value = "2:b"
        deadline = time.monotonic() + 10
        while cache() is first and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(cache()) == len(first) + 1  # rebuilt by the follower, not by this call
        assert len(store.calls) > calls
    finally:
        cache.stop()


def test_a_following_cache_keeps_serving_its_index_while_the_store_fails() -> None:
    lost = Versioned()
    cache = LexicalCache(PagedStore(list(IDS), list(TEXTS), list(METAS)), lost, check_every_s=0.01)
    first = cache()
    cache.follow()
    try:
        lost.fail = True
        deadline = time.monotonic() + 10
        while lost.failed < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert lost.failed >= 3 and cache() is first  # the follower failed; questions never saw it
    finally:
        cache.stop()
