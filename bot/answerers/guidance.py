"""What the question's form asks of an LLM's answer: a line for the prompt, a check after.

The lines come from the scorers that apply to the question (``bot/answerers/scoring.py``), in
their order: an LLM is asked for what the extractive answerer prefers, from one list. An answer
to a strict kind that holds no phrase of that kind ("how old is X" → "X is a former minister
[1]") is not accepted: the extractive answer, which refuses when no sentence has one, replaces it.
"""

from __future__ import annotations

from bot.answerers.scoring import applying
from bot.reading.kinds import phrases
from bot.reading.reading import Reading

NO_GUIDANCE = "(none)"


def guidance(reading: Reading) -> str:
    """The prompt's "Answer form" lines for a question read as ``reading``."""
    lines = [s.guidance(reading) for s in applying(reading) if s.guidance is not None]
    return "\n".join(line for line in lines if line) or NO_GUIDANCE


def answers_the_kind(reading: Reading, answer: str) -> bool:
    """False when the question asks for a strict kind and ``answer`` holds no phrase of it."""
    if reading.kind is None or not reading.strict:
        return True
    return bool(phrases(answer, reading.kind))
