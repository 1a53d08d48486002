"""What kind of phrase a question asks for, and where such phrases sit in a sentence.

Cheap, rule-based spotting (no NER model is packaged): a person or organisation name
for "who", a date for "when", a number for "how many/much", a place for "where". The
patterns are in ``bot/language/patterns.py``, the word lists in ``bot/language/data``.
"""

from __future__ import annotations

import re

from bot.language.patterns import BEFORE_PLACE, DATE, GIVEN_NAME, NAME, NUMBER, before_surname
from bot.language.text import is_stopword
from bot.language.wordlists import word_list

# Capitalised, but never the start of a name ("However Putin" → "Putin").
_SENTENCE_START_WORDS = word_list("sentence_start_words")
# Words that may stand before a name without being part of it ("US President Donald Trump").
_TITLES = word_list("titles")

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
    """The kind of phrase ``question`` asks for (pass the question itself, not its context)."""
    for pattern, kind in QUESTION_TYPES:
        if pattern.search(question):
            return kind
    return None


def phrases(sentence: str, kind: str) -> list[tuple[int, int]]:
    """Spans of phrases of ``kind`` in ``sentence``."""
    if kind == "number":
        return [m.span() for m in NUMBER.finditer(sentence)]
    if kind == "date":
        return [m.span() for m in DATE.finditer(sentence)]
    spans = []
    for match in NAME.finditer(sentence):
        start, end = match.span()
        words = match.group().split()
        while words and words[0].lower() in _SENTENCE_START_WORDS:  # "However Putin" → "Putin"
            start += len(words[0]) + 1
            words = words[1:]
        if not words or all(is_stopword(w) for w in words):
            continue
        if kind == "place" and not BEFORE_PLACE.search(sentence[:start]):
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


def _given_name(token: str) -> bool:
    bare = token.strip(',;:()"“”')
    return (
        bare == token
        and GIVEN_NAME.fullmatch(bare) is not None
        and bare.lower() not in _TITLES
        and bare.lower() not in _SENTENCE_START_WORDS
        and not is_stopword(bare)
    )


def full_names(surname: str, texts: list[str]) -> list[tuple[str, int, int, int]]:
    """Longer forms of a one-word name in ``texts``: (name, text index, start, end), best first.

    News articles give a person's full name once and the surname after; an answer that
    found the surname should show the name the articles introduce ("Sam Bankman-Fried").
    Up to two capitalised given names directly before the surname count; titles do not.
    """
    found: list[tuple[str, int, int, int]] = []
    pattern = before_surname(surname)
    for i, text in enumerate(texts):
        for match in pattern.finditer(text):
            given = match.group(1).split()
            while given and not _given_name(given[0]):
                given = given[1:]
            if given and all(_given_name(g) for g in given):
                name = " ".join([*given, surname])
                start = match.end() - len(name)
                if text[start : match.end()] == name:  # single spaces only: offsets must be exact
                    found.append((name, i, start, match.end()))
    counts: dict[str, int] = {}
    for name, *_ in found:
        counts[name] = counts.get(name, 0) + 1
    return sorted(found, key=lambda f: (-counts[f[0]], -len(f[0])))
