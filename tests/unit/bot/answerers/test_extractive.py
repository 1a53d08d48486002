"""The extractive answerer on hand-made passages and the fake encoder: choice, marks, citations.

Answer quality on the seed article with the real model: tests/e2e/bot/answerers/test_extractive.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest
from langchain_core.documents import Document

from bot.answerers.base import Delta, Draft
from bot.answerers.extractive import ExtractiveAnswerer, ExtractiveConfig, refusal
from bot.question import Question
from index.chunking import split_sentences
from tests.fakes import HashEmbeddings

BODY = (
    "Mayor Jane Holloway opened the new Brackwater bridge on Monday morning.\n\n"
    "The bridge took three years to build and carries two tram lines.\n\n"
    "Holloway said the bridge cost twelve million euros, less than planned.\n\n"
    "Who paid for it?\n\n"
    "The regional government paid for most of the bridge, the council said.\n\n"
    "The new bridge has these features:\n"
    "Two tram lines\n"
    "A cycle path on both sides\n"
    "Lights that dim at night\n\n"
    "Residents of the old town, who had to drive through the narrow streets of the centre, had waited "
    "for a second crossing over the river for more than forty years."
)
META = {
    "article_id": "brackwater-bridge",
    "title": "Brackwater opens its new bridge",
    "source": "Brackwater Courier",
    "author": "Kim Writer",
    "published_at": "2024-06-03",
    "url": "https://courier.example/bridge",
}
FERRY = Document(
    page_content="The ferry strike in Kestrel Bay ended after nine days. Sailings resume on Friday.",
    metadata={"article_id": "ferry", "title": "Ferry strike ends", "start": 0},
    id="ferry#1",
)


def passages_of(body: str, size: int = 3) -> list[Document]:
    """The body cut into passages of ``size`` sentences, with their offsets like stored chunks."""
    spans = split_sentences(body)
    docs = []
    for i in range(0, len(spans), size):
        start, end = spans[i][0], spans[min(i + size, len(spans)) - 1][1]
        meta = {**META, "start": start, "end": end}
        docs.append(Document(page_content=body[start:end], metadata=meta, id=f"{META['article_id']}#{i}"))
    return docs


PASSAGES = passages_of(BODY, size=5)


class Recording:
    """An encoder that remembers every text it was asked to embed."""

    def __init__(self, encoder: HashEmbeddings) -> None:
        self.encoder = encoder
        self.texts: list[str] = []

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.encoder.encode_batch(texts)


@pytest.fixture
def answerer(encoder: HashEmbeddings) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(encoder.encode_batch)


def test_the_sentence_that_answers_is_quoted_and_cited(answerer) -> None:
    draft = answerer.answer("How many years did the bridge take to build?", PASSAGES)
    assert not draft.refused
    assert draft.text.startswith("The bridge took **three** years to build and carries two tram lines. [1]")
    cite = draft.citations[0]
    assert (cite.n, cite.article_id, cite.author, cite.source) == (
        1,
        META["article_id"],
        "Kim Writer",
        META["source"],
    )
    assert cite.quote == "The bridge took three years to build and carries two tram lines."
    assert BODY[cite.start : cite.end] == cite.quote  # offsets point into the article body
    assert draft.related[0].article_id == META["article_id"]


def test_answer_is_verbatim_apart_from_marks(answerer) -> None:
    draft = answerer.answer("Who paid for most of the new bridge?", PASSAGES)
    assert draft.citations
    for piece in draft.text.replace("**", "").split("] "):
        sentence = piece.rsplit(" [", 1)[0].strip()
        assert sentence in BODY
    for cite in draft.citations:
        assert BODY[cite.start : cite.end] == cite.quote


def test_bare_surname_answer_leads_with_the_cited_full_name(answerer) -> None:
    draft = answerer.answer("Who said the bridge cost twelve million euros?", PASSAGES)
    assert draft.text.startswith("**Jane Holloway** [1] —")
    assert "**Holloway** said the bridge cost" in draft.text
    assert "Jane Holloway" in draft.citations[0].quote
    assert draft.citations[1].quote.startswith("Holloway said")


def test_a_lead_in_with_a_colon_answers_with_its_list(answerer) -> None:
    draft = answerer.answer("What features does the new bridge have?", PASSAGES)
    quote = draft.citations[0].quote
    assert quote.startswith("The new bridge has these features:")
    assert quote.endswith("Lights that dim at night") and "A cycle path on both sides" in quote
    assert "Residents" not in quote  # the paragraph after the list is not part of it


def test_questions_and_headings_are_never_quoted(answerer) -> None:
    draft = answerer.answer("Who paid for it?", PASSAGES)
    assert all(not c.quote.endswith("?") for c in draft.citations)
    assert all(len(c.quote.split()) >= 4 for c in draft.citations)


def test_unrelated_passages_are_a_refusal_with_related_articles(answerer) -> None:
    draft = answerer.answer("What is the recipe for apple pie?", [*PASSAGES, FERRY])
    assert draft.refused and not draft.citations
    assert draft.text.startswith("The articles I have don't say")
    assert "apple pie" not in draft.text  # the untrusted question is never echoed
    assert [r.article_id for r in draft.related] == [META["article_id"], "ferry"]
    empty = answerer.answer("Who opened the bridge?", [])
    assert empty.refused and not empty.related and "related articles" not in empty.text
    assert refusal([]) == empty


def test_names_no_passage_mentions_raise_the_bar(encoder) -> None:
    """A question about someone the passages never name is refused though its words match."""
    question = "What did Olaf Scholz say the new Brackwater bridge cost?"
    lenient = ExtractiveAnswerer(encoder.encode_batch, config=ExtractiveConfig(unknown_names_penalty=0.0))
    assert not lenient.answer(question, PASSAGES).refused
    assert ExtractiveAnswerer(encoder.encode_batch).answer(question, PASSAGES).refused


def test_other_articles_best_sentences_come_before_more_of_the_same(encoder) -> None:
    ferry_bridge = Document(
        page_content="The ferry crossing will close once the new bridge opens in Brackwater on Monday.",
        metadata={"article_id": "ferry-news", "title": "Ferry to close", "start": 0},
        id="ferry-news#1",
    )
    answerer = ExtractiveAnswerer(encoder.encode_batch, config=ExtractiveConfig(follow_within=1.0))
    draft = answerer.answer("When does the new Brackwater bridge open?", [*PASSAGES, ferry_bridge])
    articles = [c.article_id for c in draft.citations]
    assert len(articles) == 3 and set(articles[:2]) == {META["article_id"], "ferry-news"}


def test_stream_deltas_add_up_to_the_draft_that_ends_it(answerer) -> None:
    events = list(answerer.stream(Question("How many years did the bridge take to build?"), PASSAGES))
    assert isinstance(events[-1], Draft) and not any(isinstance(e, Draft) for e in events[:-1])
    deltas = [e.text for e in events[:-1]]
    assert all(isinstance(e, Delta) for e in events[:-1]) and len(deltas) > 1
    assert "".join(deltas) == events[-1].text


def test_only_the_shortlist_is_embedded(encoder) -> None:
    """Embedding is the answer's cost: sentences outside the lexical shortlist are not encoded."""
    recording = Recording(encoder)
    full = ExtractiveAnswerer(recording)
    full.answer("Who said the bridge cost twelve million euros?", PASSAGES)
    everything = len(recording.texts)
    recording.texts.clear()
    short = ExtractiveAnswerer(recording, config=replace(full.config, embed_top=5))
    draft = short.answer("Who said the bridge cost twelve million euros?", PASSAGES)
    assert everything > 6 and len(recording.texts) == 6  # the question and five sentences
    chosen = [c.quote for c in draft.citations]
    assert chosen and all(q in recording.texts for q in chosen)  # only embedded sentences are quoted


def test_sentence_vectors_are_cached_across_questions(encoder) -> None:
    recording = Recording(encoder)
    answerer = ExtractiveAnswerer(recording)
    answerer.answer("Who opened the Brackwater bridge?", PASSAGES)
    first = len(recording.texts)
    answerer.answer("Who opened the Brackwater bridge?", PASSAGES)
    assert len(recording.texts) == first  # nothing new to embed
    answerer.answer("Who paid for the Brackwater bridge?", PASSAGES)
    assert recording.texts[first:] == ["Who paid for the Brackwater bridge?"]


def test_the_question_context_is_searched(answerer) -> None:
    """A follow-up's context (what "her" refers to) makes it answerable."""
    question = Question("What was her job?")
    assert answerer.answer(question, PASSAGES).refused
    draft = answerer.answer(question.with_context(["Jane Holloway", "Brackwater bridge"]), PASSAGES)
    assert not draft.refused and draft.citations[0].quote.startswith("Mayor Jane Holloway")
