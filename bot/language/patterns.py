"""The one home of the regular expressions for names, months, dates and numbers.

Cheap, rule-based spotting (no NER model is packaged). Where two callers need different
rules, both live here side by side, named for what they match, with how they differ. Word
lists used inside a pattern are data (``bot/language/data``); month names map to numbers here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from bot.language.wordlists import phrase_pattern, word_list

# ---- Names -------------------------------------------------------------------------------

# A character of a name word: "Bankman-Fried", "O’Brien", "McDonald's".
_NAME_CHAR = r"[\w’'\-]"
# A capitalised word with a lowercase letter in it: "Putin", "McDonald's" (not "NATO", "US").
_CAPITALISED_WORD = rf"[A-Z]{_NAME_CHAR}*[a-z]{_NAME_CHAR}*"
_NAME_TOKEN = rf"(?:{_CAPITALISED_WORD}|[A-Z]\.(?:[A-Z]\.)*)"  # ...or initials: "J.", "U.S."
_PARTICLES = "|".join(re.escape(p) for p in sorted(word_list("name_particles")))

# A person or organisation name in an article sentence: capitalised words or initials, with
# a lowercase particle between two of them ("Mohammed bin Salman"; one particle only: "Ursula
# von der Leyen" gives "Ursula" and "Leyen"). One word is enough ("Kremlin").
NAME = re.compile(rf"{_NAME_TOKEN}(?:\s+(?:(?:{_PARTICLES})\s+)?{_NAME_TOKEN})*")
# What an earlier answer was about (bot/conversation.py): two or more capitalised words in a
# row. Unlike NAME it needs two words, takes all-capital words ("US President") and no particles
# or initials: one-word names are found separately, after the sentence's first word.
CAPITALISED_RUN = re.compile(rf"\b[A-Z]{_NAME_CHAR}+(?:\s+[A-Z]{_NAME_CHAR}+)+")
# A run of name characters: the words of a sentence that may be one-word names once capitalised.
NAME_WORD = re.compile(rf"{_NAME_CHAR}+")
# A given name before a surname ("Sam", "J."), matched whole (``fullmatch``). Stricter than a
# word of NAME: the second letter must be lowercase and apostrophes are not allowed.
GIVEN_NAME = re.compile(r"[A-Z][a-z][\w\-]*|[A-Z]\.")
# Text ending in one of these words right before a name: the name is a place ("talks in Istanbul").
BEFORE_PLACE = re.compile(r"\b(?:in|at|from|to|near)\s+$")
# The same cue for a place entity spaCy found (bot/reading/kinds.py): looser than
# BEFORE_PLACE, which must decide alone whether a capitalised word is a place at all — more
# prepositions, and up to three words between ("in a Seattle court", "in the city of Antalya").
PLACE_CUE = re.compile(r"\b(?:in|at|near|from|to|of|across|outside|inside)\s+(?:\S+\s+){0,3}$", re.I)


def before_surname(surname: str) -> re.Pattern[str]:
    """``surname`` as a whole name word, with the one or two words before it as group 1."""
    return re.compile(rf"(?<!{_NAME_CHAR})((?:\S+\s+){{1,2}}){re.escape(surname)}(?!{_NAME_CHAR})")


# Names and numbers a claim must share with the passage it cites (bot/drafting/citations.py),
# one word at a time: a capitalised word as in NAME (no initials), or a number ("1,200", "3.5").
SPECIFIC = re.compile(rf"\b{_CAPITALISED_WORD}|\b\d[\d,.]*\d|\b\d")

# One conversational word before a question ("so why…", "but who said…", "ok, is it…", "so... when"),
# with the punctuation after it: every rule that reads a question's first words (bot/reading)
# looks past it the same way.
_OPENERS = "|".join(sorted(word_list("openers"), key=len, reverse=True))
OPENER = rf"(?:(?:{_OPENERS})\b\W*)?"

# ---- Months and dates --------------------------------------------------------------------

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# Month name or abbreviation → 1..12: full names, three-letter abbreviations and "sept".
MONTHS: Mapping[str, int] = (
    {name: number for number, name in enumerate(_MONTH_NAMES, start=1)}
    | {name[:3]: number for number, name in enumerate(_MONTH_NAMES, start=1)}
    | {"sept": 9}
)


def month_number(name: str) -> int:
    """1..12 for a month name or abbreviation in any case ("Sept.", "october"); 0 if none."""
    word = name.lower().rstrip(".")
    return MONTHS.get(word[:4] if word.startswith("sept") else word[:3], 0)


# A month in an article sentence: case-sensitive, so "May" and "March" count but "may" and
# "march" (a verb, a walk) do not. No group: the phrase is shown, not parsed.
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
# A month in a question, to read its number: lowercase and used with re.I (questions come in
# any case), and a capture group. Its "sept?(?:ember)?" also takes "Sepember", _MONTH's does not.
_MONTH_GROUP = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)

# A date phrase answering "when" in an article sentence, exact or vague: "Oct. 4, 2023",
# "4 October", "early March", "Monday", "the 1990s", "last week", "yesterday".
DATE = re.compile(
    rf"\b(?:{_MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?|"
    rf"{_MONTH}\s+\d{{4}}|(?:early|late|mid-?)\s*{_MONTH}|{_MONTH}|"
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|(?:19|20)\d{2}s?|"
    r"(?:last|next|this)\s+(?:week|month|year)|yesterday|today|tomorrow)\b"
)
# Dates in a question whose parts can be read out, each with the order of its groups: d(ay),
# m(onth), y(ear). Only dates with a year; tried in this order (a full date before its month).
DATE_PARTS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (
        re.compile(rf"\b{_MONTH_GROUP}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.I),
        ("m", "d", "y"),
    ),
    (
        re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_GROUP}\.?,?\s+(\d{{4}})\b", re.I),
        ("d", "m", "y"),
    ),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "m", "d")),
    (re.compile(rf"\b{_MONTH_GROUP}\.?\s+(?:of\s+)?(\d{{4}})\b", re.I), ("m", "y")),
)

# ---- Numbers -----------------------------------------------------------------------------

# An amount answering "how many/much": digits with currency, unit or scale ("$3.5 billion",
# "12%", "1,200"), or a number word ("three", "dozens"). Any case.
NUMBER = re.compile(
    r"(?:[$€£]\s?)?\b\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent|per cent|million|billion|trillion|thousand))?"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?)\b",
    re.IGNORECASE,
)

# Narrower amounts, for questions that ask exactly for one (bot/reading/kinds.py).
# Without sentence notes they find the phrase; with notes, DURATION and MONEY also check that
# the entity spaCy found is one ("three weeks" is a duration, "Monday" is not).
MONEY = re.compile(
    r"(?:[$€£]\s?\d[\d,]{0,24}+(?:\.\d+)?|\b(?:usd|eur|gbp)\s?\d[\d,]{0,24}+(?:\.\d+)?"
    r"|\b\d[\d,]{0,24}+(?:\.\d+)?(?:\s?(?:million|billion|trillion|thousand|[mbk]n?))?\s?(?:dollars|euros|pounds|usd|eur|gbp)\b)"
    r"(?:\s?(?:million|billion|trillion|thousand|[mbk]n?)\b)?",
    re.IGNORECASE,
)
DURATION = re.compile(
    r"\b(?:\d[\d,.]{0,24}+|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|few|"
    r"fifteen|twenty|thirty|dozens? of|hundreds? of)(?:[\s-]+\w+)?[\s-]+"
    r"(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centur(?:y|ies))\b",
    re.IGNORECASE,
)
# An age: "78-year-old", "aged 78", "at the age of 78", "78 years old", "Swift, 33,".
AGE = re.compile(
    r"\b\d{1,3}-year-old\b|\baged?\s+\d{1,3}\b|\bage\s+of\s+\d{1,3}\b|\b\d{1,3}\s+years?\s+(?:old|of\s+age)\b|(?<=[A-Za-z],\s)\d{1,3}(?=,)"
)
TIME = re.compile(
    r"\b\d{1,2}(?::\d{2})?\s?(?:a\.m\.|p\.m\.|am\b|pm\b)|\b(?:[01]?\d|2[0-3]):[0-5]\d\b|\b(?:noon|midnight)\b",
    re.IGNORECASE,
)
SCORE = re.compile(r"(?<![-–\d])\b\d{1,3}\s?[-–]\s?\d{1,3}\b(?![-–]\d)")  # "20-17", "12–11", not "2023-11-27"
BIRTH = re.compile(r"\bborn\s+(?:on\s+|in\s+)?[^,.;]{3,40}", re.IGNORECASE)

# Small counts written as words, for "which four regions" (bot/reading/kinds.py).
NUMBER_WORDS: Mapping[str, int] = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}

# ---- Answer markup -------------------------------------------------------------------------

# A citation marker as the bot writes it: "[1]". Rendering and eval read exactly these.
CITATION = re.compile(r"\[\d+\]")
# The markers after a sentence of an earlier answer, with the space before: " [1]", " [1, 2]".
CITATION_RUN = re.compile(r"\s*\[\d+(?:\s*,\s*\d+)*\]")
# Markers as an LLM writes them, read leniently: "[1][2]", "[1; 3]", "[ 2 ]".
_LLM_CITATION = r"\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\]"
LLM_CITATIONS = re.compile(rf"\s*((?:{_LLM_CITATION})+)")  # group 1: the run of markers
LEADING_LLM_CITATIONS = re.compile(rf"^(?:\s*{_LLM_CITATION})+")  # markers opening a sentence
# An answer phrase in bold, group 1 its text: "**Vladimir Medinsky**".
BOLD = re.compile(r"\*\*(.+?)\*\*")
# The only live markup in an answer's text (everything else is escaped): bold phrases and [n].
MARKUP = re.compile(rf"(\*\*.+?\*\*|{CITATION.pattern})", re.DOTALL)


def timestamp(published_at: object) -> float | None:
    """Seconds since the epoch of an ISO date (``Z`` accepted); None when absent or unreadable."""
    text = str(published_at or "")
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def display_date(published_at: str) -> str:
    """ "2023-11-27T08:45:59Z" → "November 27, 2023"; anything unreadable as it is."""
    try:
        when = datetime.fromisoformat(published_at.replace("Z", "+00:00")[:25])
    except ValueError:
        return published_at
    return f"{when:%B} {when.day}, {when.year}"


_PRESENT = phrase_pattern("present_time_phrases")
# "so far south", "still further": distance and degree, not time (found on the reader set).
_NOT_TIME = re.compile(
    r"\b(?:so\s+far|still)\s+(?:north|south|east|west|away|ahead|behind|off|out|from|apart|beyond|"
    r"down|up|as|more|less|further|higher|lower|better|worse)\b",
    re.IGNORECASE,
)


def about_the_present(question: str) -> bool:
    """Whether a question asks how things stand now ("who is the coach now?", "the latest on…");
    one that names a date ("the newest plan from March 2021") asks about that date."""
    if any(pattern.search(question) for pattern, _ in DATE_PARTS):
        return False
    return _PRESENT.search(_NOT_TIME.sub(" ", question)) is not None
