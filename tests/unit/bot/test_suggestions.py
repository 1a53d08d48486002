"""Suggested questions from an article's text and hand-made sentence notes (no NLP model)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.suggestions import (
    SUMMARY_QUESTION,
    SuggestionConfig,
    main_person,
    person_question,
    question_headings,
    suggested_questions,
)
from index.nlp import Entity, SentenceNotes

Mention = tuple[str, str]  # (entity text as written in the sentence, label)


def notes_for(body: str, sentences: Sequence[tuple[str, Sequence[Mention], str]]) -> list[SentenceNotes]:
    """Notes of the given sentences of ``body`` (each found in it), offsets into the body."""
    notes = []
    for sentence, mentions, speaker in sentences:
        start = body.index(sentence)
        entities = tuple(
            Entity(sentence.index(text), sentence.index(text) + len(text), label) for text, label in mentions
        )
        notes.append(SentenceNotes(start, start + len(sentence), entities, (), speaker))
    return notes


SECTIONS = """Ukraine and Russia hold talks in Istanbul on Thursday.

Why Turkey?

Turkey has positioned itself as a neutral mediator since the beginning of the war.

Who Else Is Involved?

The Kremlin's team includes:

Mikhail Galuzin – Deputy Foreign Minister

"Why would anyone attend?" he asked.

Is this the longest heading that anyone has ever written for a section of a story?

MORE: Who is Connor Stalions?

WHAT IS KETAMINE, THE DRUG THAT KILLED HIM?

What would that look like?

Nobody knows what it would look like.

This is just what Nick Watson does ????

What’s Next?

Zelensky said Ukraine would decide its next steps."""


def test_question_headings_are_taken_as_written_when_their_section_echoes_them() -> None:
    # "Who Else Is Involved?": a list of names under it, none of its words: the bot refused it.
    # Quoted questions, long ones, teasers for other stories, headings leaning on the text
    # around them ("that") and lines ending in "??" are not offered.
    assert question_headings(SECTIONS) == ["Why Turkey?", "What’s Next?"]


def test_the_summary_question_comes_first_and_headings_follow_in_reading_order() -> None:
    assert suggested_questions(SECTIONS, []) == [SUMMARY_QUESTION, "Why Turkey?", "What’s Next?"]
    assert suggested_questions("No headings here. Just text.", []) == [SUMMARY_QUESTION]


def many_headings(count: int) -> str:
    return "\n\n".join(f"Why port {i}?\n\nThe port {i} closed on Monday." for i in range(count))


PEOPLE = "Vladimir Medinsky leads the team. Medinsky spoke. Medinsky left. Anna Lee came."


def test_at_most_five_and_one_slot_is_kept_for_the_person() -> None:
    body = many_headings(7) + "\n\n" + PEOPLE
    notes = notes_for(
        body,
        [
            ("Vladimir Medinsky leads the team.", [("Vladimir Medinsky", "PERSON")], ""),
            ("Medinsky spoke.", [("Medinsky", "PERSON")], ""),
            ("Medinsky left.", [("Medinsky", "PERSON")], ""),
        ],
    )
    assert suggested_questions(body, notes) == [
        SUMMARY_QUESTION,
        "Why port 0?",
        "Why port 1?",
        "Why port 2?",
        "What does the story say about Vladimir Medinsky?",
    ]
    assert suggested_questions(many_headings(7), []) == [SUMMARY_QUESTION] + [
        f"Why port {i}?" for i in range(4)
    ]
    assert len(suggested_questions(body, notes, SuggestionConfig(limit=2))) == 2


def test_the_main_person_is_the_most_named_by_the_full_name_first_given() -> None:
    body = (
        "Ukrainian President Volodymyr Zelensky's call. Zelensky waits. "
        "Delegation led by Vladimir Medinsky, an aide. Medinsky led talks. Medinsky's team. "
        "Everton won. Everton lost. Everton drew. Everton again. "
        "Manchester United sold. Manchester United bought. Manchester United plc. "
        "Manchester United rose. Manchester United fell."
    )
    org = "ORG"
    notes = notes_for(
        body,
        [
            ("Ukrainian President Volodymyr Zelensky's call.", [("Volodymyr Zelensky's", "PERSON")], ""),
            ("Zelensky waits.", [("Zelensky", "PERSON")], ""),
            ("Delegation led by Vladimir Medinsky, an aide.", [("Vladimir Medinsky", "PERSON")], ""),
            ("Medinsky led talks.", [("Medinsky", "PERSON")], ""),
            ("Medinsky's team.", [("Medinsky's", "PERSON")], ""),
            # spaCy calls a club a person: named with one word only, never as a full name.
            *[(s, [("Everton", "PERSON")], "") for s in ("Everton won.", "Everton lost.", "Everton drew.")],
            ("Everton again.", [("Everton", "PERSON")], ""),
            # ...or tags it PERSON, but ORG more often.
            ("Manchester United sold.", [("Manchester United", "PERSON")], ""),
            ("Manchester United bought.", [("Manchester United", "PERSON")], ""),
            ("Manchester United plc.", [("Manchester United", org)], ""),
            ("Manchester United rose.", [("Manchester United", org)], ""),
            ("Manchester United fell.", [("Manchester United", org)], ""),
        ],
    )
    assert main_person(body, notes) == "Vladimir Medinsky"  # 3 mentions, Zelensky 2
    assert person_question(body, notes) == "What does the story say about Vladimir Medinsky?"
    once = notes_for(
        body, [("Delegation led by Vladimir Medinsky, an aide.", [("Vladimir Medinsky", "PERSON")], "")]
    )
    assert main_person(body, once) == ""  # named once: not what the story is about
    assert main_person(body, []) == "" and person_question(body, []) == ""  # indexed without notes


def test_a_quoted_person_is_asked_what_they_said() -> None:
    body = "Mayor Elena Varga spoke on Monday. The bridge will open, Varga said. Varga smiled."
    notes = notes_for(
        body,
        [
            ("Mayor Elena Varga spoke on Monday.", [("Elena Varga", "PERSON")], ""),
            ("The bridge will open, Varga said.", [("Varga", "PERSON")], "Varga"),
        ],
    )
    assert person_question(body, notes) == "What did Elena Varga say?"


def test_text_is_cleaned_and_long_questions_are_left_out_not_cut() -> None:
    long_heading = "Why " + "very " * 16 + "long?"  # 18 words... and over 80 characters
    body = (
        f"Why\u200b the\x07 bridge?\n\nThe bridge opened.\n\n{long_heading}\n\nIt is very long.\n\n"
        "Who is <b>Bold</b>?\n\nBold is a name, <b> a tag."
    )
    assert question_headings(body) == ["Why the bridge?", "Who is <b>Bold</b>?"]  # markup stays text
    wordy = "Why " + "extraordinarily " * 5 + "long?"  # few words, too many characters
    assert question_headings(f"{wordy}\n\nThe extraordinarily long one.") == []
    assert len(wordy) > 80
    name = "Maria " + "Longname-" * 5 + "Smith"
    people = f"{name} spoke. {name} left."
    notes = notes_for(
        people, [(f"{name} spoke.", [(name, "PERSON")], ""), (f"{name} left.", [(name, "PERSON")], "")]
    )
    assert main_person(people, notes) == name
    assert suggested_questions(people, notes) == [SUMMARY_QUESTION]  # its question is over 80 characters
    assert all(len(q) <= 80 for q in suggested_questions(body, notes))


def test_a_heading_that_is_the_summary_question_is_not_offered_twice() -> None:
    body = "What is this story about?\n\nThis story is about a bridge."
    assert suggested_questions(body, []) == [SUMMARY_QUESTION]
