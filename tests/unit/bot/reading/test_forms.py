"""Why and what-next questions, and the sentences carrying a cause or what comes next."""

from __future__ import annotations

import pytest

from bot.reading.forms import asks_list, asks_next, asks_why, states_cause, states_future


@pytest.mark.parametrize(
    "question",
    [
        "why turkey?",
        "so why did jordan lose",
        "how come they left",
        "what was the reason for it",
        "what caused it",
    ],
)
def test_why_questions(question: str) -> None:
    assert asks_why(question) and not asks_next(question)


@pytest.mark.parametrize(
    "question",
    [
        "whats next",
        "what happens if the talks fail",
        "so what happens now",
        "what will happen to him",
        "next steps?",
        "what does this mean for the bears",
    ],
)
def test_what_next_questions(question: str) -> None:
    assert asks_next(question) and not asks_why(question)


def test_other_questions_ask_neither() -> None:
    for question in ("who is the next coach", "where is the summit", "what did he say about why it failed"):
        assert not asks_why(question)
        assert not asks_next(question)


def test_cause_and_future_sentences() -> None:
    assert states_cause("The displays were triggered by a strong geomagnetic storm.")
    assert states_cause("Sales fell due to weak demand.")
    assert not states_cause("The lights were seen as far south as Greece.")
    assert states_future("The MHRA will first decide if they are safe.")
    assert states_future("Leaders warned of new sanctions.")
    assert not states_future("The talks began on Thursday in Istanbul.")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("which games does microsoft get out of this", True),
        ("who else was in the running", True),
        ("what are the key issues", True),
        ("what were the top 3 movies this weekend", True),
        ("list the candidates", True),
        ("which company bought it", False),
        ("what does he want", False),
        ("what is this", False),
        ("what does this have to do with inflation", False),  # "this", "news", "odds" end in s
        ("what are the odds", False),
        ("what news is there", False),
    ],
)
def test_list_questions(question: str, expected: bool) -> None:
    assert asks_list(question) is expected
