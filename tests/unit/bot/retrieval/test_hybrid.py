"""Hybrid retrieval on the fake encoder and an in-memory collection: fusion, boosts, dedup, filters.

The same questions against the real model and Chroma: tests/e2e/bot/retrieval/test_hybrid.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.retrieval.hybrid import HybridRetriever, RetrievalWeights
from bot.retrieval.lexical import LexicalIndex
from tests.fakes import HashEmbeddings, MemoryCollection, memory_index

ARTICLES = {
    "gazette-bridge": (
        "Bridge vote in Aldermoor",
        "Aldermoor Gazette",
        "2024-03-01",
        "The Aldermoor council approved the new bridge on Tuesday. The bridge will cost 40 million euros. "
        "Mayor Elena Varga said construction starts in May.",
    ),
    "herald-bridge": (
        "Aldermoor bridge approved",
        "Northern Herald",
        "2024-03-02",
        "Councillors in Aldermoor voted for the new bridge on Tuesday. The Northern Herald learned the "
        "bridge will cost 40 million euros. Critics said the town cannot afford it.",
    ),
    "cost-old": (
        "Bridge cost estimate",
        "Aldermoor Gazette",
        "2024-01-10",
        "Engineers estimated that the Aldermoor bridge project will cost 35 million euros in total, "
        "according to the first official estimate published in January.",
    ),
    "cost-new": (
        "Bridge cost estimate revised",
        "Aldermoor Gazette",
        "2024-04-20",
        "Engineers estimated that the Aldermoor bridge project will cost 52 million euros in total, "
        "according to the revised official estimate published in April.",
    ),
    "ferry": (
        "Ferry strike ends",
        "Coastal Times",
        "2024-02-14",
        "The ferry workers' strike in Kestrel Bay ended after nine days when the operator agreed to a "
        "six percent pay rise. Sailings resume on Friday.",
    ),
    # A near copy (the loader drops exact ones): the retriever's own dedup must collapse it.
    "ferry-syndicated": (
        "Ferry strike ends (wire copy)",
        "Wire Service",
        "2024-02-14",
        "The ferry workers' strike in Kestrel Bay ended after nine days when the operator agreed to a "
        "six percent pay rise. Sailings resume on Friday morning.",
    ),
}


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory, encoder: HashEmbeddings) -> MemoryCollection:
    docs = tmp_path_factory.mktemp("hybrid-docs")
    for name, (title, source, date, body) in ARTICLES.items():
        (docs / f"{name}.txt").write_text(
            f"{title}\nSource: {source}\nPublished: {date}\n\n{body}\n", encoding="utf-8"
        )
    return memory_index([docs], encoder).collection


def retriever_for(collection: MemoryCollection, encoder: HashEmbeddings, **kwargs: object) -> HybridRetriever:
    lexical = LexicalIndex.from_vectorstore(collection)
    return HybridRetriever(
        collection=collection, embed_query=encoder.embed_query, lexical_index=lambda: lexical, **kwargs
    )


def ids(docs: list) -> list[str]:  # type: ignore[type-arg]
    return [d.metadata["article_id"] for d in docs]


def test_finds_the_answering_chunk_with_scores(collection, encoder) -> None:
    docs = retriever_for(collection, encoder).invoke("How long did the Kestrel Bay ferry strike last?")
    assert ids(docs)[0] in {"ferry", "ferry-syndicated"}
    top = docs[0].metadata
    assert top["rank"] == 1 and top["score"] >= docs[-1].metadata["score"]
    assert 0 < top["dense"] <= 1 and top["lexical"] == 1.0
    assert [d.metadata["rank"] for d in docs] == list(range(1, len(docs) + 1))
    scores = [d.metadata["score"] for d in docs]
    assert docs[0].page_content and docs[0].id and scores[0] == max(scores)


def test_near_duplicate_copies_are_collapsed(collection, encoder) -> None:
    assert {m["article_id"] for _, _, m in collection.records.values()} >= {"ferry", "ferry-syndicated"}
    found = ids(retriever_for(collection, encoder).invoke("ferry strike Kestrel Bay pay rise"))
    assert len({"ferry", "ferry-syndicated"} & set(found)) == 1
    kept = ids(
        retriever_for(collection, encoder, weights=RetrievalWeights(duplicate_jaccard=1.01)).invoke(
            "ferry strike Kestrel Bay pay rise"
        )
    )
    assert {"ferry", "ferry-syndicated"} <= set(kept)  # without the rule both copies come back


def scores_by_article(docs: list) -> dict[str, float]:  # type: ignore[type-arg]
    return {d.metadata["article_id"]: d.metadata["score"] for d in docs}


def test_named_outlet_is_boosted_and_searched_within(collection, encoder) -> None:
    retriever = retriever_for(collection, encoder)
    question = "What did the {} report about the Aldermoor bridge vote on Tuesday?"
    collection.queries.clear()
    assert ids(retriever.invoke(question.format("Northern Herald")))[0] == "herald-bridge"
    assert [q["where"] for q in collection.queries] == [None, {"source": {"$in": ["Northern Herald"]}}]
    assert ids(retriever.invoke(question.format("Aldermoor Gazette")))[0] == "gazette-bridge"

    asked = question.format("Northern Herald")
    boosted = scores_by_article(retriever.invoke(asked))
    plain = scores_by_article(
        retriever_for(collection, encoder, weights=RetrievalWeights(source=0)).invoke(asked)
    )
    assert boosted["herald-bridge"] - plain["herald-bridge"] == pytest.approx(0.6, abs=1e-3)
    assert boosted["gazette-bridge"] == pytest.approx(plain["gazette-bridge"], abs=1e-3)


def test_named_date_is_boosted(collection, encoder) -> None:
    retriever = retriever_for(collection, encoder)
    assert ids(retriever.invoke("Bridge cost estimate published in January 2024"))[0] == "cost-old"
    assert ids(retriever.invoke("Bridge cost estimate published in April 2024"))[0] == "cost-new"

    asked = "Bridge cost estimate published in January 2024"  # a month: half the date boost
    boosted = scores_by_article(retriever.invoke(asked))
    plain = scores_by_article(
        retriever_for(collection, encoder, weights=RetrievalWeights(date=0)).invoke(asked)
    )
    assert boosted["cost-old"] - plain["cost-old"] == pytest.approx(0.25, abs=1e-3)
    assert boosted["cost-new"] == pytest.approx(plain["cost-new"], abs=1e-3)


def test_newer_article_wins_a_conflict(collection, encoder) -> None:
    found = ids(retriever_for(collection, encoder).invoke("How much will the Aldermoor bridge project cost?"))
    assert found.index("cost-new") < found.index("cost-old")


def test_without_recency_or_reordering_the_older_version_can_lead(collection, encoder) -> None:
    """The conflict rule is what puts the newer version first (the scores alone are close)."""
    flat = RetrievalWeights(recency=0.0, conflict_margin=-1.0)
    question = "Engineers estimated the Aldermoor bridge project cost in the first official estimate"
    found = ids(retriever_for(collection, encoder, weights=flat).invoke(question))
    assert found.index("cost-old") < found.index("cost-new")


def test_article_filter(collection, encoder) -> None:
    collection.queries.clear()
    docs = retriever_for(collection, encoder).invoke("bridge cost", article_id="herald-bridge")
    assert docs and set(ids(docs)) == {"herald-bridge"}
    assert [q["where"] for q in collection.queries] == [{"article_id": "herald-bridge"}]


def test_the_collection_is_asked_for_ids_and_distances_only(collection, encoder) -> None:
    collection.queries.clear()
    retriever_for(collection, encoder, weights=RetrievalWeights(candidates=7)).invoke("ferry strike")
    assert collection.queries == [{"n_results": 7, "where": None, "include": ["distances"]}]


def test_k_limits_the_result(collection, encoder) -> None:
    retriever = retriever_for(collection, encoder, k=3)
    assert len(retriever.invoke("Aldermoor bridge")) == 3
    assert len(retriever.invoke("Aldermoor bridge", k=1)) == 1


def test_candidates_are_the_union_of_the_dense_and_the_bm25_searches(collection, encoder) -> None:
    question = "Aldermoor bridge cost euros"
    lexical = LexicalIndex.from_vectorstore(collection)
    [dense_top] = collection.query(query_embeddings=[encoder.embed_query(question)], n_results=1)["ids"][0]
    [bm25_top] = lexical.search(question, 1)
    assert dense_top != bm25_top  # the two halves disagree on this question
    one = RetrievalWeights(candidates=1)
    docs = retriever_for(collection, encoder, weights=one).invoke(question)
    assert {d.id for d in docs} == {dense_top, bm25_top}


def test_empty_index_returns_nothing_without_asking_the_collection(encoder) -> None:
    empty = MemoryCollection()
    retriever = HybridRetriever(
        collection=empty, embed_query=encoder.embed_query, lexical_index=lambda: LexicalIndex.of([], [], [])
    )
    assert retriever.invoke("anything at all") == [] and empty.queries == []


def test_a_store_that_fails_raises(collection, encoder, tmp_path: Path) -> None:
    broken = MemoryCollection()
    broken.records = dict(collection.records)
    broken.fail_with = ConnectionError("gone")
    lexical = LexicalIndex.from_vectorstore(collection)
    retriever = HybridRetriever(
        collection=broken, embed_query=encoder.embed_query, lexical_index=lambda: lexical
    )
    with pytest.raises(ConnectionError):
        retriever.invoke("ferry strike")


def test_a_question_about_the_present_weighs_recency_more(collection, encoder) -> None:
    """The newest candidate gains ``present_recency`` instead of ``recency``, the oldest nothing;
    a question not about the present keeps the small recency weight."""

    def scores(question: str, present_recency: float) -> dict[str, float]:
        weights = RetrievalWeights(conflict_margin=-1.0, present_recency=present_recency)
        return scores_by_article(retriever_for(collection, encoder, weights=weights).invoke(question))

    now = "What is the Aldermoor bridge project cost estimate now?"
    strong, weak = scores(now, 0.3), scores(now, 0.05)
    assert strong["cost-new"] - weak["cost-new"] == pytest.approx(0.25, abs=1e-3)  # the newest
    assert strong["cost-old"] == pytest.approx(weak["cost-old"], abs=1e-3)  # the oldest candidate
    past = "What was the Aldermoor bridge project cost estimate?"
    assert scores(past, 0.3) == pytest.approx(scores(past, 0.05), abs=1e-6)


def test_a_chunk_chroma_still_returns_but_the_lexical_index_no_longer_holds_is_never_quoted(
    collection: MemoryCollection, encoder: HashEmbeddings
) -> None:
    """A takedown reaches the lexical index first for a replica (Chroma's neighbours may still
    name it): the chunk is dropped, whichever half found it."""
    question = "ferry strike Kestrel Bay pay rise"
    before = retriever_for(collection, encoder).invoke(question)
    assert "ferry" in ids(before)
    everything = collection.get()
    kept = [
        i
        for i, m in enumerate(everything["metadatas"])
        if m["article_id"] not in {"ferry", "ferry-syndicated"}
    ]
    lexical = LexicalIndex.of(
        [everything["ids"][i] for i in kept],
        [everything["documents"][i] for i in kept],
        [everything["metadatas"][i] for i in kept],
    )
    retriever = HybridRetriever(
        collection=collection, embed_query=encoder.embed_query, lexical_index=lambda: lexical
    )
    after = retriever.invoke(question)
    assert after and not {"ferry", "ferry-syndicated"} & set(ids(after))
