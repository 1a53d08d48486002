"""The answer-form lines an LLM is given, and the strict-kind check of its answer."""

from __future__ import annotations

import pytest

from bot.answerers.guidance import NO_GUIDANCE, answers_the_kind, guidance
from bot.reading.reading import read


@pytest.mark.parametrize(
    ("question", "line"),
    [
        ("how old is medinsky", "It asks for an age"),
        ("how many votes did he get", "It asks how many"),
        ("is putin going?", "It is a yes/no question"),
        ("what did the kremlin say", "someone's own words"),
        ("what does ukraine want", "what someone wants or plans"),
        ("why was turkey chosen", "It asks why"),
        ("what happens next", "It asks what happens next"),
        ("whats next for ten hag", "It asks what happens next"),
        ("who said the war can be won", "It asks who said something"),
        ("which games does microsoft get", "It asks for several things"),
        ("which four regions voted", "It asks for 4 things"),
    ],
)
def test_guidance_names_the_questions_form(question: str, line: str) -> None:
    assert line in guidance(read(question))


def test_lines_follow_the_scorers_order() -> None:
    lines = guidance(read("is it true that he told the kremlin why")).splitlines()
    assert lines[0].startswith("It is a yes/no question") and len(lines) == 1
    lines = guidance(read("what did the kremlin say about how many troops")).splitlines()
    assert lines[0].startswith("It asks how many") and "own words" in lines[1]


def test_no_form_no_guidance() -> None:
    assert guidance(read("tell me about the bridge")) == NO_GUIDANCE


@pytest.mark.parametrize(
    ("question", "answer", "ok"),
    [
        ("how old is medinsky", "Medinsky is a former culture minister. [1]", False),
        ("how old is medinsky", "Medinsky, 54, leads the delegation. [1]", True),
        ("what time do the talks start", "The talks start on Thursday. [1]", False),
        ("what time do the talks start", "The talks start at 10:30 a.m. [1]", True),
        ("who leads the delegation", "It is led by a former minister. [1]", True),  # not a strict kind
    ],
)
def test_strict_kinds_need_a_phrase_of_the_kind(question: str, answer: str, ok: bool) -> None:
    assert answers_the_kind(read(question), answer) is ok
