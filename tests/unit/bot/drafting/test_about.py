"""Answers about the article itself: summaries and facts from its metadata, cited, or an honest
"doesn't say"; through the chatbot with and without the widget's article scope."""

from __future__ import annotations

from langchain_core.documents import Document

from bot.answerers.extractive import ExtractiveAnswerer
from bot.chatbot import Chatbot
from bot.drafting.about import fact_draft, latest_draft, summary_draft
from bot.question import Question
from bot.reading.intents import Intent
from tests.corpus import BRIDGE_META, SEED
from tests.fakes import HashEmbeddings

BODY = (
    "The council approved the new harbour bridge on Monday after a decade of debate. "
    "Work starts in spring and should take three years.\n\nWhy Now?\n\n"
    "Traffic on the old ferry route has doubled since 2015, the council said."
)


def article(**meta: object) -> list[Document]:
    return [Document(page_content=BODY, metadata={**BRIDGE_META, **meta}, id="bridge#0")]


def test_summary_cites_every_sentence_at_its_offsets() -> None:
    draft = summary_draft(article(), scoped=True)
    assert draft is not None and not draft.refused
    assert (
        draft.text.startswith("The council approved") and draft.text.count("[") == len(draft.citations) == 3
    )
    for citation in draft.citations:
        assert BODY[citation.start : citation.end] == citation.quote and citation.article_id == "bridge"


def test_an_unscoped_summary_names_its_story() -> None:
    draft = summary_draft(article(), scoped=False)
    assert draft is not None and draft.text.startswith("From “Bridge approved”: The council approved")


def test_facts_come_from_the_metadata_and_cite_the_lede() -> None:
    expected = {
        Intent.AUTHOR: "“Bridge approved” is by **Ana Silva**. [1]",
        Intent.PUBLISHED: "“Bridge approved” was published on **November 27, 2023**. [1]",
        Intent.OUTLET: "“Bridge approved” was published by **Harbour Gazette**. [1]",
        Intent.LINK: "The original of “Bridge approved” is at https://gazette.example/bridge. [1]",
    }
    for intent, text in expected.items():
        draft = fact_draft(intent, article())
        assert draft.text == text and not draft.refused
        assert [c.quote for c in draft.citations] == [
            "The council approved the new harbour bridge on Monday after a decade of debate."
        ]


def test_a_fact_the_article_does_not_give_is_an_honest_refusal() -> None:
    for intent, meta in [(Intent.AUTHOR, {"author": "None"}), (Intent.PUBLISHED, {"published_at": ""})]:
        draft = fact_draft(intent, article(**meta))
        assert draft.refused and not draft.citations
        assert draft.text.startswith("The article “Bridge approved” doesn't")
        assert [r.article_id for r in draft.related] == ["bridge"]


def test_scoped_summary_through_the_chatbot_uses_the_whole_article(seed_bot: Chatbot) -> None:
    answer = seed_bot.ask(Question("what's this story about", article_id=SEED.stem))
    assert not answer.refused and 2 <= len(answer.citations) <= 5
    assert answer.text.startswith("Ukraine and Russia are set to hold their first direct peace talks")
    assert {c.article_id for c in answer.citations} == {SEED.stem}
    assert [c.start for c in answer.citations] == sorted(c.start for c in answer.citations)


def test_author_through_the_chatbot_with_and_without_scope(seed_bot: Chatbot) -> None:
    for scope in (SEED.stem, None):
        answer = seed_bot.ask(Question("who wrote this?", article_id=scope))
        assert "**Alisa Orlova**" in answer.text and len(answer.citations) == 1
    undated = seed_bot.ask(Question("when was this published", article_id=SEED.stem))
    assert undated.refused and "doesn't give its publication date" in undated.text


def test_without_the_article_source_the_retrieved_chunks_of_the_article_serve(
    encoder: HashEmbeddings,
) -> None:
    chunks = article()
    answerer = ExtractiveAnswerer(encoder.encode_batch)  # no ``articles``: passages only
    draft = answerer.answer(Question("tl;dr", article_id="bridge"), chunks)
    assert draft.text.startswith("The council approved") and not draft.refused


def story(article: str, published: str, text: str) -> Document:
    meta = {"article_id": article, "title": article.title(), "published_at": published, "start": 0}
    return Document(page_content=text, metadata=meta, id=f"{article}#0")


LATEST = [
    story("ferry-1", "2023-10-02", "The ferry strike entered its second day on Monday in Kestrel Bay."),
    story("ferry-3", "2023-10-09", "The ferry strike ended after nine days with a six percent raise."),
    story("undated", "", "Ferry workers in the bay have long complained about their pay."),
    story("ferry-2", "2023-10-05", "Talks to end the ferry strike broke down on Thursday evening."),
]


def test_the_latest_is_one_dated_lede_per_article_newest_first() -> None:
    draft = latest_draft(LATEST, articles=lambda _a: [])
    assert draft is not None and not draft.refused
    assert draft.text == (
        "October 9, 2023: The ferry strike ended after nine days with a six percent raise. [1] "
        "October 5, 2023: Talks to end the ferry strike broke down on Thursday evening. [2] "
        "October 2, 2023: The ferry strike entered its second day on Monday in Kestrel Bay. [3]"
    )
    assert [c.article_id for c in draft.citations] == ["ferry-3", "ferry-2", "ferry-1"]  # undated left out
    assert latest_draft([LATEST[2]], articles=lambda _a: []) is None


def test_the_latest_through_the_answerer(encoder: HashEmbeddings) -> None:
    answerer = ExtractiveAnswerer(encoder.encode_batch)
    draft = answerer.answer(Question("what's the latest on the ferry strike?"), LATEST)
    assert draft.text.startswith("October 9, 2023: The ferry strike ended")
    scoped = answerer.answer(Question("any updates on this?", article_id="ferry-2"), LATEST)
    assert scoped.text.startswith("Talks to end the ferry strike") and len(scoped.citations) == 1
