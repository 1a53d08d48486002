"""Chunking against the packaged model's real tokenizer: window, offsets, overlap, ids.

The chunker's packing logic is unit-tested with a word counter (tests/unit/index/test_chunking.py);
here the budgets are checked with the tokens the model really sees.
"""

from __future__ import annotations

import pytest
from langchain_core.documents import Document

from index.chunking import SentenceChunker
from index.loaders import load_sources
from tests.corpus import SEED, assert_chunks_tile


def seed_doc() -> Document:
    return load_sources([SEED], 5_000_000, 1).documents[0]


def test_token_counter_matches_whole_text_tokenization(token_counter) -> None:
    body = seed_doc().page_content
    pieces = [body[i : i + 700] for i in range(0, len(body), 350)] + ["Ünïcödé — “quotes” 500%", "中文 text"]
    fast = token_counter(pieces)
    full = [n - 2 for n in token_counter.full_count(pieces)]
    assert fast == full


@pytest.mark.parametrize("use_header", [True, False])
def test_seed_chunks_fit_window_keep_offsets_and_overlap(token_counter, use_header: bool) -> None:
    doc = seed_doc()
    chunker = SentenceChunker(token_counter, max_tokens=256, overlap_tokens=48, use_header=use_header)
    chunks = chunker.split(doc)
    assert len(chunks) >= 3
    real = token_counter.full_count([c.embed_text for c in chunks])
    assert max(real) <= 256
    assert [c.token_count for c in chunks] == real
    assert_chunks_tile(doc, chunks, use_header)


def test_overlong_sentence_is_cut_at_words_within_window(token_counter) -> None:
    long_sentence = " ".join(f"word{i}" for i in range(900)) + "."
    doc = Document(
        page_content="Short opening sentence here. " + long_sentence,
        metadata={"article_id": "long", "title": "A long one"},
    )
    chunks = SentenceChunker(token_counter, max_tokens=128, overlap_tokens=16).split(doc)
    assert len(chunks) > 5
    assert max(token_counter.full_count([c.embed_text for c in chunks])) <= 128
    covered: set[int] = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    text = doc.page_content
    assert {i for i, ch in enumerate(text) if not ch.isspace()} <= covered  # no word is lost
