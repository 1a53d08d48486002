"""Who "he", "she" or "they" is in a question asked on an article's page with no conversation.

A reader on a story's page types "how old was he" or "how much do they have to pay": the
pronoun means the story's subject. People are counted by surname and named by the longest
form the article gives ("Bill Kenwright"); organisations, places and groups by their text.
"He"/"she" want a person, "they"/"it" an organisation or group first (a company, a party,
a country). All from the sentence notes the index stored (``index/nlp.py``): without notes
there is no subject and the question is answered as asked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.documents import Document

from bot.language.text import is_stopword, words
from index.nlp import notes_of
from index.wordlists import pronouns

_PERSONAL = pronouns("personal")  # he, she, him, his, her, hers
_GROUP = pronouns("group")  # they, them, their, it, its
# spaCy's small model often labels a person ORG or PRODUCT ("Swift" 8 times ORG, once PERSON):
# a name counts with all its labels, and is a person when labelled PERSON at least once.
_NAME_LABELS = frozenset({"PERSON", "ORG", "PRODUCT", "FAC", "GPE", "NORP", "WORK_OF_ART", "EVENT"})
_GROUP_LABELS = frozenset({"ORG", "PRODUCT", "WORK_OF_ART", "EVENT"})


@dataclass
class _Name:
    mentions: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    longest: str = ""


@dataclass(frozen=True)
class Referent:
    """A person or group the question means, and the words a sentence may use for them: any
    part of the name ("Taylor" or "Swift") or, for a pronoun's subject, such a pronoun."""

    name: str
    pronouns: frozenset[str] = frozenset()

    def mentioned_in(self, sentence: str) -> bool:
        """The sentence names the subject (any part of the name) or uses such a pronoun."""
        tokens = {_bare(w) for w in words(sentence)}
        return bool(tokens & self.pronouns) or bool(tokens & _name_parts(self.name))


def story_subject(question: str, chunks: Sequence[Document]) -> Referent | None:
    """Whom the question means: the subject its pronoun stands for (a Referent with pronouns),
    else the person it names by part of the name; the article's notes are read once."""
    if not chunks:
        return None
    names = _names(chunks)
    return pronoun_subject(question, chunks, names) or named_subject(question, chunks, names)


def named_subject(
    question: str, chunks: Sequence[Document], names: dict[str, _Name] | None = None
) -> Referent | None:
    """The article's person the question names by part of the name ("how old is taylor" →
    Taylor Swift, whom the article mostly calls "Swift"); None when there is none."""
    tokens = {_bare(w) for w in words(question)}
    found = _names(chunks) if names is None else names
    people = [n for n in found.values() if n.labels["PERSON"] and len(n.longest.split()) > 1]
    for name in sorted(people, key=lambda n: -n.mentions):
        parts = _name_parts(name.longest)
        if tokens & parts and parts - tokens:
            return Referent(name.longest)
    return None


def _name_parts(name: str) -> frozenset[str]:
    """The words of a name that identify it (not initials or particles such as "de")."""
    return frozenset(w for w in (_bare(p) for p in words(name)) if len(w) > 2 and not is_stopword(w))


def pronoun_subject(
    question: str, chunks: Sequence[Document], names: dict[str, _Name] | None = None
) -> Referent | None:
    """The story subject a pronoun in ``question`` stands for; None when there is none or the
    question already names it."""
    tokens = {w.lower() for w in words(question)}
    personal = bool(tokens & _PERSONAL)
    if (not personal and not tokens & _GROUP) or not chunks:
        return None
    names = _names(chunks) if names is None else names
    title = {_bare(w) for w in words(str(chunks[0].metadata.get("title") or ""))}
    wanted = {"PERSON"} if personal else _GROUP_LABELS
    ranked = sorted(
        (key for key, name in names.items() if wanted & set(name.labels) and name.mentions >= 2),
        # A person pronoun: names labelled a person at least half the time first ("Everton" is,
        # 6 times in 15), then by mentions ("Swift": 17 mentions, once labelled a person).
        key=lambda key: (
            personal and names[key].labels["PERSON"] * 2 < names[key].mentions,
            -names[key].mentions,
        ),
    )  # named once: not what the story is about
    # The title names the story's subject; without it in the title, "it"/"they" stay unresolved
    # (they as often mean a thing the story never names: "them" for the northern lights).
    titled = [key for key in ranked if set(key.split()) <= title]
    best = titled[:1]
    if not best or best[0].split()[-1] in tokens:
        return None
    return Referent(names[best[0]].longest, _PERSONAL if personal else _GROUP)


def _names(chunks: Sequence[Document]) -> dict[str, _Name]:
    """Every name in the article's notes, by surname for people, by its words otherwise."""
    names: dict[str, _Name] = {}
    seen: set[int] = set()
    for chunk in chunks:
        base = int(chunk.metadata.get("start", 0))
        text = chunk.page_content
        for note in notes_of(chunk.metadata) or []:
            if base + note.start in seen:
                continue  # chunks overlap: each sentence once
            seen.add(base + note.start)
            for entity in note.entities:
                if entity.label not in _NAME_LABELS:
                    continue
                shown = " ".join(words(text[note.start + entity.start : note.start + entity.end]))
                shown = shown.removesuffix("'s").removesuffix("’s")
                parts = [_bare(w) for w in shown.split()]
                if not parts:
                    continue
                # People by surname ("Kenwright" and "Bill Kenwright" are one), the rest by text.
                key = parts[-1] if entity.label == "PERSON" or len(parts) == 1 else " ".join(parts)
                name = names.setdefault(key, _Name())
                name.mentions += 1
                name.labels[entity.label] += 1
                if len(shown) > len(name.longest):
                    name.longest = shown
    return names


def _bare(word: str) -> str:
    return word.lower().removesuffix("'s").removesuffix("’s")
