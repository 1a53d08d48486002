"""The extractive answerer on hand-made passages and the fake encoder: choice, marks, citations.

Answer quality on the seed article with the real model: tests/e2e/bot/answerers/test_extractive.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest
from langchain_core.documents import Document

from bot.answerers.extractive import ExtractiveAnswerer, refusal
from bot.answerers.scoring import ExtractiveConfig
from bot.drafting.draft import Delta, Draft
from bot.question import Question
from bot.reading.kinds import RULES, Kind
from bot.reading.yes_no import NOT_DIRECT
from bot.schemas import ChatTurn
from index.chunking import split_sentences
from index.nlp import NOTES_KEY, Entity, SentenceNotes, encode_notes
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


def test_ranked_gives_every_candidate_best_first_with_the_answers_sentence_on_top(answerer) -> None:
    question = "How many years did the bridge take to build?"
    ranked = answerer.ranked(question, PASSAGES)
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert ranked[0].text == answerer.answer(question, PASSAGES).citations[0].quote
    assert len(ranked) >= 6 and not any(c.text.endswith("?") for c in ranked)


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


def test_when_is_refused_unless_a_sentence_gives_a_date(answerer) -> None:
    undated = [
        Document(page_content="The ferry strike in Kestrel Bay ended after a long dispute.", metadata=META)
    ]
    assert answerer.answer("When will the ferry strike end?", undated).refused
    assert not answerer.answer("When did the bridge open?", PASSAGES).refused


def test_page_furniture_is_never_quoted(answerer) -> None:
    furniture = Document(
        page_content="Sign up to our newsletter for Brackwater bridge news every Monday morning.",
        metadata={**META, "start": 2000},
    )
    draft = answerer.answer("When did the bridge open? Is there bridge news?", [furniture, *PASSAGES])
    assert "newsletter" not in draft.text


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
    draft = answerer.answer("What about the new Brackwater bridge opening?", [*PASSAGES, ferry_bridge])
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


# ---- With sentence notes (index/nlp.py), made by hand ----------------------------------------

OPENING = "Mayor Jane Holloway opened the new Brackwater bridge on Monday morning."
TOWN = (
    f"{OPENING} "
    "The bridge took three years to build and carries two tram lines. "
    "It crosses the river near the old town."
)


def with_notes(
    text: str,
    article_id: str = "brackwater-bridge",
    start: int = 480,
    entities: dict[str, list[tuple[str, str]]] | None = None,
    speakers: dict[str, str] | None = None,
    notes: bool = True,
) -> Document:
    """A stored chunk at ``start`` in its article, with notes for each sentence: the given
    entities (phrase, label) and speaker, offsets relative to the chunk as the indexer stores them."""
    made = []
    for s, e in split_sentences(text):
        sentence = text[s:e]
        found = []
        for phrase, label in (entities or {}).get(sentence, []):
            at = sentence.index(phrase)
            found.append(Entity(at, at + len(phrase), label))
        made.append(SentenceNotes(s, e, tuple(found), (), (speakers or {}).get(sentence, ""), False))
    meta: dict[str, object] = {**META, "article_id": article_id, "start": start, "end": start + len(text)}
    if notes:
        meta[NOTES_KEY] = encode_notes(made)
    return Document(page_content=text, metadata=meta, id=f"{article_id}#{start}")


TRAMS = {"The bridge took three years to build and carries two tram lines.": [("two", "CARDINAL")]}


def test_a_count_question_takes_its_count_from_the_notes(answerer) -> None:
    question = "How many tram lines does the Brackwater bridge carry?"
    draft = answerer.answer(question, [with_notes(TOWN, entities=TRAMS)])
    assert not draft.refused and "carries **two** tram lines" in draft.text
    # Notes that hold no amount: no sentence can say how many (the pattern alone would find "two").
    assert answerer.answer(question, [with_notes(TOWN)]).refused
    # An index built without notes falls back on the patterns.
    assert not answerer.answer(question, [with_notes(TOWN, notes=False)]).refused


def test_how_old_is_refused_unless_a_sentence_gives_an_age(answerer, monkeypatch) -> None:
    question = "How old is Jane Holloway?"
    holloway = {OPENING: [("Jane Holloway", "PERSON"), ("Monday morning", "TIME")]}
    assert answerer.answer(question, [with_notes(TOWN, entities=holloway)]).refused

    aged = TOWN.replace("Mayor Jane Holloway opened", "Mayor Jane Holloway, 54, opened")
    draft = answerer.answer(question, [with_notes(aged)])
    assert not draft.refused and "**54**" in draft.text
    assert draft.citations[0].quote.startswith("Mayor Jane Holloway, 54, opened")

    # The refusal is the strict kind's doing: the sentence about her matches the question otherwise.
    monkeypatch.setitem(RULES, Kind.AGE, replace(RULES[Kind.AGE], strict=False))
    assert not answerer.answer(question, [with_notes(TOWN, entities=holloway)]).refused


QUOTE = "“The new bridge is a triumph for the whole town,” she said."


def quoted_by(speaker: str, opener: str, article_id: str) -> Document:
    text = f"{opener} {QUOTE}"
    return with_notes(text, article_id=article_id, start=0, speakers={QUOTE: speaker})


def test_what_did_x_say_prefers_xs_words_over_the_same_words_from_someone_else(encoder) -> None:
    okafor = quoted_by("Tom Okafor", "Union leader Tom Okafor spoke at the quay on Friday.", "union")
    holloway = quoted_by("Jane Holloway", "Mayor Jane Holloway cut the ribbon on Monday.", "council")
    passages = [okafor, holloway]  # the other speaker's passage ranks first
    question = "What did Holloway say about the new bridge and the whole town?"

    draft = ExtractiveAnswerer(encoder.encode_batch).answer(question, passages)
    assert not draft.refused
    first = draft.citations[0]
    assert (first.article_id, first.quote) == ("council", QUOTE)

    # Control: without the speaker weights the identical quote in the first passage wins.
    blind = replace(ExtractiveConfig(), w_speaker=0.0, w_actor_subject=0.0, other_speaker_penalty=0.0)
    draft = ExtractiveAnswerer(encoder.encode_batch, config=blind).answer(question, passages)
    assert (draft.citations[0].article_id, draft.citations[0].quote) == ("union", QUOTE)


def test_yes_no_leads_with_a_verdict_only_when_the_sentence_states_it(answerer) -> None:
    stated = answerer.answer("Does the bridge carry two tram lines?", [with_notes(TOWN)])
    assert stated.text.startswith(
        "**Yes** — The bridge took three years to build and carries two tram lines."
    )

    evidence = answerer.answer("Is the bridge near the old town?", [with_notes(TOWN)])
    assert not evidence.refused and "It crosses the river near the old town." in evidence.text
    assert not evidence.text.startswith(("**Yes**", "**No**")) and evidence.text.endswith(NOT_DIRECT)


REGIONS = (
    "Russia still wants full control over the four regions. "
    "In late 2022, Russia declared the annexation of Donetsk, Luhansk, Kherson and Zaporizhzhia."
)
NAMED = {
    "In late 2022, Russia declared the annexation of Donetsk, Luhansk, Kherson and Zaporizhzhia.": [
        (place, "GPE") for place in ("Russia", "Donetsk", "Luhansk", "Kherson", "Zaporizhzhia")
    ]
}


def test_which_four_prefers_the_sentence_naming_four(encoder, answerer) -> None:
    question = "which four regions did russia annex"
    # The hash encoder knows no meaning: a large bonus shows the mechanism, not its calibration.
    counted = ExtractiveAnswerer(encoder.encode_batch, config=replace(answerer.config, w_counted=1.0))
    draft = counted.answer(question, [with_notes(REGIONS, entities=NAMED)])
    assert draft.citations[0].quote.startswith("In late 2022")
    # Control: without the bonus, the sentence repeating the question's words wins.
    plain = ExtractiveAnswerer(encoder.encode_batch, config=replace(answerer.config, w_counted=0.0))
    assert (
        plain.answer(question, [with_notes(REGIONS, entities=NAMED)])
        .citations[0]
        .quote.startswith("Russia still wants")
    )


# ---- On an article's page: the whole article, pronouns for its subject -------------------------

OBITUARY = (
    "Everton chairman Bill Kenwright has died at the age of 78. "
    "Kenwright had surgery to remove a tumour eight weeks ago. "
    "He had been on the board at Everton since 1989."
)
OBITUARY_PEOPLE = {
    "Everton chairman Bill Kenwright has died at the age of 78.": [("Bill Kenwright", "PERSON")],
    "Kenwright had surgery to remove a tumour eight weeks ago.": [("Kenwright", "PERSON")],
}


def obituary_chunks() -> list[Document]:
    first, rest = OBITUARY.split(" Kenwright had", 1)
    chunks = [
        with_notes(first, article_id="obituary", start=0, entities=OBITUARY_PEOPLE),
        with_notes(
            "Kenwright had" + rest, article_id="obituary", start=len(first) + 1, entities=OBITUARY_PEOPLE
        ),
    ]
    for c in chunks:
        c.metadata["title"] = "Everton chairman Kenwright dies"
    return chunks


def test_on_an_article_page_the_whole_article_is_searched(encoder) -> None:
    chunks = obituary_chunks()
    answerer = ExtractiveAnswerer(
        encoder.encode_batch,
        config=ExtractiveConfig(refuse_below=0.2),  # the fake encoder's similarities are noise
        articles=lambda a, _s: chunks if a == "obituary" else [],
    )
    retrieved = chunks[1:]  # the age is in a chunk retrieval ranked below the cut
    scoped = answerer.answer(Question("how old was he", (), article_id="obituary"), retrieved)
    assert not scoped.refused and "78" in scoped.text
    assert scoped.citations[0].quote.startswith("Everton chairman Bill Kenwright")
    # Without the page, only what was retrieved: no sentence gives an age.
    assert answerer.answer(Question("how old was he", ()), retrieved).refused


def test_a_pronoun_on_an_article_page_means_its_subject_named_or_not(encoder) -> None:
    chunks = obituary_chunks()
    recording = Recording(encoder)
    answerer = ExtractiveAnswerer(recording, articles=lambda a, _s: chunks)
    answerer.answer(Question("when did he join the board", (), article_id="obituary"), chunks)
    # The question is read with its subject's name as well as without it (the mean of both).
    assert {"when did he join the board", "when did he join the board — context: Bill Kenwright"} <= set(
        recording.texts
    )
    # A conversation says who "he" is: the story's subject is not guessed then.
    recording.texts.clear()
    turn = ChatTurn(question="who is ian mckellen", answer="An actor.")
    followup = Question(
        "when did he join the board", (turn,), article_id="obituary", context=("Ian McKellen",)
    )
    answerer.answer(followup, chunks)
    assert not any("Bill Kenwright" in t for t in recording.texts)
    # ...and the conversation's context is searched whole, not averaged with the bare question.
    assert "when did he join the board" not in recording.texts


def test_a_list_question_is_answered_by_a_lead_in_with_its_list(encoder) -> None:
    text = (
        "The council praised the new bridge and its many features for the town.\n\n"
        "Among the features are:\n\nTwo tram lines\n\nA cycle path on both sides\n\nLights that dim at night"
    )
    doc = Document(page_content=text, metadata={**META, "start": 0})
    draft = ExtractiveAnswerer(encoder.encode_batch, config=ExtractiveConfig(refuse_below=0.0)).answer(
        "which features does the new bridge have", [doc]
    )
    assert "Among the features are:" in draft.text and "A cycle path on both sides" in draft.text
    assert draft.text.count("A cycle path on both sides") == 1  # a list line is not quoted again


def test_who_said_is_answered_by_the_speaker_cited_where_they_are_named(encoder) -> None:
    text = (
        "Mayor Jane Holloway spoke at the opening on Monday morning. "
        "“This bridge will change the town for good,” she said. "
        "Residents cheered the new bridge at the opening."
    )
    quote = "“This bridge will change the town for good,” she said."
    doc = with_notes(
        text,
        start=0,
        entities={
            "Mayor Jane Holloway spoke at the opening on Monday morning.": [("Jane Holloway", "PERSON")]
        },
        speakers={quote: "Jane Holloway"},
    )
    draft = ExtractiveAnswerer(encoder.encode_batch, config=ExtractiveConfig(refuse_below=0.0)).answer(
        "who said the bridge will change the town", [doc]
    )
    assert draft.text.startswith("**Jane Holloway** [1] —")
    assert draft.citations[0].quote == "Mayor Jane Holloway spoke at the opening on Monday morning."
    assert any(c.quote == quote for c in draft.citations[1:])


def test_what_happened_that_no_sentence_answers_gets_the_page_summary(encoder) -> None:
    answerer = ExtractiveAnswerer(encoder.encode_batch, articles=lambda a, _s: PASSAGES)
    scoped = Question("what happened in the final", (), article_id=META["article_id"])
    draft = answerer.answer(scoped, PASSAGES)
    assert not draft.refused and draft.text.startswith("Mayor Jane Holloway opened the new Brackwater bridge")
    assert answerer.answer(Question("what happened in the final", ()), PASSAGES).refused  # no page: no story
    # Something the page never names is not its story.
    elsewhere = Question("what happened to Joe Biden in Ohio", (), article_id=META["article_id"])
    assert answerer.answer(elsewhere, PASSAGES).refused


def test_why_prefers_the_sentence_that_states_a_cause(encoder) -> None:
    text = (
        "The ferry service in Kestrel Bay stopped running on Monday. "
        "The ferry service stopped because the crews went on strike."
    )
    doc = Document(page_content=text, metadata={**META, "start": 0})
    no_cue = ExtractiveAnswerer(encoder.encode_batch, config=ExtractiveConfig(w_form=0.0, max_sentences=1))
    with_cue = ExtractiveAnswerer(encoder.encode_batch, config=ExtractiveConfig(w_form=1.0, max_sentences=1))
    question = "why did the ferry service in kestrel bay stop running on monday"
    assert "because" not in no_cue.answer(question, [doc]).text  # the event matches the words best
    assert "because" in with_cue.answer(question, [doc]).text


def test_a_mark_never_starts_inside_a_word(encoder) -> None:
    doc = Document(
        page_content="The hackers defaced the Brackwater council site and wrote PWNED. on its front page.",
        metadata={**META, "start": 0},
    )
    answerer = ExtractiveAnswerer(encoder.encode_batch, config=ExtractiveConfig(refuse_below=0.0))
    draft = answerer.answer("who defaced the brackwater council site", [doc])
    assert "PWNE**" not in draft.text and "PWNED." in draft.text
