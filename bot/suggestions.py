"""Questions to suggest on an article's page, from its text and its sentence notes.

Readers who do not know what to ask get a few questions the bot answers about the article:
what it is about (its summary), the article's own question-like section headings ("Why
Turkey?", "What's Next?", as written) and one about the person it names most. The notes
(``index/nlp.py``) are made when the article is indexed; an index built without them simply
gets no question about a person. Pure functions, no model: the article library calls them on
the text it rebuilds from the chunks. Suggestions are article text: pages insert them as text.

Each kind was chosen by asking it, scoped to its article, on the seed article and on eval
corpus articles (tests/e2e/bot/test_suggestions.py asks every suggestion of 21 articles):

- A heading is kept only when the section under it uses one of its topic words: the
  extractive answerer answers with sentences that share the question's words. Refused were a
  heading over a list of names ("Who Else Is Involved?"), ones their sections never echo
  ("Where Do Both Sides Stand?"; "Where did the money come from?" over a section that only
  shares "from": ``function_words`` are no topic) and ones that lean on the text around them
  ("What would that look like?", "Is anyone listening?": ``context_words``). Lines pointing
  to another story ("MORE: Who is X?", all-capital teasers) or ending in "??" (emoji lost in
  a copied post) are not headings of this article.
- The person: named at least twice, introduced with a full name, tagged PERSON more often than
  anything else (spaCy also calls "Everton", "Qualcomm" and "COVID-19" people). "What did X
  say?" when the notes record X as a speaker (the answerer prefers X's own words), else "What
  does the story say about X?". "Who is X?" was answered as often, but with a sentence that
  merely names X and, bolded as the answer, another name in it ("Who is Deebo Samuel?" →
  "**Brock Purdy** threw ..."); the neutral phrasing also reads right when spaCy's "person" is
  a team or a product.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.language.text import terms, words
from bot.language.wordlists import word_list
from index.nlp import SentenceNotes

SUMMARY_QUESTION = "What is this story about?"  # the summary intent (bot/reading/intents.py)


@dataclass(frozen=True)
class SuggestionConfig:
    limit: int = 5  # questions at most (a row of chips, product issue)
    max_chars: int = 80  # longer ones are left out, not cut: a cut question is no question
    heading_words: int = 12  # a line ending in "?" with more words is a sentence, not a heading
    person_mentions: int = 2  # a person named once is not what the story is about


DEFAULTS = SuggestionConfig()

# Control, zero-width and direction characters: shown nowhere, so never part of a suggestion.
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
# "MORE: Who is Connor Stalions?", "See more: What is a parlay bet?": a link to another story.
_TEASER = re.compile(r"^[^?]{1,30}:\s")
# Question words, auxiliaries, prepositions: in any question, they say nothing of its topic.
_FILLER_TERMS = frozenset(terms(" ".join(word_list("function_words"))))
_CONTEXT_WORDS = word_list("context_words")
_NAME_WORD = re.compile(r"[^\W\d_][\w.’'\-]*")
_POSSESSIVE = re.compile(r"['’]s?$")
_PERSON = "PERSON"


def suggested_questions(
    body: str, notes: Sequence[SentenceNotes], config: SuggestionConfig = DEFAULTS
) -> list[str]:
    """The summary question, the article's answerable question headings, then one about its
    main person: at most ``config.limit``, each at most ``config.max_chars`` characters, no
    duplicates; a slot is kept for the person. ``notes`` have offsets into ``body``."""
    person = person_question(body, notes)
    if len(person) > config.max_chars:
        person = ""
    room = max(config.limit - 1 - bool(person), 0)
    chosen = [SUMMARY_QUESTION, *question_headings(body, config)[:room], person]
    unique: dict[str, str] = {}
    for question in chosen:
        if question and question.casefold() not in unique:
            unique[question.casefold()] = question
    return list(unique.values())[: config.limit]


def question_headings(body: str, config: SuggestionConfig = DEFAULTS) -> list[str]:
    """Short lines of ``body`` that are questions standing alone, as written, in reading order,
    kept when the section under them uses one of their content words."""
    lines = [_clean(line) for line in body.split("\n")]
    headings = [i for i, line in enumerate(lines) if _is_heading(line, config)]
    found: list[str] = []
    for n, i in enumerate(headings):
        end = headings[n + 1] if n + 1 < len(headings) else len(lines)
        section = set(terms(" ".join(lines[i + 1 : end])))
        asked = set(terms(lines[i])) - _FILLER_TERMS
        if asked & section and lines[i] not in found:
            found.append(lines[i])
    return found


def person_question(body: str, notes: Sequence[SentenceNotes]) -> str:
    """The question about the article's main person ("What did X say?" or "What does the
    story say about X?"); "" when there is none."""
    name = main_person(body, notes)
    if not name:
        return ""
    surname = name.split()[-1].casefold()
    speaks = any(_surname(note.speaker.split()) == surname for note in notes if note.speaker)
    return f"What did {name} say?" if speaks else f"What does the story say about {name}?"


def main_person(body: str, notes: Sequence[SentenceNotes], config: SuggestionConfig = DEFAULTS) -> str:
    """The person named most often (``PERSON`` entities, counted by surname), by the full name
    the article first gives them ("Vladimir Medinsky", not "Medinsky"); "" when none qualifies."""
    people: Counter[str] = Counter()
    others: Counter[str] = Counter()
    full: dict[str, str] = {}
    for note in notes:
        for entity in note.entities:
            words = _NAME_WORD.findall(_clean(body[note.start + entity.start : note.start + entity.end]))
            surname = _surname(words)
            if not surname:
                continue
            if entity.label != _PERSON:
                others[surname] += 1
                continue
            people[surname] += 1
            if len(words) > 1 and surname not in full and words[0][0].isupper() and words[-1][0].isupper():
                full[surname] = " ".join([*words[:-1], _POSSESSIVE.sub("", words[-1])])
    ranked = sorted(people.items(), key=lambda item: -item[1])  # stable: ties go to the first named
    for surname, count in ranked:
        if count < config.person_mentions:
            break
        if surname in full and count > others[surname]:
            return full[surname]
    return ""


def _surname(words: Sequence[str]) -> str:
    return _POSSESSIVE.sub("", words[-1]).casefold() if words else ""


def _clean(text: str) -> str:
    return " ".join(_INVISIBLE.sub(" ", unicodedata.normalize("NFC", text)).split())


def _is_heading(line: str, config: SuggestionConfig) -> bool:
    return (
        line.endswith("?")
        and not line.endswith("??")
        and line[0].isalnum()  # not a quoted question: somebody's words, not a section
        and len(line.split()) <= config.heading_words
        and len(line) <= config.max_chars
        and not _TEASER.match(line)
        and not line.isupper()  # "WHAT IS KETAMINE, THE DRUG THAT ...?": a teaser for another story
        and not any(word.lower() in _CONTEXT_WORDS for word in words(line))
    )
