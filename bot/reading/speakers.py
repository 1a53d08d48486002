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

from bot.language.patterns import OPENER
from bot.language.text import is_stopword
from bot.language.wordlists import alternatives, word_list
from index.nlp import SentenceNotes
from index.wordlists import pronouns

# Words joined by single spaces (not "[\w ]+?"): no backtracking over runs of spaces.
_WHO = r"(?P<who>[\w.'’\-]+(?: [\w.'’\-]+)*?)"
# Words asking for what someone said or how they reacted (their words are the answer), as
# opposed to what they want or plan (their deeds: the sentence whose subject they are).
_WORDS = alternatives("asked_words_phrases")
_DEEDS = alternatives("asked_deeds_phrases")
_ASKING: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"\bwhat (?:did|does|do|has|have|had|will|would|is|was|are|were) {_WHO}\s+"
        rf"(?P<verb>{_WORDS}|{_DEEDS})\b",
        re.I,
    ),
    re.compile(rf"\bhow (?:did|does|do|has|have|had|will|would|is|was) {_WHO}\s+(?P<verb>{_WORDS})\b", re.I),
    re.compile(rf"\b(?P<who>[\w.'’\-]+(?: [\w.'’\-]+)?)['’]s (?P<verb>{_WORDS}|{_DEEDS})\b", re.I),
    re.compile(rf"\b(?P<verb>reaction|response|reply) (?:from|of|by) {_WHO}\s*[?.!]*\s*$", re.I),
)
_ASKS_WORDS = re.compile(rf"^(?:{_WORDS})$", re.I)
_PRONOUNS = pronouns()  # every one: "what did she say" names nobody
_STORY_WORDS = word_list("story_words")
_ABOUT = re.compile(r"\babout\s+(?P<who>[\w.'’\- ]+?)\s*[?.!]*\s*$", re.I)
_TITLES = word_list("titles")


# "Who said Russia can win the war?": the answer is the speaker of the sentence that says it.
_SAID = alternatives("asked_speaker_phrases")
_WHO_SAID = re.compile(rf"^\s*{OPENER}who(?:'s|’s|\s+has|\s+had)?\s+(?:{_SAID})\b", re.I)


def asks_speaker(question: str) -> bool:
    """The question asks who said something ("who said the war can be won")."""
    return _WHO_SAID.search(question) is not None


def named_speaker(notes: SentenceNotes | None) -> str:
    """The sentence's speaker when it is a name ("Stephen Twitty"), not "he" or "a statement"."""
    speaker = notes.speaker.strip() if notes is not None else ""
    if not speaker or not speaker[0].isupper() or speaker.lower() in _PRONOUNS:
        return ""
    return speaker


@dataclass(frozen=True)
class Actor:
    words: frozenset[str]  # lowercase name words; empty for a pronoun: anybody quoted
    asks_words: bool = True  # their words or reaction (True), or their deeds ("what does X want")
    role: str = ""  # "the US president": a title the articles may give with a name (named_in_role)

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
            asks_words = _ASKS_WORDS.match(match.group("verb")) is not None
            about = _ABOUT.search(question)
            named = set(re.findall(r"[\w\-]+", who.lower())) - {"the", "this", "that"}
            if about and (not named or named <= _STORY_WORDS | {"it"}):
                # "What does the story say about X?": what is said of X, by X or about X.
                words = _name_words(about.group("who")) - _STORY_WORDS
                return Actor(words, asks_words=False) if words else None
            if who.lower().strip() in _PRONOUNS:
                return Actor(frozenset(), asks_words)
            words = _name_words(who)
            role = who if _has_title(who) else ""
            return Actor(words, asks_words, role) if words or role else None
    return None


def _has_title(who: str) -> bool:
    return any(w in _TITLES for w in re.findall(r"[\w\-]+", who.lower()))


def named_in_role(actor: Actor, texts: list[str]) -> Actor:
    """ "The US president" as the articles name him ("US President Donald Trump"): the actor with
    that person's name words added; unchanged when no text names the role."""
    if not actor.role:
        return actor
    role = [w for w in re.findall(r"[\w\-]+", actor.role) if w.lower() not in {"the", "a", "an"}]
    if not role:
        return actor
    # The role in any case ("US president"), the name after it capitalised (1-3 words).
    title = r"[\s.]+".join(re.escape(w) for w in role)
    pattern = re.compile(rf"\b(?i:{title})\s+((?:[A-Z][\w’'\-]+\s+){{0,2}}[A-Z][\w’'\-]+)")
    for text in texts:
        match = pattern.search(text)
        if match:
            return Actor(actor.words | _name_words(match.group(1)), actor.asks_words, actor.role)
    return actor


def _name_words(name: str) -> frozenset[str]:
    words = re.findall(r"[\w\-]+", name.lower().replace("’s", "").replace("'s", ""))
    return frozenset(w for w in words if not is_stopword(w) and w not in _TITLES and w not in _PRONOUNS)
