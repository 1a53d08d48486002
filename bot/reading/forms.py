"""Why and what-next questions, and the sentences that carry a cause or what comes next.

"Why did X happen" is answered by the sentence that states the cause ("because", "due to",
"triggered by"), not the one that restates the event; "what's next" / "what happens if" by
the one that says what will or may happen ("will", "expected to", "warned"). The cue phrases
are word lists (``bot/language/data/cause_phrases.txt``, ``future_phrases.txt``); the extractive
answerer's "cause" and "future" scorers prefer sentences holding one, and the LLM prompt asks
for the same (both in ``bot/answerers/scoring.py``).
"""

from __future__ import annotations

import re

from bot.language.patterns import OPENER
from bot.language.wordlists import phrase_pattern, word_list

_WHY = re.compile(
    rf"^\s*{OPENER}(?:why|how\s+come)\b|\bwhat(?:'s|’s|s|\s+is|\s+was|\s+were)\s+the\s+"
    r"(?:reasons?|cause)\b|\bwhat\s+(?:caused|led\s+to|made)\b|\bfor\s+what\s+reason\b",
    re.I,
)
_NEXT = re.compile(
    r"\bwhat(?:'s|’s|s|\s+is|\s+will)?\s+(?:happens?|comes?)?\s*next\b|\bwhat\s+happens\s+(?:if|now|when)\b"
    r"|\bwhat\s+(?:will|would|could)\s+happen\b|\bnext\s+steps?\b|\bwhat\s+now\b"
    r"|\bwhat\s+does\s+(?:this|that|it)\s+mean\s+for\b",
    re.I,
)


# "Which games…", "what principles…", "who else…", "who are the…", "list the…": several things.
# The plural noun is captured and checked: "this", "news", "odds", "Boris" end in "s" too.
_LIST = re.compile(
    rf"^\s*{OPENER}(?:which|what)\s+(?:\w+\s+)?(?P<plural>\w{{3,}}s)\s+"
    r"(?:are|were|did|do|does|has|have|will|would|is)\b"
    r"|\bwhat\s+(?:are|were)\s+the\s+(?:\w+\s+){0,2}(?P<things>\w{3,}s)\b",
    re.I,
)
_LIST_PHRASE = re.compile(
    rf"\bwho\s+else\b|\bwho\s+(?:are|were)\s+the\b|^\s*{OPENER}(?:list|name)\s+(?:the|all|some)\b", re.I
)


def asks_list(question: str) -> bool:
    """The question asks for several things ("which games does Microsoft get")."""
    if _LIST_PHRASE.search(question):
        return True
    match = _LIST.search(question)
    if match is None:
        return False
    noun = (match.group("plural") or match.group("things")).lower()
    return not noun.endswith(("ss", "us", "is")) and noun not in word_list("not_plurals")


def asks_why(question: str) -> bool:
    return _WHY.search(question) is not None


def asks_next(question: str) -> bool:
    return _NEXT.search(question) is not None


def states_cause(sentence: str) -> bool:
    """The sentence gives a reason or cause ("because", "due to", "triggered by", "after")."""
    return phrase_pattern("cause_phrases").search(sentence) is not None


def states_future(sentence: str) -> bool:
    """The sentence says what will or may happen ("will", "expected to", "warned", "next")."""
    return phrase_pattern("future_phrases").search(sentence) is not None
