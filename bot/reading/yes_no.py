"""Yes/no questions: "Yes" or "No" only when the leading sentence says so itself.

"Is Putin going to Istanbul?" is answered by "Putin has decided not to attend" — evidence,
not a literal no. The answer begins with "Yes" or "No" only when the sentence holds every
content word of the question (the same subject and predicate), and then by its negation
against the question's ("Did Putin reject it?" / "Putin rejected it" → Yes). Otherwise the
evidence is given as found, with a note that the articles don't say it in so many words.
"""

from __future__ import annotations

import re

from bot.language.patterns import OPENER
from bot.language.text import terms, words
from index.nlp import SentenceNotes

# The auxiliary verb opening a yes/no question, after a conversational "so", "and", "ok".
_ASKS = re.compile(
    rf"^\s*{OPENER}"
    r"(?:is|are|was|were|do|does|did|will|would|can|could|has|have|had|should|shall|may|might|must|"
    r"isn[’']?t|aren[’']?t|wasn[’']?t|weren[’']?t|won[’']?t|wouldn[’']?t|can[’']?t|couldn[’']?t|"
    r"didn[’']?t|doesn[’']?t|don[’']?t|hasn[’']?t|haven[’']?t)\b"
    # "Could you tell me what happened?", "May I ask who won?": a request, not a yes/no question.
    r"(?!\s+(?:you|i|we)\s+(?:please\s+)?(?:tell|ask|explain|give|show|summari[sz]e|know|get|see|find|say)\b)",
    re.IGNORECASE,
)
# Negation in the grammar only, as the index-time notes mark it (of the main clause there;
# without notes, anywhere): "rejected" states a fact to agree or disagree with ("Did Putin
# reject it?" → Yes), unlike the citation check's wider list
# (bot/language/data/negation_words.txt), where "rejected" must survive into a claim.
_NEGATION = re.compile(r"\b(?:not|never|no)\b|n[’']t\b", re.IGNORECASE)
_QUOTED = re.compile(r"“[^”]*”?|\"[^\"]*\"?")  # a direct quotation, to its closing mark or the end
MIN_TERMS = 2  # a verdict on fewer content words is a guess: initial choice, not tuned
# Words a negation may stand before the question's word it denies ("not get", "never be a
# reason to get"): initial choice, not tuned.
NEGATION_REACH = 3
# The asked subject must come before another asked word, within this many words: "Putin has
# decided not to attend" states whether Putin attends; "Trump said he would consider attending
# if Putin did" holds both words but is about Trump. Initial choice, not tuned.
SUBJECT_REACH = 8
# Without the words "yes" and "no": the note must not read as a verdict (nor be scored as one).
NOT_DIRECT = "The articles don't say this in so many words; this is the closest they come."


def is_yes_no(question: str) -> bool:
    return _ASKS.match(question) is not None


def verdict(question: str, sentence: str, notes: SentenceNotes | None = None) -> str | None:
    """ "Yes" or "No" when ``sentence`` states the asked proposition itself, else None."""
    match = _ASKS.match(question)
    if match is None:
        return None
    ordered = terms(question[match.end() :])
    asked = set(ordered)
    # Someone's quoted words are theirs, not the article's statement: "hey, comrade Putin, go to
    # Istanbul" holds every word of "Is Putin going to Istanbul?" and says nothing of whether he is.
    unquoted = _QUOTED.sub(" ", sentence)
    if len(asked) < MIN_TERMS or not asked <= set(terms(unquoted)) or not _subject_first(unquoted, ordered):
        return None
    negated = notes.negated if notes is not None else bool(_NEGATION.search(sentence))
    return "No" if negated or _denies_asked(_QUOTED.sub(" ", sentence), asked) else "Yes"


def _subject_first(sentence: str, asked: list[str]) -> bool:
    """The question's first word (its subject: "is *putin* attending") comes before one of its
    other words, near it: the sentence says something of that subject, not of someone else."""
    subject, rest = asked[0], set(asked[1:])
    places = [set(terms(w)) for w in words(sentence)]
    starts = [i for i, found in enumerate(places) if subject in found]
    return any(rest & found for i in starts for found in places[i + 1 : i + 1 + SUBJECT_REACH])


def _denies_asked(sentence: str, asked: set[str]) -> bool:
    """A negation right before a word of the question: "the couple plan to *not get* a divorce"
    answers "Are they getting divorced?" with No, though the main clause ("the couple have been
    candid") is not negated. "not only" and "not just" add, they do not deny."""
    tokens = [w.lower() for w in words(sentence)]
    for i, token in enumerate(tokens):
        if not set(terms(token)) & asked:
            continue
        before = tokens[max(0, i - NEGATION_REACH) : i]
        if any(
            _NEGATION.fullmatch(w) or w == "cannot" or w.endswith(("n't", "n’t")) for w in before
        ) and not any(w in ("only", "just") for w in before[-1:]):
            return True
    return False
