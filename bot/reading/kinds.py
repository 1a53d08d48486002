"""What kind of phrase a question asks for, and where such phrases sit in a sentence.

A "who" question wants a person or organisation, "when" a date, "how many" a count,
"how old" an age. With the sentence notes made at index time (``index/nlp.py``) the
phrases are spaCy's entities of the matching labels; for sentences without notes (an index
built before them) rule-based spotting stands in (``bot/language/patterns.py``). Some kinds
are *strict*: a sentence without a phrase of that kind cannot answer ("how old is X" is not
answered by a sentence about X that gives no age), so none left means a refusal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.language.patterns import (
    AGE,
    BEFORE_PLACE,
    BIRTH,
    DATE,
    DURATION,
    GIVEN_NAME,
    MONEY,
    NAME,
    NUMBER,
    NUMBER_WORDS,
    OPENER,
    PLACE_CUE,
    SCORE,
    TIME,
    before_surname,
)
from bot.language.text import is_stopword
from bot.language.wordlists import word_list
from index.nlp import SentenceNotes

# Capitalised, but never the start of a name ("However Putin" → "Putin").
_SENTENCE_START_WORDS = word_list("sentence_start_words")
# Words that may stand before a name without being part of it ("US President Donald Trump").
_TITLES = word_list("titles")


class Kind(StrEnum):
    NAME = "name"
    DATE = "date"
    PLACE = "place"
    NUMBER = "number"  # an amount of any sort ("how much", "what number")
    COUNT = "count"  # "how many"
    MONEY = "money"  # "how much did it cost / make / pay"
    AGE = "age"
    TIME = "time"  # time of day
    DURATION = "duration"  # "how long"
    SCORE = "score"
    BIRTH = "birth"  # birthday, date of birth


class Spotting(StrEnum):
    """How phrases of a kind are found in a sentence that has notes (without: the pattern)."""

    ENTITIES = "entities"  # spaCy's entities of the kind's labels
    MATCHING = "matching"  # ...that also match the pattern ("three weeks" is a duration, "Monday" not)
    EITHER = "either"  # pattern matches, then entities elsewhere (spaCy misses "$69bn", "5pm")
    PATTERN = "pattern"  # no spaCy label for it (ages, scores): the pattern decides


@dataclass(frozen=True)
class KindRule:
    labels: frozenset[str]  # spaCy entity labels holding such a phrase
    pattern: re.Pattern[str] | None  # the phrase without notes (see ``Spotting`` with them)
    strict: bool  # no sentence holds such a phrase → refuse
    spotting: Spotting = Spotting.ENTITIES


_AMOUNT = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})
RULES: dict[Kind, KindRule] = {
    # Broad kinds are a preference, not a requirement: "who" is often answered by a
    # sentence whose name spaCy labels otherwise.
    # "Who": entities first, then capitalised names spaCy did not label (list lines such as
    # "Igor Kostyukov – Head of ..."). "When": exact dates first ("Thursday"), then spaCy's
    # vaguer ones ("late 2022"); its "over three years" is not what "which day" asks.
    Kind.NAME: KindRule(frozenset({"PERSON", "ORG"}), None, strict=False, spotting=Spotting.EITHER),
    # "When" wants a date: a sentence without one cannot answer it ("when is the Steam Deck 2
    # coming out" → no sentence with a date about it → a refusal). Measured strict vs not:
    # reader set unchanged, held-out reader set one answer better.
    Kind.DATE: KindRule(frozenset({"DATE", "TIME"}), DATE, strict=True, spotting=Spotting.EITHER),
    Kind.PLACE: KindRule(frozenset({"GPE", "LOC", "FAC"}), None, strict=False),
    Kind.NUMBER: KindRule(_AMOUNT, NUMBER, strict=False),
    # Narrow kinds: a sentence without such a phrase does not answer.
    # "How many" counts things: never a sum of money, a share or a ratio ("$69bn" is no head
    # count, "3.67 times more likely" no number of people); see ``_counts``.
    Kind.COUNT: KindRule(frozenset({"CARDINAL", "QUANTITY"}), NUMBER, strict=True),
    Kind.MONEY: KindRule(frozenset({"MONEY"}), MONEY, strict=True, spotting=Spotting.EITHER),
    Kind.AGE: KindRule(frozenset(), AGE, strict=True, spotting=Spotting.PATTERN),
    Kind.TIME: KindRule(frozenset({"TIME"}), TIME, strict=True, spotting=Spotting.EITHER),
    Kind.DURATION: KindRule(
        frozenset({"DATE", "TIME", "QUANTITY"}), DURATION, strict=True, spotting=Spotting.MATCHING
    ),
    Kind.SCORE: KindRule(frozenset(), SCORE, strict=True, spotting=Spotting.PATTERN),
    Kind.BIRTH: KindRule(frozenset(), BIRTH, strict=True, spotting=Spotting.PATTERN),
}

# "Which company / team / outlet ...": the answer is an organisation, not a person.
_ASKS_ORGANISATION = re.compile(
    r"\b(?:which|what)\s+(?:\w+\s+)?(?:company|companies|firm|team|club|organi[sz]ation|agency|outlet|"
    r"publication|network|brand|bank|group|party|country|government|platform|app|service|startup|business)\b",
    re.I,
)

# A place is where something happens: a preposition at most three words before it.

# First match wins: narrow kinds before the broad ones they refine.
QUESTION_TYPES: list[tuple[re.Pattern[str], Kind]] = [
    # Each narrow kind only where the words cannot mean something else: "age group", "how long
    # is the bridge", "what time of year", "credit score", "cost of living" are not these kinds.
    (
        re.compile(
            r"\bhow old\b|\bat what age\b|\bwhat age (?:is|was|are|were|did|does)\b|\bhow young\b", re.I
        ),
        Kind.AGE,
    ),
    (re.compile(r"\bbirthday\b|\bdate of birth\b|\bwhen (?:was|were) \w+(?: \w+)? born\b", re.I), Kind.BIRTH),
    (
        re.compile(
            r"\b(?:what|which) time\b(?!\s+of\s+(?:the\s+)?(?:year|season|month|life))|\bat what hour\b", re.I
        ),
        Kind.TIME,
    ),
    (
        re.compile(
            r"\bhow long\s+(?:did|does|do|will|would|has|have|had|can|could|should|until|till|ago|before|"
            r"after|since|is it|was it|are they|were they|will the|does the|did the|"
            r"is the (?:ban|wait|sentence|delay|suspension|trip|tour))\b",
            re.I,
        ),
        Kind.DURATION,
    ),
    (
        re.compile(
            r"\bfinal\s+score\b|\bwhat(?:'s|’s|s|\s+is|\s+was)\s+the\s+score\b|\bscore\s*[?.!]*\s*$", re.I
        ),
        Kind.SCORE,
    ),
    (
        re.compile(
            r"\bhow much\b.*\b(?:cost|costs|pay|paid|price|revenue|earn|earned|make(?!\s+of)|made|worth|"
            r"raise|raised|spend|spent|fine|fined|sell|sold|charge|value|salary|invest|invested|lose|lost|owe|"
            r"money|gross)\b"
            r"|\bwhat (?:\w+ )?(?:price|revenue|salary|fine)\b|\bhow much money\b"
            r"|\bwhat(?:'s|’s|s|\s+is|\s+was|\s+are|\s+were)\s+the\s+(?:\w+\s+)?(?:price|cost|fine|salary|fee|revenue)s?\b",
            re.I,
        ),
        Kind.MONEY,
    ),
    (re.compile(r"\bhow many\b", re.I), Kind.COUNT),
    (re.compile(r"\bhow much\b|\bwhat (?:percentage|number|amount)\b", re.I), Kind.NUMBER),
    # "When" opening the question, or asking ("since when", "when did"); not a clause inside
    # another question ("what happens when the talks fail", "how did he react when asked").
    (
        re.compile(
            rf"^\W*{OPENER}(?:since\s+|until\s+)?when(?:'s|’s|s)?\b"
            r"|\bwhen\s+(?:did|does|do|is|was|are|were|will|would|has|have|had|can|could)\b"
            r"|\b(?:what|which) (?:year|date|day|month)\b",
            re.I,
        ),
        Kind.DATE,
    ),
    (re.compile(r"\bwhere\b|\bwhich (?:city|country|place|region)\b", re.I), Kind.PLACE),
    (
        re.compile(r"\bwho(?:m|se)?\b|\bwhich (?:person|individual|company|team|organi[sz]ation)\b", re.I),
        Kind.NAME,
    ),
]


def question_type(question: str) -> Kind | None:
    """The kind of phrase ``question`` asks for (pass the question itself, not its context)."""
    for pattern, kind in QUESTION_TYPES:
        if pattern.search(question):
            return kind
    return None


def phrases(sentence: str, kind: Kind, notes: SentenceNotes | None = None) -> list[tuple[int, int]]:
    """Spans of phrases of ``kind`` in ``sentence`` (offsets in ``notes`` are the sentence's own);
    never one in the byline of an embedded post: its author, handle and date are not the story's."""
    bylines = [m.span() for m in EMBED_BYLINE.finditer(sentence)]
    found = [span for span in _phrases(sentence, kind, notes) if not _overlaps(span, bylines)]
    return [span for span in found if _counts(sentence, span)] if kind == Kind.COUNT else found


# The byline extraction leaves after an embedded post: "pic.twitter.com/x — MLB (@MLB) October 3,
# 2023". MultiHop-RAG's corpus has 354 of them in 70 articles; answers took "MLB" for who won
# the World Series and a post's date for when a coach starts (eval/regressions.csv).
EMBED_BYLINE = re.compile(
    r"(?:pic\.twitter\.com/\S+\s*)?[—–-]\s*[^—–()\n]{1,120}\(@\w{1,15}\)\s+[A-Z][a-z]+\.? \d{1,2}, \d{4}"
)


# Around a number, what makes it a sum, a share or a ratio rather than a count of things.
_CURRENCY_BEFORE = re.compile(r"[$€£¥]\s?$")
_SUM_OR_SHARE = re.compile(r"[$€£¥%]|\bper\s*cent\b", re.I)  # inside the phrase itself
# "3.67 times more likely" is a ratio; "arrested 16 times" is a count.
_RATIO_AFTER = re.compile(
    r"\s*(?:%|percent\b|per\s+cent\b|-?fold\b|times\s+(?:more|less|as|higher|lower|bigger|greater|larger|"
    r"smaller|faster|slower|the)\b)",
    re.I,
)


def _counts(sentence: str, span: tuple[int, int]) -> bool:
    start, end = span
    text = sentence[start:end]
    if _SUM_OR_SHARE.search(text):
        return False
    return not _CURRENCY_BEFORE.search(sentence[:start]) and not _RATIO_AFTER.match(sentence[end:])


def _phrases(sentence: str, kind: Kind, notes: SentenceNotes | None) -> list[tuple[int, int]]:
    rule = RULES[kind]
    matches = (
        [m.span() for m in rule.pattern.finditer(sentence)] if rule.pattern else _name_spans(sentence, kind)
    )
    if notes is None or rule.spotting is Spotting.PATTERN:
        return matches
    entities = [(e.start, e.end) for e in notes.entities if e.label in rule.labels]
    if kind == Kind.PLACE:  # "talks in Istanbul", "in a Seattle court"; not "both Ukraine and Russia"
        entities = [(s, e) for s, e in entities if PLACE_CUE.search(sentence[max(0, s - 40) : s])]
    if rule.spotting is Spotting.MATCHING and rule.pattern is not None:
        return [(s, e) for s, e in entities if rule.pattern.search(sentence[s:e])]
    if rule.spotting is Spotting.EITHER:
        if kind == Kind.NAME:  # entities are the better names: "Andrii Sybiha", not his title with it
            return entities + [m for m in matches if not _overlaps(m, entities)]
        return matches + [e for e in entities if not _overlaps(e, matches)]
    return entities


def _overlaps(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in others)


def _name_spans(sentence: str, kind: Kind) -> list[tuple[int, int]]:
    spans = []
    for match in NAME.finditer(sentence):
        start, end = match.span()
        words = match.group().split()
        while words and words[0].lower() in _SENTENCE_START_WORDS:  # "However Putin" → "Putin"
            start += len(words[0]) + 1
            words = words[1:]
        if not words or all(is_stopword(w) for w in words):
            continue
        if kind == Kind.PLACE and not BEFORE_PLACE.search(sentence[:start]):
            continue
        spans.append((start, end))
    return spans


def answer_phrase(
    sentence: str, kind: Kind | None, question: str, notes: SentenceNotes | None = None
) -> tuple[int, int] | None:
    """The phrase of the asked kind that the question does not already contain, if any."""
    if kind is None:
        return None
    asked = question.lower()
    candidates = [(s, e) for s, e in phrases(sentence, kind, notes) if sentence[s:e].lower() not in asked]
    if kind == Kind.NAME:
        # A person before an organisation unless an organisation is asked for ("which M.L.B.
        # superstar" → "Ohtani", not "MLB"), then multi-word names ("Vladimir Medinsky" over
        # "Kremlin"). MultiHop-RAG dev: entities in sentence order lost "Shohei Ohtani" to "MLB".
        wanted = "ORG" if _ASKS_ORGANISATION.search(question) else "PERSON"
        labels = {(e.start, e.end): e.label for e in notes.entities} if notes is not None else {}
        candidates.sort(
            key=lambda span: (labels.get(span) != wanted, -len(sentence[span[0] : span[1]].split()))
        )
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


# A question asking for a given number of things: "which four regions", "top 3". The
# sentence naming that many answers it; one that only mentions "the four regions" does not.
_COUNTED = re.compile(
    r"\b(?:which|what|top|name|list)\s+(?:the\s+)?(?:top\s+)?"
    rf"(?P<n>{'|'.join(NUMBER_WORDS)}|\d{{1,2}})\s+\w+",
    re.IGNORECASE,
)
# Entities that can be items of a list answer (not dates or amounts).
LIST_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
)


def asked_count(question: str) -> int:
    """How many things the question asks for by number ("which four regions" → 4); 0 if none."""
    match = _COUNTED.search(question)
    if match is None:
        return 0
    n = match.group("n").lower()
    return NUMBER_WORDS.get(n) or int(n)


def list_items(sentence: str, notes: SentenceNotes | None) -> int:
    """How many things ``sentence`` names: its distinct entities, or its comma-separated parts."""
    if notes is not None:
        return len({sentence[e.start : e.end] for e in notes.entities if e.label in LIST_LABELS})
    return sentence.count(",") + 1 if " and " in sentence else 1
