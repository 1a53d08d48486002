"""Questions generated from the sentence notes the index stores: reader-style training data for
the reader (``bot/answerers/reader.py``), where labelled questions are few.

For a sentence holding an entity of an askable kind (a date → "when", a count → "how many", a sum
→ "how much", a person → "who", a place → "where", an organisation → "which company"), a short
question as readers type it: the question word and a few of the sentence's rarer words (never
the answer's), lower-case, without a question mark — "when nasa launch artemis" for "NASA will
launch Artemis II in November 2024". The sentence is its answer. Its unanswerable twin is the
same question on the same article with every sentence holding the answer blanked out: sentences
on the same topic remain and none answers, which is what the reader must learn to refuse.

Questions are drawn with a seeded generator, so a run is reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from langchain_core.documents import Document

from bot.language.text import is_stopword, terms, words
from index.chunking import split_sentences
from index.nlp import notes_of

# The question word for each askable entity label (spaCy's OntoNotes labels).
ASKS = {
    "DATE": "when",
    "TIME": "what time",
    "CARDINAL": "how many",
    "MONEY": "how much",
    "PERCENT": "what percentage",
    "PERSON": "who",
    "GPE": "where",
    "LOC": "where",
    "FAC": "where",
    "ORG": "which company",
}
MIN_WORDS, MAX_WORDS = 2, 4  # the sentence's words a question keeps: readers ask short questions
# ...drawn from this many words either side of the answer (its clause, roughly; the rarest words
# of the whole sentence are often asides). Initial choice, not tuned.
WINDOW = 8


@dataclass(frozen=True)
class Generated:
    question: str
    answer: str  # the entity's text
    sentence: str  # the sentence it came from: the one that answers


def generate(
    chunks: Sequence[Document], idf: Callable[[str], float], per_article: int, rng: random.Random
) -> list[Generated]:
    """Up to ``per_article`` questions on one article (its chunks in reading order)."""
    options: list[tuple[str, int, int, str]] = []
    seen: set[tuple[str, int, int]] = set()
    for doc in chunks:
        for note in notes_of(doc.metadata) or []:
            sentence = doc.page_content[note.start : note.end]
            for entity in note.entities:
                key = (sentence, entity.start, entity.end)
                if entity.label in ASKS and key not in seen:  # chunks overlap: a sentence may recur
                    seen.add(key)
                    options.append((sentence, entity.start, entity.end, ASKS[entity.label]))
    found = []
    for sentence, start, end, ask in rng.sample(options, min(per_article, len(options))):
        question = _question(sentence, start, end, ask, idf, rng)
        if question is not None:
            found.append(Generated(question, sentence[start:end], sentence))
    return found


def _question(
    sentence: str, start: int, end: int, ask: str, idf: Callable[[str], float], rng: random.Random
) -> str | None:
    """The question word and a few of the rarer words around the answer, in their order."""
    before, after = words(sentence[:start]), words(sentence[end:])
    near = [*before[-WINDOW:], *after[:WINDOW]]
    kept = [(i, w.lower()) for i, w in enumerate(near) if w.isalpha() and len(w) > 2 and not is_stopword(w)]
    if len(kept) < MIN_WORDS:
        return None
    rarest = sorted(kept, key=lambda iw: -max((idf(t) for t in terms(iw[1])), default=0.0))
    picked = sorted(rarest[: rng.randint(MIN_WORDS, MAX_WORDS)])
    return " ".join([ask, *(w for _i, w in picked)])


def without(chunks: Sequence[Document], answer: str) -> list[Document]:
    """The chunks with every sentence holding ``answer`` blanked out (spaces of the same length,
    so the other sentences keep their offsets and their notes)."""
    blanked = []
    for doc in chunks:
        text = doc.page_content
        for start, end in split_sentences(text):
            if answer in text[start:end]:
                text = text[:start] + " " * (end - start) + text[end:]
        blanked.append(doc.model_copy(update={"page_content": text}) if text != doc.page_content else doc)
    return blanked
