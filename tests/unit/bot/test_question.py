"""The Question value (what is searched) and the input rules every edge applies."""

from __future__ import annotations

import pytest

from bot.question import Question, clean_question, without_markup
from bot.schemas import ChatTurn
from index.errors import InputError, TooLargeError


def test_question_rules() -> None:
    with pytest.raises(InputError, match="type a question"):
        clean_question(" \n\t ", 2000)
    with pytest.raises(InputError, match="too long"):
        clean_question("x" * 2001, 2000)
    assert clean_question("Who\x00 leads\x1b the\ttalks?", 2000) == "Who leads the talks?"
    with pytest.raises(InputError, match="invalid text"):
        clean_question("who leads \ud800 the talks?", 2000)  # a lone surrogate


def test_question_without_context_searches_its_text() -> None:
    question = Question("Who leads the talks?")
    assert question.standalone == "Who leads the talks?"
    assert question.history is None and question.turns == ()
    assert Question.of(question) is question
    assert Question.of("Who leads the talks?") == question


def test_context_follows_the_question_in_what_is_searched() -> None:
    question = Question("What was his job before?").with_context(["Vladimir Medinsky", "Putin aide"])
    assert question.context == ("Vladimir Medinsky", "Putin aide")
    assert question.standalone == "What was his job before? — context: Vladimir Medinsky; Putin aide"
    assert question.text == "What was his job before?"  # the asked text itself is unchanged
    assert question.with_context(()).standalone == "What was his job before?"


def test_history_and_scope_are_kept_by_with_context() -> None:
    turn = ChatTurn(question="Who leads Russia's delegation?", answer="Vladimir Medinsky [1]")
    question = Question("And his deputy?", (turn,), article_id="seed").with_context(["Medinsky"])
    assert question.turns == (turn,) and question.article_id == "seed"
    assert Question("q", ()).turns == ()  # no earlier turns given explicitly


def test_question_is_a_frozen_value() -> None:
    question = Question("Who?")
    with pytest.raises(AttributeError):
        question.text = "Why?"  # type: ignore[misc]
    assert {Question("Who?"), Question("Who?")} == {question}


def test_clean_question_normalises_and_keeps_the_limit_inclusive() -> None:
    assert clean_question("  Cafe\u0301   talks\n\n in   Istanbul  ", 100) == "Café talks in Istanbul"
    assert clean_question("x" * 2000, 2000) == "x" * 2000
    with pytest.raises(TooLargeError) as raised:
        clean_question("x" * 2001, 2000)
    assert isinstance(raised.value, InputError) and raised.value.http_status == 413
    assert "2001 characters" in str(raised.value) and "2000" in str(raised.value)


def test_only_control_characters_is_no_question() -> None:
    with pytest.raises(InputError, match="type a question") as raised:
        clean_question("\x00\x07\x1b\x7f", 2000)
    assert not isinstance(raised.value, TooLargeError) and raised.value.http_status == 400


def test_markup_around_a_question_is_not_part_of_its_words() -> None:

    assert (
        without_markup("<script>alert('x')</script> Where are the talks held?") == "Where are the talks held?"
    )
    assert (
        without_markup("<b>who</b> leads <img src=x onerror=alert(1)>Russia's team?")
        == "who leads Russia's team?"
    )
    assert without_markup("is 3 < 5 and 6 > 4?") == "is 3 < 5 and 6 > 4?"  # comparisons are not tags
    with pytest.raises(InputError, match="Please type a question"):
        clean_question("<style>p {}</style> <br>", 2000)
