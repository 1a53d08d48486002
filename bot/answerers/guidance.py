"""What the question's form asks of an LLM's answer: a line for the prompt, a check after.

The extractive answerer reads the question's kind ("how old" wants an age), whether it is a
yes/no question and whose words it asks for (bot/answerers/answer_types.py, yes_no.py,
speakers.py). An LLM is told the same in the prompt's "Answer form" line, and an answer to a
strict kind that holds no phrase of that kind ("how old is X" → "X is a former minister [1]")
is not accepted: the extractive answer, which refuses when no sentence has one, replaces it.
"""

from __future__ import annotations

from bot.answerers.answer_types import RULES, Kind, phrases, question_type
from bot.answerers.forms import asks_next, asks_why
from bot.answerers.speakers import asked_actor
from bot.answerers.yes_no import is_yes_no

_UNLESS = "if no passage gives one, reply exactly NOT_IN_ARTICLES"
_KINDS: dict[Kind, str] = {
    Kind.NAME: "It asks who: name the person or organisation the passages give.",
    Kind.DATE: "It asks when: give the date or time the passages give.",
    Kind.PLACE: "It asks where: name the place the passages give.",
    Kind.NUMBER: "It asks for an amount: give the figure the passages give, with its unit.",
    Kind.COUNT: f"It asks how many: give the number the passages give; {_UNLESS}.",
    Kind.MONEY: f"It asks for an amount of money: give the sum the passages give; {_UNLESS}.",
    Kind.AGE: f"It asks for an age: give the age the passages give for that person; {_UNLESS}.",
    Kind.TIME: f"It asks for a time of day: give the time the passages give; {_UNLESS}.",
    Kind.DURATION: f"It asks how long: give the length of time the passages give; {_UNLESS}.",
    Kind.SCORE: f"It asks for a score: give the score the passages give; {_UNLESS}.",
    Kind.BIRTH: f"It asks for a date of birth: give the one the passages give; {_UNLESS}.",
}
NO_GUIDANCE = "(none)"


def guidance(question: str) -> str:
    """The prompt's "Answer form" lines for ``question`` (the reader's own words)."""
    lines = []
    kind = question_type(question)
    if kind is not None:
        lines.append(_KINDS[kind])
    if is_yes_no(question):
        lines.append(
            "It is a yes/no question: begin with Yes or No only if a passage states the answer "
            "directly; otherwise say what the passages say, without concluding."
        )
    actor = asked_actor(question)
    if actor is not None and actor.asks_words:
        lines.append(
            "It asks for someone's own words or reaction: report only what they said or did, "
            "attributed to them, never words of somebody else."
        )
    elif actor is not None:
        lines.append("It asks what someone wants or plans: give what the passages say they want or plan.")
    if asks_why(question):
        lines.append("It asks why: give the reason or cause a passage states, not the event itself.")
    if asks_next(question):
        lines.append(
            "It asks what happens next: give only what a passage says will or may happen, "
            "keeping its hedging (may, would, expected to)."
        )
    return "\n".join(lines) or NO_GUIDANCE


def answers_the_kind(question: str, answer: str) -> bool:
    """False when ``question`` asks for a strict kind and ``answer`` holds no phrase of it."""
    kind = question_type(question)
    if kind is None or not RULES[kind].strict:
        return True
    return bool(phrases(answer, kind))
