"""Small text utilities shared by retrieval and answering: terms, stemming, overlap."""

from __future__ import annotations

import re

from bot.language.wordlists import phrase_pattern, word_list
from index.terms import is_stopword, terms, words

__all__ = ["hedged", "is_boilerplate", "is_stopword", "jaccard", "negated", "shingles", "terms", "words"]


def shingles(text: str, n: int = 3) -> set[tuple[str, ...]]:
    tokens = [w.lower() for w in words(text)]
    return {tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1))}


def jaccard(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def negated(text: str) -> bool:
    """A negation word ("not", "never", "no") or a contraction ending in "n't"."""
    tokens = [w.lower().replace("’", "'") for w in words(text)]
    return any(t in word_list("negation_words") or t.endswith("n't") for t in tokens)


def hedged(text: str) -> bool:
    """A modal or hedging word ("would", "may", "likely", "consider")."""
    return any(w.lower() in word_list("modal_words") for w in words(text))


# Template markup a page left unrendered ("{{ #verifyErrors }}").
_TEMPLATE = re.compile(r"\{\{|\}\}")


def is_boilerplate(sentence: str) -> bool:
    """Page furniture, not article text: a sign-up box, a cookie notice, template markup."""
    return (
        _TEMPLATE.search(sentence) is not None
        or phrase_pattern("boilerplate_phrases").search(sentence) is not None
    )
