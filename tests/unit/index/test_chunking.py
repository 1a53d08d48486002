"""Chunking: sentence bounds, headers and the packing logic, with one word counted as one token.

The real tokenizer's budgets are checked in tests/e2e/index/test_chunking.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from langchain_core.documents import Document

from index.chunking import SentenceChunker, article_fingerprint, article_header, split_sentences
from index.loaders import load_sources
from index.nlp import NOTES_KEY, notes_of
from tests.corpus import SEED, article_text, assert_chunks_tile
from tests.fakes import FakeAnnotator, WordCounter


def test_sentence_split_respects_abbreviations_and_lines() -> None:
    text = (
        "Mr. Smith met Dr. Jones in the U.S. capital on Monday. Talks lasted 3.5 hours! "
        "“It went well,” he said. J. R. Doe agreed.\nA heading\nNext line here."
    )
    sentences = [text[s:e] for s, e in split_sentences(text)]
    assert sentences == [
        "Mr. Smith met Dr. Jones in the U.S. capital on Monday.",
        "Talks lasted 3.5 hours!",
        "“It went well,” he said.",
        "J. R. Doe agreed.",
        "A heading",
        "Next line here.",
    ]


def test_header_is_title_outlet_date() -> None:
    assert (
        article_header({"title": "T", "source": "Gazette", "published_at": "2024-03-04T10:00:00Z"})
        == "T · Gazette · 2024-03-04"
    )
    assert article_header({"title": "T", "source": "", "published_at": ""}) == "T"


def seed_doc() -> Document:
    return load_sources([SEED], 5_000_000, 1).documents[0]


COUNT = WordCounter()


@pytest.mark.parametrize("use_header", [True, False])
def test_seed_chunks_fit_window_keep_offsets_and_overlap(use_header: bool) -> None:
    doc = seed_doc()
    # Every seed sentence is at most 30 words: each fits the overlap, so consecutive chunks share one.
    chunker = SentenceChunker(COUNT, max_tokens=96, overlap_tokens=32, use_header=use_header)
    chunks = chunker.split(doc)
    assert len(chunks) >= 8
    real = COUNT.full_count([c.embed_text for c in chunks])
    assert max(real) <= 96
    assert [c.token_count for c in chunks] == real
    assert_chunks_tile(doc, chunks, use_header)
    body = doc.page_content
    for chunk in chunks:
        assert chunk.embed_text.endswith(chunk.text)
    for left, right in itertools.pairwise(chunks):
        assert COUNT([body[right.start : left.end]])[0] <= 32  # the overlap stays within its budget
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert {c.metadata["chunk_total"] for c in chunks} == {len(chunks)}


def test_a_sentence_longer_than_the_overlap_is_not_repeated() -> None:
    doc = seed_doc()
    chunks = SentenceChunker(COUNT, max_tokens=96, overlap_tokens=8).split(doc)
    for left, right in itertools.pairwise(chunks):
        assert COUNT([doc.page_content[right.start : left.end]])[0] <= 8 or right.start >= left.end


def test_overlong_sentence_is_cut_at_words_within_window() -> None:
    long_sentence = " ".join(f"word{i}" for i in range(900)) + "."
    doc = Document(
        page_content="Short opening sentence here. " + long_sentence,
        metadata={"article_id": "long", "title": "A long one"},
    )
    chunks = SentenceChunker(COUNT, max_tokens=128, overlap_tokens=16).split(doc)
    assert len(chunks) > 5
    assert max(COUNT.full_count([c.embed_text for c in chunks])) <= 128
    covered: set[int] = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
        assert not c.text[0].isspace() and not c.text[-1].isspace()
    text = doc.page_content
    assert {i for i, ch in enumerate(text) if not ch.isspace()} <= covered  # no word is lost
    assert all(not text[c.end : c.end + 1].strip() for c in chunks)  # cut between words only


def test_chunk_ids_stable_and_content_derived() -> None:
    chunker = SentenceChunker(COUNT, max_tokens=96, overlap_tokens=16, model_tag="m")
    doc = seed_doc()
    first = [c.id for c in chunker.split(doc)]
    assert first == [c.id for c in chunker.split(doc)]
    assert len(set(first)) == len(first) and all(
        i.startswith(f"{doc.metadata['article_id']}#") for i in first
    )
    edited = Document(page_content=doc.page_content.replace("Medinsky", "Medinskiy"), metadata=doc.metadata)
    assert set(first) != {c.id for c in chunker.split(edited)}
    other_model = SentenceChunker(COUNT, max_tokens=96, overlap_tokens=16, model_tag="other")
    assert not set(first) & {c.id for c in other_model.split(doc)}


def test_no_chunk_is_a_lone_fragment(tmp_path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(article_text(2, sentences=20) + "\nBy Kim Writer\n", encoding="utf-8")
    doc = load_sources([path], 5_000_000, 1).documents[0]
    assert doc.metadata["author"] == "Sam Reporter2"  # header wins; trailing byline cut
    chunks = SentenceChunker(COUNT, max_tokens=64, overlap_tokens=8).split(doc)
    assert all(len(c.text.split()) >= 8 for c in chunks)
    assert not any("Kim Writer" in c.text for c in chunks)


def test_fingerprint_follows_body_displayed_metadata_and_config() -> None:
    meta = {"content_hash": "abc", "title": "T", "source": "S", "published_at": "2024-01-01"}
    base = article_fingerprint(meta, "cfg")
    assert base == article_fingerprint(dict(meta), "cfg")
    assert base != article_fingerprint({**meta, "content_hash": "abd"}, "cfg")
    assert base != article_fingerprint({**meta, "title": "T2"}, "cfg")
    assert base != article_fingerprint(meta, "cfg2")
    assert base == article_fingerprint({**meta, "origin": "elsewhere.txt"}, "cfg")  # not displayed
    small = SentenceChunker(COUNT, max_tokens=96, overlap_tokens=16)
    doc = seed_doc()
    assert small.fingerprint(doc) != SentenceChunker(COUNT, max_tokens=128, overlap_tokens=16).fingerprint(
        doc
    )
    assert small.fingerprint(doc) != SentenceChunker(COUNT, 96, 16, use_header=False).fingerprint(doc)


def test_bad_budgets_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap must be under half"):
        SentenceChunker(COUNT, max_tokens=64, overlap_tokens=32)
    long_title = {"article_id": "x", "title": " ".join(["word"] * 40)}
    with pytest.raises(ValueError, match="header leaves only"):
        SentenceChunker(COUNT, max_tokens=64, overlap_tokens=8).split(
            Document(page_content="Text.", metadata=long_title)
        )
    untitled = Document(page_content="Text.", metadata=long_title)
    assert SentenceChunker(COUNT, max_tokens=64, overlap_tokens=8, use_header=False).split(untitled)


class WholeCountsMore:
    """A tokenizer whose count of a multi-sentence text is more than the sum of its sentences."""

    def __call__(self, texts: Sequence[str]) -> list[int]:
        return [len(t.split()) + (3 if ". " in t else 0) for t in texts]


def test_the_budget_shrinks_until_the_real_counts_fit() -> None:
    counter = WholeCountsMore()
    chunks = SentenceChunker(counter, max_tokens=64, overlap_tokens=8).split(seed_doc())
    counts = [n + 2 for n in counter([c.embed_text for c in chunks])]
    assert max(counts) <= 64 and [c.token_count for c in chunks] == counts


def test_an_empty_body_has_no_chunks() -> None:
    assert SentenceChunker(COUNT, 64, 8).split(Document(page_content="", metadata={"article_id": "e"})) == []


def test_an_annotator_notes_exactly_the_whole_sentences_of_each_chunk() -> None:
    doc = seed_doc()
    annotator = FakeAnnotator()
    chunks = SentenceChunker(COUNT, max_tokens=96, overlap_tokens=32, annotator=annotator).split(doc)
    assert len(chunks) >= 8
    body = doc.page_content
    sentences = split_sentences(body)
    assert annotator.calls == [[body[s:e] for s, e in sentences]]  # the article once, in order
    for chunk in chunks:
        notes = notes_of(chunk.metadata)
        assert notes is not None
        inside = [
            body[s:e]
            for s, e in sentences
            if chunk.start <= s and e <= chunk.end and len(body[s:e].split()) >= 4
        ]
        assert inside  # every chunk holds some sentence worth noting
        # Chunk-relative offsets: each note points at its own sentence in the chunk's text.
        assert [chunk.text[n.start : n.end] for n in notes] == inside
        assert [n.subjects[0] for n in notes] == inside
        # ...and the answerer, splitting the stored chunk text again, finds them at those offsets.
        assert {(n.start, n.end) for n in notes} <= set(split_sentences(chunk.text))


def test_a_sentence_cut_across_chunks_has_no_notes() -> None:
    long_sentence = "Then " + " ".join(f"word{i}" for i in range(300)) + "."
    doc = Document(
        page_content="A short opening sentence here. " + long_sentence + " A closing sentence comes last.",
        metadata={"article_id": "long", "title": "A long one"},
    )
    chunks = SentenceChunker(COUNT, max_tokens=128, overlap_tokens=16, annotator=FakeAnnotator()).split(doc)
    assert len(chunks) > 2
    noted = [chunk.text[n.start : n.end] for chunk in chunks for n in notes_of(chunk.metadata) or []]
    assert "A short opening sentence here." in noted and "A closing sentence comes last." in noted
    assert long_sentence not in noted
    assert all("word" not in n for n in noted)  # no piece of the cut sentence either


def test_the_annotator_tag_is_part_of_the_fingerprint() -> None:
    doc = seed_doc()
    plain = SentenceChunker(COUNT, max_tokens=96, overlap_tokens=16)
    first = SentenceChunker(COUNT, max_tokens=96, overlap_tokens=16, annotator=FakeAnnotator("nlp1"))
    upgraded = SentenceChunker(COUNT, max_tokens=96, overlap_tokens=16, annotator=FakeAnnotator("nlp2"))
    fingerprints = {c.fingerprint(doc) for c in (plain, first, upgraded)}
    assert len(fingerprints) == 3  # adding or upgrading the annotator re-indexes every article
    again = SentenceChunker(COUNT, max_tokens=96, overlap_tokens=16, annotator=FakeAnnotator("nlp1"))
    assert again.fingerprint(doc) == first.fingerprint(doc)


def test_without_an_annotator_chunks_have_no_notes() -> None:
    chunks = SentenceChunker(COUNT, max_tokens=96, overlap_tokens=16).split(seed_doc())
    assert chunks and all(NOTES_KEY not in c.metadata for c in chunks)
    assert all(notes_of(c.metadata) is None for c in chunks)
