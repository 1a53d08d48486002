"""The scorer list: every question form has a scorer and an LLM guidance line; scores sum in order."""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

import pytest

from bot.answerers.guidance import NO_GUIDANCE, guidance
from bot.answerers.scoring import (
    KIND_GUIDANCE,
    SCORERS,
    Candidate,
    ExtractiveConfig,
    Scored,
    applying,
    score_sentences,
)
from bot.reading.kinds import Kind
from bot.reading.reading import Reading, read
from bot.reading.speakers import Actor

BLANK = read("tell me about the bridge")
# Fields of a Reading that are not a question form the scorers answer, and where they act instead.
NOT_FORMS = {
    "intent": "routing: bot/answerers/routing.py",
    "kind": "a form per Kind: tested below",
    "what_happened": "the page's summary when no sentence answers (ExtractiveAnswerer._broad_summary)",
    "present": "the 'as of' note (bot/chatbot.py)",
    "across": "a verdict on several reports (bot/answerers/across.py), not a sentence's score",
    "elsewhere": "other reports of the page's story (bot/answerers/across.py answer_elsewhere)",
}
FORMS: dict[str, Any] = {
    "yes_no": True,
    "actor": Actor(frozenset({"kremlin"})),
    "who_said": True,
    "count": 4,
    "lists": True,
    "cause": True,
    "future": True,
}


def test_the_blank_reading_asks_for_no_form() -> None:
    assert applying(BLANK) == [s for s in SCORERS if s.name in {"words", "rank"}]
    assert guidance(BLANK) == NO_GUIDANCE


def test_every_field_of_a_reading_is_a_form_or_said_where_it_acts() -> None:
    names = {f.name for f in fields(Reading)}
    assert names == set(NOT_FORMS) | set(FORMS), "a new Reading field needs a scorer (FORMS) or a reason"


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_has_a_scorer_and_a_guidance_line(form: str) -> None:
    reading = replace(BLANK, **{form: FORMS[form]})
    added = [s for s in applying(reading) if s not in applying(BLANK)]
    assert added, f"no scorer applies to {form}"
    assert all(s.guidance is not None and s.guidance(reading) for s in added)
    assert guidance(reading) != NO_GUIDANCE


@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_has_a_scorer_and_a_guidance_line(kind: Kind) -> None:
    reading = replace(BLANK, kind=kind)
    assert any(s.name == "kind" for s in applying(reading))
    assert KIND_GUIDANCE[kind] in guidance(reading)


def test_the_strict_kind_scorer_comes_last() -> None:
    # Nothing another scorer adds may lift a sentence without the asked phrase.
    assert SCORERS[-1].name == "strict kind"
    assert [s.name for s in applying(read("how old is medinsky"))][-1] == "strict kind"


def _cands(*texts: str) -> list[Candidate]:
    found, at = [], 0
    for text in texts:
        found.append(Candidate(0, at, at + len(text), text))
        at += len(text) + 1
    return found


def _score(question: str, texts: list[str], config: ExtractiveConfig | None = None) -> list[Candidate]:
    cands = _cands(*texts)
    scored = Scored(read(question), question, None, config or ExtractiveConfig())
    score_sentences(scored, cands, lambda _t: 1.0)
    return cands


def test_a_sentence_right_after_a_match_inherits_part_of_it() -> None:
    texts = ["Holloway explained how the bridge was paid for.", "Most of it came from the regional fund."]
    carried = _score("how was the bridge paid for", texts, ExtractiveConfig(carry_over=0.5))
    plain = _score("how was the bridge paid for", texts, ExtractiveConfig(carry_over=0.0))
    assert carried[1].score > plain[1].score and carried[0].score == plain[0].score


def test_a_why_question_adds_the_form_weight_to_a_sentence_stating_a_cause() -> None:
    texts = ["The ferry stopped on Monday.", "It stopped because the crews went on strike."]
    scored = _score("why did the ferry stop", texts)
    unscored = _score("why did the ferry stop", texts, ExtractiveConfig(w_form=0.0))
    assert scored[0].score == unscored[0].score
    assert scored[1].score == pytest.approx(unscored[1].score + ExtractiveConfig().w_form)


@pytest.mark.parametrize(
    ("question", "cue"),
    [
        ("why were the lights so far south", "The displays were triggered by a strong geomagnetic storm."),
        ("what happens next", "The vote will be held on Monday."),
        # Both forms: scored as a why (the cause), never twice.
        ("why does it matter what happens next", "The vote was called because the mayor resigned."),
    ],
)
def test_the_form_cue_follows_the_question_form(question: str, cue: str) -> None:
    plain = "The lights were seen over the town on Friday night."
    scored = _score(question, [plain, cue])
    unscored = _score(question, [plain, cue], ExtractiveConfig(w_form=0.0))
    assert scored[1].score == pytest.approx(unscored[1].score + ExtractiveConfig().w_form)
    assert _score("where were the lights seen", [plain, cue])[1].score == (
        _score("where were the lights seen", [plain, cue], ExtractiveConfig(w_form=0.0))[1].score
    )


def test_every_scorer_names_the_config_weights_it_uses() -> None:
    weights = {f.name for f in fields(ExtractiveConfig)}
    for scorer in SCORERS:
        named = {w.strip() for w in scorer.weight.split(",") if w.strip()}
        assert named <= weights, f"{scorer.name}: {named - weights}"


def test_the_scorers_order() -> None:
    # Scores are summed in this order (floating point: another order can change an answer) and
    # the LLM's guidance lines are written in it: a change here is a change of answers.
    assert [s.name for s in SCORERS] == [
        "words",
        "kind",
        "rank",
        "yes/no",
        "actor",
        "who said",
        "cause",
        "future",
        "list",
        "count",
        "strict kind",
    ]


def test_a_strict_kind_without_its_phrase_can_never_be_chosen() -> None:
    scored = _score(
        "how old is holloway", ["Holloway leads the council.", "Holloway, 54, leads the council."]
    )
    assert scored[0].score == float("-inf") and scored[1].score > 0
