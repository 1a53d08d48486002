"""Our BM25 arrays: the same scores as bm25s on real article text, saved and loaded mapped,
and an index in parts (with chunks removed) scoring exactly as one built at once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.language.text import terms
from bot.retrieval.bm25 import Bm25, CountsBuilder, Part, TermCounts, load, save
from tests.corpus import SEED, article_text


@pytest.fixture(scope="module")
def corpus() -> list[list[str]]:
    """The seed article and 40 generated ones, cut into passages of ~120 words, as chunks are."""
    texts = [SEED.read_text(encoding="utf-8"), *(article_text(i) for i in range(40))]
    passages = [
        " ".join(text.split()[i : i + 120]) for text in texts for i in range(0, len(text.split()), 120)
    ]
    return [terms(p) for p in passages if p]


def _counts(docs: list[list[str]]) -> TermCounts:
    builder = CountsBuilder()
    for doc in docs:
        builder.add(doc)
    return builder.build()


def _built(corpus: list[list[str]]) -> Bm25:
    return Bm25([Part.of(_counts(corpus))])


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
    part = Part.of(_counts(corpus))
    save(tmp_path, part)
    loaded = load(tmp_path)
    assert isinstance(loaded.postings.tf, np.memmap) and isinstance(loaded.counts.terms, np.memmap)
    bm25, again = Bm25([part]), Bm25([loaded])
    np.testing.assert_array_equal(again.scores(terms(QUERIES[0])), bm25.scores(terms(QUERIES[0])))
    assert again.idf(terms("Sumy")[0]) == bm25.idf(terms("Sumy")[0]) and again.idf("zzzunknown") is None


def test_parts_with_removed_chunks_score_as_one_index_of_the_live_chunks(corpus: list[list[str]]) -> None:
    half = len(corpus) // 2
    new_doc = terms("A brand new article about the Istanbul talks and a zeppelin.")
    first, second = _counts(corpus[:half]), _counts([*corpus[half:], new_doc])  # own vocabularies
    gone_first = np.array([i for i in range(half) if i % 3 == 0])  # a third removed from each
    gone_second = np.array([i for i in range(len(corpus) - half) if i % 3 == 1])
    parts = Bm25([Part.of(first), Part.of(second)], [gone_first, gone_second])
    live = [i for i in range(half) if i not in gone_first]
    live += [half + i for i in range(len(corpus) - half + 1) if i not in gone_second]
    docs = [*corpus, new_doc]
    whole = Bm25([Part.of(_counts([docs[i] for i in live]))])
    assert parts.n == whole.n == len(live)
    for query in [*QUERIES, "zeppelin"]:
        scores = parts.scores(terms(query))
        np.testing.assert_allclose(scores[live], whole.scores(terms(query)), rtol=1e-5, atol=1e-6)
        assert not scores[np.setdiff1d(np.arange(len(docs)), live)].any()  # removed: never scored
    assert parts.idf(terms("zeppelin")[0]) == whole.idf(terms("zeppelin")[0])


def test_merged_counts_equal_counts_of_the_same_chunks(corpus: list[list[str]]) -> None:
    third = len(corpus) // 3
    pieces = [_counts(corpus[:third]), _counts(corpus[third:])]
    kept = np.array([i for i in range(third) if i % 2])
    merged = TermCounts.merge([pieces[0].take(kept), pieces[1]])
    fresh = _counts([*(corpus[i] for i in kept), *corpus[third:]])
    for query in QUERIES:
        np.testing.assert_allclose(
            Bm25([Part.of(merged)]).scores(terms(query)),
            Bm25([Part.of(fresh)]).scores(terms(query)),
            rtol=1e-6,
        )
