"""Hybrid retrieval on small real articles: fusion, outlet/date boosts, recency, dedup, refresh."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Settings
from bot.factory import make_lexical
from bot.retrieval.hybrid import HybridRetriever
from bot.retrieval.lexical import LexicalCache
from index.factory import make_indexer
from index.store import ArticleStore, open_store


def write(folder: Path, name: str, title: str, source: str, date: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.txt").write_text(
        f"{title}\nSource: {source}\nPublished: {date}\n\n{body}\n", encoding="utf-8"
    )


@pytest.fixture
def corpus(make_settings: Callable[..., Settings], embeddings) -> tuple[Settings, ArticleStore]:
    settings = make_settings()
    docs = settings.source_dir
    write(
        docs,
        "gazette-bridge",
        "Bridge vote in Aldermoor",
        "Aldermoor Gazette",
        "2024-03-01",
        "The Aldermoor council approved the new bridge on Tuesday. The bridge will cost 40 million euros. "
        "Mayor Elena Varga said construction starts in May.",
    )
    write(
        docs,
        "herald-bridge",
        "Aldermoor bridge approved",
        "Northern Herald",
        "2024-03-02",
        "Councillors in Aldermoor voted for the new bridge on Tuesday. The Northern Herald learned the "
        "bridge will cost 40 million euros. Critics said the town cannot afford it.",
    )
    write(
        docs,
        "cost-old",
        "Bridge cost estimate",
        "Aldermoor Gazette",
        "2024-01-10",
        "Engineers estimated that the Aldermoor bridge project will cost 35 million euros in total, "
        "according to the first official estimate published in January.",
    )
    write(
        docs,
        "cost-new",
        "Bridge cost estimate revised",
        "Aldermoor Gazette",
        "2024-04-20",
        "Engineers estimated that the Aldermoor bridge project will cost 52 million euros in total, "
        "according to the revised official estimate published in April.",
    )
    write(
        docs,
        "ferry",
        "Ferry strike ends",
        "Coastal Times",
        "2024-02-14",
        "The ferry workers' strike in Kestrel Bay ended after nine days when the operator agreed to a "
        "six percent pay rise. Sailings resume on Friday.",
    )
    # A near copy: the loader drops exact copies, so this one differs by a word and the
    # retriever's own de-duplication has to collapse it.
    write(
        docs,
        "ferry-syndicated",
        "Ferry strike ends (wire copy)",
        "Wire Service",
        "2024-02-14",
        "The ferry workers' strike in Kestrel Bay ended after nine days when the operator agreed to a "
        "six percent pay rise. Sailings resume on Friday morning.",
    )
    indexer = make_indexer(settings, embeddings=embeddings)
    indexer.build([docs])
    return settings, open_store(settings, embeddings)


def retriever_for(store: ArticleStore, embeddings, **kwargs: object) -> HybridRetriever:
    """On the lexical index the build wrote beside Chroma, as the app's retriever."""
    return HybridRetriever(
        collection=store.collection,
        embed_query=embeddings.embed_query,
        lexical_index=make_lexical(store),
        **kwargs,
    )


def ids(docs: list) -> list[str]:  # type: ignore[type-arg]
    return [d.metadata["article_id"] for d in docs]


def test_finds_the_answering_chunk_with_scores(corpus, embeddings) -> None:
    _, store = corpus
    docs = retriever_for(store, embeddings).invoke("How long did the Kestrel Bay ferry strike last?")
    assert ids(docs)[0] in {"ferry", "ferry-syndicated"}
    top = docs[0].metadata
    assert top["rank"] == 1 and top["score"] >= docs[-1].metadata["score"]
    assert 0 < top["dense"] <= 1 and top["lexical"] == 1.0


def test_near_duplicate_copies_are_collapsed(corpus, embeddings) -> None:
    _, store = corpus
    assert {"ferry", "ferry-syndicated"} <= set(store.articles())  # both copies are indexed
    found = ids(retriever_for(store, embeddings).invoke("ferry strike Kestrel Bay pay rise"))
    assert len({"ferry", "ferry-syndicated"} & set(found)) == 1


def test_named_outlet_is_boosted(corpus, embeddings) -> None:
    _, store = corpus
    retriever = retriever_for(store, embeddings)
    question = "What did the {} report about the Aldermoor bridge vote on Tuesday?"
    assert ids(retriever.invoke(question.format("Northern Herald")))[0] == "herald-bridge"
    assert ids(retriever.invoke(question.format("Aldermoor Gazette")))[0] == "gazette-bridge"


def test_named_date_is_boosted(corpus, embeddings) -> None:
    _, store = corpus
    retriever = retriever_for(store, embeddings)
    assert ids(retriever.invoke("Bridge cost estimate published in January 2024"))[0] == "cost-old"
    assert ids(retriever.invoke("Bridge cost estimate published in April 2024"))[0] == "cost-new"


def test_newer_article_wins_a_conflict(corpus, embeddings) -> None:
    _, store = corpus
    found = ids(retriever_for(store, embeddings).invoke("How much will the Aldermoor bridge project cost?"))
    assert found.index("cost-new") < found.index("cost-old")


def test_fusion_beats_either_half_alone(corpus, embeddings) -> None:
    """A paraphrase (dense helps) naming a rare term (BM25 helps) ranks its article first."""
    _, store = corpus
    retriever = retriever_for(store, embeddings)
    docs = retriever.invoke("Kestrel Bay sailors walkout wage increase")
    assert ids(docs)[0] in {"ferry", "ferry-syndicated"}


def test_article_filter(corpus, embeddings) -> None:
    _, store = corpus
    docs = retriever_for(store, embeddings).invoke("bridge cost", article_id="herald-bridge")
    assert docs and set(ids(docs)) == {"herald-bridge"}


def test_lexical_index_follows_store_changes(corpus, embeddings) -> None:
    settings, store = corpus
    assert store.lexical is not None
    cache = LexicalCache(store.lexical, check_every_s=0)
    first = cache()
    assert cache() is first  # no commit since: the same index
    write(
        settings.source_dir,
        "library",
        "Library reopens",
        "Coastal Times",
        "2024-05-01",
        "The Kestrel Bay library reopened after a two-year renovation funded by local donors.",
    )
    indexer = make_indexer(settings, embeddings=embeddings)
    indexer.build([settings.source_dir])
    second = cache()
    assert second is not first and len(second) == len(first) + 1
