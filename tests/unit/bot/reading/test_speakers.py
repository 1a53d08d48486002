"""Whose words a question asks for, and which sentence notes report them (hand-made notes)."""

from __future__ import annotations

import pytest

from bot.reading.speakers import Actor, asked_actor, named_in_role
from index.nlp import SentenceNotes


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("What did the Kremlin say about the talks?", {"kremlin"}),
        ("what does the UN think of the plan", {"un"}),
        ("What has President Zelensky told reporters?", {"zelensky"}),  # the title is not a name word
        ("How did Zelensky react to the offer?", {"zelensky"}),
        ("How has Donald Trump responded?", {"donald", "trump"}),
        ("What was Putin's reaction?", {"putin"}),
        ("What is Donald Trump’s stance on tariffs?", {"donald", "trump"}),
        ("Any reaction from the White House?", {"white", "house"}),
    ],
)
def test_the_actor_a_question_names(question: str, words: set[str]) -> None:
    actor = asked_actor(question)
    assert actor is not None and actor.words == frozenset(words)


@pytest.mark.parametrize(
    "question", ["What did she say?", "How did they react?", "What did he tell the court?"]
)
def test_a_pronoun_asks_for_anybody_quoted(question: str) -> None:
    actor = asked_actor(question)
    assert actor is not None and actor.words == frozenset()


@pytest.mark.parametrize(
    "question",
    [
        "Why did Putin stay away?",
        "What did the report find?",  # not a speech or reaction verb
        "Who said the bridge cost twelve million euros?",
        "How many people were killed?",
        "What did the the say?",  # no name word left
        "",
    ],
)
def test_questions_not_asking_for_someones_words_name_no_actor(question: str) -> None:
    assert asked_actor(question) is None


def note(speaker: str = "", subjects: tuple[str, ...] = ()) -> SentenceNotes:
    return SentenceNotes(0, 40, (), subjects, speaker, False)


KREMLIN = Actor(frozenset({"kremlin"}))
ANYBODY = Actor(frozenset())


def test_the_actor_speaks_in_a_sentence_reporting_its_words() -> None:
    assert KREMLIN.speaks_in(note("Kremlin"))
    assert KREMLIN.speaks_in(note("the Kremlin's spokesman"))
    assert KREMLIN.speaks_in(note("Kremlin spokesman Dmitry Peskov"))
    assert not KREMLIN.speaks_in(note("Zelensky"))
    assert not KREMLIN.speaks_in(note(""))
    assert not KREMLIN.speaks_in(note("", subjects=("Kremlin",)))  # a subject is not a speaker


def test_the_actor_acts_in_a_sentence_it_is_the_subject_of() -> None:
    assert KREMLIN.acts_in(note(subjects=("troops", "the Kremlin")))
    assert not KREMLIN.acts_in(note(subjects=("troops",)))
    assert not KREMLIN.acts_in(note("Kremlin"))  # speaking is not acting
    assert not ANYBODY.acts_in(note(subjects=("Kremlin",)))  # a pronoun names no subject


def test_others_speak_in_a_sentence_quoting_somebody_else() -> None:
    assert KREMLIN.others_speak_in(note("Zelensky"))
    assert KREMLIN.others_speak_in(note("He"))  # an unresolved pronoun is not the Kremlin either
    assert not KREMLIN.others_speak_in(note("Kremlin"))
    assert not KREMLIN.others_speak_in(note(""))


def test_a_pronoun_actor_speaks_in_any_quoted_sentence() -> None:
    assert ANYBODY.speaks_in(note("Zelensky")) and ANYBODY.speaks_in(note("Kremlin"))
    assert not ANYBODY.speaks_in(note(""))
    assert not ANYBODY.others_speak_in(note("Zelensky"))  # nobody is "somebody else"


def test_what_the_story_says_about_someone_asks_about_them_not_the_story() -> None:
    actor = asked_actor("What does the story say about Joe Biden?")
    assert actor is not None and actor.words == frozenset({"joe", "biden"}) and not actor.asks_words
    assert asked_actor("what did she say about the fans") == Actor(frozenset(), True)


def test_a_role_is_named_as_the_articles_name_it() -> None:
    actor = asked_actor("what did the US president say")
    assert actor is not None and actor.role
    named = named_in_role(
        actor, ["Lula spoke first.", "US President Donald Trump said he would consider it."]
    )
    assert {"donald", "trump"} <= named.words
    assert named_in_role(actor, ["Nobody holds that office here."]) == actor
