"""What kind of phrase a question asks for, and where such phrases sit in a sentence.

Cheap, rule-based spotting (no NER model is packaged): a person or organisation name
for "who", a date for "when", a number for "how many/much", a place for "where".
"""

from __future__ import annotations

import re

from bot.conversation import CONTEXT_MARK
from bot.text import is_stopword

_NAME_TOKEN = r"(?:[A-Z][\w’'\-]*[a-z][\w’'\-]*|[A-Z]\.(?:[A-Z]\.)*)"
_NAME = re.compile(rf"{_NAME_TOKEN}(?:\s+(?:(?:de|da|van|von|der|bin|al|la|le)\s+)?{_NAME_TOKEN})*")
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE = re.compile(
    rf"\b(?:{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?|"
    rf"{_MONTH}\s+\d{{4}}|(?:early|late|mid-?)\s*{_MONTH}|{_MONTH}|"
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|(?:19|20)\d{2}s?|"
    r"(?:last|next|this)\s+(?:week|month|year)|yesterday|today|tomorrow)\b"
)
_NUMBER = re.compile(
    r"(?:[$€£]\s?)?\b\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent|per cent|million|billion|trillion|thousand))?"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?)\b",
    re.IGNORECASE,
)
_SENTENCE_START_WORDS = {
    "however",
    "but",
    "and",
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "it",
    "this",
    "that",
    "these",
    "those",
    "meanwhile",
    "despite",
    "while",
    "after",
    "before",
}

QUESTION_TYPES = [
    (re.compile(r"\bhow (?:many|much)\b|\bwhat (?:percentage|number|amount)\b", re.I), "number"),
    (re.compile(r"\bwhen\b|\b(?:what|which) (?:year|date|day|month|time)\b", re.I), "date"),
    (re.compile(r"\bwhere\b|\bwhich (?:city|country|place|region)\b", re.I), "place"),
    (
        re.compile(r"\bwho(?:m|se)?\b|\bwhich (?:person|individual|company|team|organi[sz]ation)\b", re.I),
        "name",
    ),
]


def question_type(question: str) -> str | None:
    question = question.split(CONTEXT_MARK, maxsplit=1)[0]  # context added to a follow-up is not the ask
    for pattern, kind in QUESTION_TYPES:
        if pattern.search(question):
            return kind
    return None


def phrases(sentence: str, kind: str) -> list[tuple[int, int]]:
    """Spans of phrases of ``kind`` in ``sentence``."""
    if kind == "number":
        return [m.span() for m in _NUMBER.finditer(sentence)]
    if kind == "date":
        return [m.span() for m in _DATE.finditer(sentence)]
    spans = []
    for match in _NAME.finditer(sentence):
        start, end = match.span()
        words = match.group().split()
        while words and words[0].lower() in _SENTENCE_START_WORDS:  # "However Putin" → "Putin"
            start += len(words[0]) + 1
            words = words[1:]
        if not words or all(is_stopword(w) for w in words):
            continue
        if kind == "place" and not re.search(r"\b(?:in|at|from|to|near)\s+$", sentence[:start]):
            continue
        spans.append((start, end))
    return spans


def answer_phrase(sentence: str, kind: str | None, question: str) -> tuple[int, int] | None:
    """The phrase of the asked kind that the question does not already contain, if any."""
    if kind is None:
        return None
    asked = question.lower()
    candidates = [(s, e) for s, e in phrases(sentence, kind) if sentence[s:e].lower() not in asked]
    if kind == "name":  # prefer multi-word names ("Vladimir Medinsky" over "Kremlin")
        candidates.sort(key=lambda span: -len(sentence[span[0] : span[1]].split()))
    return candidates[0] if candidates else None
