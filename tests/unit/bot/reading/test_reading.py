"""The question read once: a Reading per question value, every rule looking past the same openers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.language.wordlists import word_list
from bot.question import Question
from bot.reading.intents import Intent
from bot.reading.kinds import Kind
from bot.reading.reading import Reading, read


def test_a_question_is_read_once_per_value_and_again_when_its_words_change() -> None:
    question = Question("how old is medinsky")
    assert question.reading is question.reading
    assert question.reading.kind is Kind.AGE and question.reading.strict
    # The context a follow-up adds is searched, not read: "he" is asked about, whoever he is.
    assert question.with_context(["Vladimir Medinsky"]).reading == question.reading
    assert replace(question, text="who wrote this").reading.intent is Intent.AUTHOR


@pytest.mark.parametrize(
    ("question", "form"),
    [
        ("why did the ferry stop", "cause"),
        ("who said the war can be won", "who_said"),
        ("which games are coming to game pass", "lists"),
        ("is putin going to istanbul", "yes_no"),
        ("what happened in the final", "what_happened"),
        ("when did the talks start", "kind"),
    ],
)
@pytest.mark.parametrize("opener", sorted(word_list("openers")))
def test_every_rule_looks_past_the_same_conversational_opener(question: str, form: str, opener: str) -> None:
    plain = getattr(read(question), form)
    assert plain, f"{question!r} should be read as {form}"
    assert getattr(read(f"{opener} {question}"), form) == plain
    assert getattr(read(f"{opener.capitalize()}, {question}"), form) == plain


def test_a_question_of_no_form_reads_as_a_plain_question_about_the_news() -> None:
    reading = read("tell me about the bridge")
    assert reading == Reading(
        intent=Intent.FACTS,
        kind=None,
        yes_no=False,
        actor=None,
        who_said=False,
        count=0,
        lists=False,
        cause=False,
        future=False,
        what_happened=False,
        present=False,
    )


def test_the_present_and_a_count_are_read_too() -> None:
    assert read("who is the coach now").present
    assert read("which four regions voted").count == 4
