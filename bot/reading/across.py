"""Questions about several reports at once: do they agree, has the story changed, which came first.

"Does the Fortune article suggest X, while the TechCrunch article alleges Y?", "Between the
TechCrunch report of October 31 and The Verge's, was the portrayal of Google consistent?", "Did
The Guardian report it before The Independent?" ask for a verdict on reports taken together,
not for the one sentence that best matches their words. ``read_across`` says which relation
such a question asks about and which words it asks of every report; which reports it names is
found where the index's outlets are known (``bot/answerers/across.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from bot.language.patterns import OPENER
from bot.language.text import terms, words
from bot.language.wordlists import phrase_pattern, word_list
from bot.reading.yes_no import is_yes_no


class Relation(StrEnum):
    BOTH = "both"  # every claim holds: "does A suggest X, while B suggests Y"
    SAME = "same"  # the reports agree: "consistent", "agree", "align"
    DIFFERENT = "different"  # they disagree: "inconsistent", "contradict", "differ"
    CHANGED = "changed"  # the story changed from one report to the next
    ORDER = "order"  # one report came before the other: "did A report X before B reported Y"


@dataclass(frozen=True)
class Across:
    """What a question about several reports asks."""

    relation: Relation
    # The words asked of every report ("the portrayal of Google's practices"): the clause that
    # asks, after the reports are named ("Between A and B, was there consistency in …?"); "" when
    # the question asks it of each report in its own words.
    topic: str
    # Where ``topic`` begins in the question (its length when there is none): the reports are
    # named before it.
    topic_at: int
    # "consistent or inconsistent?": the verdict is one of these words, not "Yes" or "No";
    # (the word for agreeing reports, the word for disagreeing ones).
    choice: tuple[str, str] | None = None
    before: bool = True  # Relation.ORDER: asked whether the first came before (else after)


_AUX = r"(?:is|are|was|were|do|does|did|has|have|had|will|would|can|could)"
# The clause that asks, after the reports are named: "Between A and B, *was there consistency…*".
_ASKED_CLAUSE = re.compile(rf",\s+(?:(?:and|so|then)\s+)?{_AUX}\b", re.IGNORECASE)
# A question asking for a thing, not a verdict: "Which company, according to TechCrunch and The
# Age, has…", "Considering A and B, which model…".
# A relative "which discussed", "who think" (a word ending like a verb after it) is part of a claim.
_ASKS_FOR = re.compile(
    rf"^\s*{OPENER}(?:which|what|who|whom|whose|where|when|how)\b|,\s*(?:which|what)\s+(?!\w+(?:ed|s)\b)",
    re.IGNORECASE,
)
# The verb of a report's claim: "Does A *suggest* that…", "did B *report* a win".
_CLAIM_VERB = re.compile(
    r"\b(?:suggest|suggests|suggested|indicate|indicates|imply|implies|allege|alleges|mention|mentions|"
    r"describe|describes|attribute|attributes|discuss|discusses|highlight|highlights|portray|portrays|"
    # Nouns too ("reports by The Age"): verbs only before "that".
    r"(?:claim|claims|report|reports|reported|state|states)\s+that)\b",
    re.IGNORECASE,
)
# Words joining two claims into one question ("A suggests X, while B says Y").
_JOINED = re.compile(r"\b(?:while|whereas|as\s+does|as\s+did|compared\s+to|compared\s+with|both)\b", re.I)
# "before The Independent mentioned", "after 'The Guardian' article": an order between reports —
# a report named right after the word —, not a date ("before October 22, 2023" says which report
# is meant) nor an event ("after a loss to Bayern").
_ORDER = re.compile(
    r"\b(before|after|prior\s+to|earlier\s+than|later\s+than)\s+(?:the\s+)?(?:['‘\"“]|[A-Z](?!\w*\s+\d))",
)
_OR_CHOICE = re.compile(r"\b([a-z]+)\s+or\s+([a-z]+)\b", re.IGNORECASE)
MIN_WORDS = 12  # a question naming two reports and a claim about them: initial choice, not tuned


def read_across(text: str) -> Across | None:
    """The relation a yes/no question about several reports asks about, or None."""
    yes_no = is_yes_no(text)
    asked = None if yes_no else _ASKED_CLAUSE.search(text)
    if len(words(text)) < MIN_WORDS or not (yes_no or asked) or _ASKS_FOR.search(text):
        return None
    relation = _relation(text, yes_no)
    order = _ORDER.search(text)
    # A report named ("article", "coverage"), or a word saying what is asked of several together
    # ("while", "consistent"): the reports themselves (outlets, dates) are found where the
    # index's outlets are known, and a question naming none is no question about reports.
    if _reports(text) + bool(relation is not Relation.BOTH or order or _JOINED.search(text)) < 1:
        return None
    topic_at = asked.start() + 1 if asked else len(text)
    topic = text[topic_at:].strip()
    choice = _choice(text)
    if relation is Relation.BOTH and order is not None and order.start() > 0:
        relation = Relation.ORDER
    before = order is None or order.group(1).lower().startswith(("before", "prior", "earlier"))
    return Across(relation, topic, topic_at, choice, before)


def _relation(text: str, yes_no: bool) -> Relation:
    """The relation asked about. In a question that opens with its verb, its word must come
    before any report's claim ("Was the reporting *consistent* between…"); after a claim's verb
    it is part of the claim ("Does A *suggest* a different approach than B?" asks whether A
    suggests it: ``BOTH``). After the reports are named ("Between A and B, was there…"), anywhere."""
    claim = _CLAIM_VERB.search(text) if yes_no else None
    limit = claim.start() if claim is not None else len(text)
    for pattern, relation in _RELATIONS:
        found = pattern.search(text)
        if found is not None and found.start() < limit:
            return relation
    return Relation.BOTH


# "Has the coverage changed", "was there a change in", "did the narrative change?" — a change
# asked about, not one named ("the Guardian article on climate change suggests…"): a bare
# "change" counts after a function word or before its clause's end or a preposition.
_CHANGE = re.compile(
    r"\b(?:changed|shifted|evolved|altered)\b"
    r"|\b(?:a|an|any|no|the|to|did|does|do|has|have|had|there|not|its|their|his|her)\s+(?:change|changes|shift)\b"
    r"|\b(?:change|changes|shift)(?=\s*[?,.;]|\s*$|\s+(?:in|since|after|between|from|over|its|their|his|her)\b)",
    re.IGNORECASE,
)
# Checked in this order: "inconsistent" holds "consistent".
_RELATIONS = (
    (phrase_pattern("relation_different_phrases"), Relation.DIFFERENT),
    (_CHANGE, Relation.CHANGED),
    (phrase_pattern("relation_same_phrases"), Relation.SAME),
)


def _reports(text: str) -> int:
    """How many reports the question refers to, by its words for them ("both articles": two)."""
    single = len(phrase_pattern("report_words").findall(text))
    return single + 2 * len(phrase_pattern("reports_phrases").findall(text))


def _choice(text: str) -> tuple[str, str] | None:
    """ "consistent or inconsistent": (the agreeing word, the disagreeing word), as asked."""
    same, different = phrase_pattern("relation_same_phrases"), phrase_pattern("relation_different_phrases")
    for match in _OR_CHOICE.finditer(text):
        first, second = match.group(1), match.group(2)
        if same.fullmatch(first) and different.fullmatch(second):
            return first, second
        if different.fullmatch(first) and same.fullmatch(second):
            return second, first
    return None


class Elsewhere(StrEnum):
    """A reader on an article's page asking about the story beyond it."""

    OTHERS = "others"  # "did anyone else report this", "what do other outlets say"
    NEWER = "newer"  # "is there anything newer", "has this changed since"


_OUTLETS = r"(?:outlets?|papers?|newspapers?|sites?|sources?|media|publications?|news\s+(?:sites?|outlets?))"
_OTHERS = re.compile(
    rf"\b(?:any(?:one|body)|someone|somebody|any\s+other\s+{_OUTLETS}|other\s+{_OUTLETS})\s+(?:else\s+)?"
    r"(?:also\s+)?(?:report(?:s|ed|ing)?|cover(?:s|ed|ing)?|write|wrote|written|writing|publish(?:ed)?)\b"
    r"|\bwho\s+else\s+(?:has\s+|have\s+|is\s+|was\s+)?(?:report|cover|wr[io]t|publish)"
    rf"|\bwhat\s+(?:do|did|does|are|have)\s+(?:the\s+)?other\s+{_OUTLETS}\b"
    rf"|\b(?:other|more|different)\s+(?:coverage|reports|reporting|{_OUTLETS}|perspectives?|takes?)\b"
    r"|\belsewhere\b",
    re.IGNORECASE,
)
_NEWER = re.compile(
    r"\b(?:anything|something|any\s+news|news)\s+(?:newer|more\s+recent|new\s+since|since)\b"
    r"|\bnewer\s+(?:reports?|articles?|news|stories|coverage)\b"
    r"|\b(?:any|an?)\s+(?:updates?|follow[-\s]?ups?)\b"
    r"|\b(?:has|have|did)\s+(?:this|it|that|the\s+story|anything|things)\s+(?:changed|moved\s+on|developed)\b"
    r"|\bwhat(?:'s|’s|\s+is|\s+has)\s+(?:new|changed|happened)\s+since\b"
    r"|\bsince\s+(?:then|this|it\s+was\s+(?:published|written))\b",
    re.IGNORECASE,
)
_MAX_WORDS_ELSEWHERE = 14  # longer questions ask about something of their own: initial choice


# "this", "it", "the story": the question points back at its page.
_BACK_TO_PAGE = re.compile(r"\b(?:this|it|that|these|here|the\s+(?:story|article|piece|news|report))\b", re.I)


def read_elsewhere(text: str) -> Elsewhere | None:
    """What a short question asks of the story beyond its page, or None — also when it names a
    topic of its own without pointing back at the page ("any updates on the Gaza ceasefire?")."""
    if len(words(text)) > _MAX_WORDS_ELSEWHERE:
        return None
    asked = Elsewhere.NEWER if _NEWER.search(text) else Elsewhere.OTHERS if _OTHERS.search(text) else None
    if asked is None or _BACK_TO_PAGE.search(text):
        return asked
    return asked if set(terms(text)) <= _beyond_page_terms() else None


@cache
def _beyond_page_terms() -> frozenset[str]:
    """The form's words as the question's terms are made (stemmed), stemmed once."""
    return frozenset(terms(" ".join(word_list("beyond_page_words"))))
