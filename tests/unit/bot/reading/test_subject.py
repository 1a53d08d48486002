"""Which story subject a pronoun on an article page stands for, from hand-made notes."""

from __future__ import annotations

from langchain_core.documents import Document

from bot.reading.subject import named_subject, pronoun_subject
from index.chunking import split_sentences
from index.nlp import NOTES_KEY, Entity, SentenceNotes, encode_notes

TITLE = "Theatre producer and Everton chairman Kenwright dies"
BODY = (
    "Everton chairman Bill Kenwright has died at the age of 78. "
    "Kenwright had surgery eight weeks ago. "
    "Everton said it was in mourning. "
    "Ian McKellen said Kenwright was a friend. "
    "Everton lost to Southampton."
)
# spaCy's small model labels "Everton" a person at times; "Kenwright" an organisation at times.
MENTIONS = {
    "Everton chairman Bill Kenwright has died at the age of 78.": [
        ("Everton", "ORG"),
        ("Bill Kenwright", "PERSON"),
    ],
    "Kenwright had surgery eight weeks ago.": [("Kenwright", "ORG")],
    "Everton said it was in mourning.": [("Everton", "PERSON")],
    "Ian McKellen said Kenwright was a friend.": [("Ian McKellen", "PERSON"), ("Kenwright", "PERSON")],
    "Everton lost to Southampton.": [("Everton", "ORG"), ("Southampton", "GPE")],
}


def chunk(
    body: str = BODY, title: str = TITLE, mentions: dict[str, list[tuple[str, str]]] = MENTIONS
) -> Document:
    notes = []
    for s, e in split_sentences(body):
        sentence = body[s:e]
        entities = tuple(
            Entity(sentence.index(text), sentence.index(text) + len(text), label)
            for text, label in mentions.get(sentence, [])
        )
        notes.append(SentenceNotes(s, e, entities, (), "", False))
    meta = {"article_id": "a", "title": title, "start": 0, NOTES_KEY: encode_notes(notes)}
    return Document(page_content=body, metadata=meta)


def test_he_is_the_person_the_title_names_by_the_full_name_given() -> None:
    referent = pronoun_subject("how old was he", [chunk()])
    assert referent is not None and referent.name == "Bill Kenwright"
    assert referent.mentioned_in("He had been on the board since 1989.")
    assert not referent.mentioned_in("The club is in mourning.")


def test_a_name_mostly_labelled_otherwise_is_no_person_even_if_named_more() -> None:
    # "Everton": 4 mentions, 1 as a person; "Kenwright": 3, 2 as a person.
    referent = pronoun_subject("what did he do", [chunk()])
    assert referent is not None and referent.name == "Bill Kenwright"


def test_it_or_they_is_an_organisation_the_title_names_else_nothing() -> None:
    referent = pronoun_subject("what did they say", [chunk()])
    assert referent is not None and referent.name == "Everton"
    untitled = chunk(title="A sad day at Goodison")
    assert pronoun_subject("what did they say", [untitled]) is None


def test_no_pronoun_a_named_subject_or_no_notes_leave_the_question_as_asked() -> None:
    assert pronoun_subject("how old was the chairman", [chunk()]) is None
    assert pronoun_subject("how old was kenwright when he died", [chunk()]) is None
    assert pronoun_subject("how old was he", [chunk(mentions={})]) is None
    assert pronoun_subject("how old was he", []) is None


def test_a_name_given_once_is_not_the_subject() -> None:
    once = {"Everton chairman Bill Kenwright has died at the age of 78.": [("Bill Kenwright", "PERSON")]}
    assert pronoun_subject("how old was he", [chunk(mentions=once)]) is None


def test_a_part_of_a_name_in_the_question_stands_for_the_whole_name() -> None:
    referent = named_subject("how old is bill", [chunk()])
    assert referent is not None and referent.name == "Bill Kenwright"
    assert referent.mentioned_in("Kenwright had surgery.") and not referent.mentioned_in("He had surgery.")
    assert named_subject("how old is bill kenwright", [chunk()]) is None  # named in full already
    assert named_subject("how old is the chairman", [chunk()]) is None
