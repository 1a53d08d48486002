"""Whose words or deeds a question asks about: "what did X say", "how did X react".

The answer to "what did the Kremlin say" is the Kremlin's words, not the best-matching
sentence that quotes someone else. The question names an actor; the sentence notes made at
index time (``index/nlp.py``) name each sentence's speaker and subjects; a sentence whose
speaker (or, less so, whose subject) is the actor is preferred, one quoting somebody else
is not. A pronoun ("what did she say") names nobody: then any quoted sentence is preferred.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.language.text import is_stopword
from bot.language.wordlists import word_list
from index.nlp import SentenceNotes

_WHO = r"(?P<who>[\w.'’\- ]+?)"
_ASKING: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"\bwhat (?:did|does|do|has|have|had|will|would|is|was|are|were) {_WHO}\s+"
        r"(?:say|said|saying|think|thinks|tell|told|want|wants|claim|claimed|argue|argued|mean|propose|"
        r"proposed|demand|demanded|suggest|suggested|make of|feel|plan|planning|announce|announced|"
        r"warn|warned|promise|promised|ask|asked|ask for|asking for|admit|admitted)\b",
        re.I,
    ),
    re.compile(
        rf"\bhow (?:did|does|do|has|have|had|will|would|is|was) {_WHO}\s+"
        r"(?:react|reacted|respond|responded|reply|replied|feel|see|view|answer|answered|take|taking)\b",
        re.I,
    ),
    re.compile(
        r"\b(?P<who>[\w.'’\-]+(?: [\w.'’\-]+)?)['’]s "
        r"(?:reaction|response|view|views|take|position|stance|comments?|statement|answer|demands?|reply)\b",
        re.I,
    ),
    re.compile(rf"\b(?:reaction|response|reply) (?:from|of|by) {_WHO}\s*[?.!]*\s*$", re.I),
)
_PRONOUNS = word_list("pronouns")
_TITLES = word_list("titles")


@dataclass(frozen=True)
class Actor:
    words: frozenset[str]  # lowercase name words; empty for a pronoun: anybody quoted

    def speaks_in(self, notes: SentenceNotes) -> bool:
        """The sentence reports this actor's words (anybody's, for a pronoun)."""
        if not notes.speaker:
            return False
        return not self.words or bool(self.words & _name_words(notes.speaker))

    def acts_in(self, notes: SentenceNotes) -> bool:
        """The actor is a grammatical subject of the sentence."""
        return bool(self.words) and any(self.words & _name_words(s) for s in notes.subjects)

    def others_speak_in(self, notes: SentenceNotes) -> bool:
        """The sentence quotes somebody else."""
        return bool(notes.speaker) and bool(self.words) and not self.speaks_in(notes)


def asked_actor(question: str) -> Actor | None:
    """The actor whose words or reaction ``question`` asks for, if it asks for one."""
    for pattern in _ASKING:
        match = pattern.search(question)
        if match:
            who = match.group("who")
            if who.lower().strip() in _PRONOUNS:
                return Actor(frozenset())
            words = _name_words(who)
            return Actor(words) if words else None
    return None


def _name_words(name: str) -> frozenset[str]:
    words = re.findall(r"[\w\-]+", name.lower().replace("’s", "").replace("'s", ""))
    return frozenset(w for w in words if not is_stopword(w) and w not in _TITLES and w not in _PRONOUNS)
