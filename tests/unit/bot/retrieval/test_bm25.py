"""Our BM25 arrays: the same scores as bm25s on real article text, saved and loaded mapped,
and rebuilt from kept counts without tokenising again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.language.text import terms
from bot.retrieval.bm25 import Bm25, CountsBuilder, TermCounts, load, save
from tests.corpus import SEED, article_text


@pytest.fixture(scope="module")
def corpus() -> list[list[str]]:
    """The seed article and 40 generated ones, cut into passages of ~120 words, as chunks are."""
    texts = [SEED.read_text(encoding="utf-8"), *(article_text(i) for i in range(40))]
    passages = [
        " ".join(text.split()[i : i + 120]) for text in texts for i in range(0, len(text.split()), 120)
    ]
    return [terms(p) for p in passages if p]


def _built(corpus: list[list[str]]) -> Bm25:
    builder = CountsBuilder()
    for doc in corpus:
        builder.add(doc)
    return Bm25.from_counts(builder.build())


QUERIES = [
    "Who leads Russia's delegation?",
    "missile strike Sumy",
    "Istanbul talks ceasefire Ukraine",
    "the the",
]


@pytest.mark.parametrize("query", QUERIES)
def test_scores_match_bm25s(corpus: list[list[str]], query: str) -> None:
    import bm25s

    reference = bm25s.BM25()
    reference.index(corpus, show_progress=False)
    tokens = [t for t in terms(query) if t in reference.vocab_dict]
    ours = _built(corpus).scores(terms(query))
    expected = reference.get_scores(tokens) if tokens else np.zeros(len(corpus))
    assert ours.shape == (len(corpus),)
    np.testing.assert_allclose(ours, expected, rtol=1e-4, atol=1e-5)


def test_saved_and_loaded_mapped_it_scores_the_same(corpus: list[list[str]], tmp_path: Path) -> None:
    builder = CountsBuilder()
    for doc in corpus:
        builder.add(doc)
    counts = builder.build()
    bm25 = Bm25.from_counts(counts)
    save(tmp_path, counts, bm25)
    loaded_counts, loaded = load(tmp_path)
    assert isinstance(loaded.weights, np.memmap) and isinstance(loaded_counts.terms, np.memmap)
    np.testing.assert_array_equal(loaded.scores(terms(QUERIES[0])), bm25.scores(terms(QUERIES[0])))
    assert loaded.idf(terms("Sumy")[0]) == bm25.idf(terms("Sumy")[0]) and loaded.idf("zzzunknown") is None


def test_a_rebuild_from_kept_counts_equals_a_build_from_text(corpus: list[list[str]]) -> None:
    first = CountsBuilder()
    for doc in corpus:
        first.add(doc)
    old = first.build()
    kept = np.array([i for i in range(len(corpus)) if i % 3])  # a third of the chunks removed...
    new_doc = terms("A brand new article about the Istanbul talks and a zeppelin.")
    added = CountsBuilder(old.vocab.copy())
    added.add(new_doc)  # ...and one added, with a word never seen before
    again = TermCounts.concat(old.take(kept), added.build())
    fresh = CountsBuilder()
    for doc in [*(corpus[i] for i in kept), new_doc]:
        fresh.add(doc)
    for query in [*QUERIES, "zeppelin"]:
        np.testing.assert_allclose(
            Bm25.from_counts(again).scores(terms(query)),
            Bm25.from_counts(fresh.build()).scores(terms(query)),
            rtol=1e-6,
        )
