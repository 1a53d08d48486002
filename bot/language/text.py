"""Small text utilities shared by retrieval and answering: terms, stemming, overlap."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from bot.language.wordlists import phrase_pattern, word_list

_WORD = re.compile(r"\w+(?:[’'.-]\w+)*", re.UNICODE)


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN) | word_list("extra_stopwords")


@lru_cache(maxsize=1)
def _stem() -> Callable[[list[str]], list[str]]:
    import Stemmer

    return Stemmer.Stemmer("english").stemWords  # type: ignore[no-any-return]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def terms(text: str) -> list[str]:
    """Lowercased, stemmed content words (stopwords dropped): the lexical vocabulary."""
    stop = _stopwords()
    kept = (raw.replace("’", "'").removesuffix("'s") for raw in words(text.lower()))
    return _stem()([w for w in kept if w not in stop and (len(w) > 1 or w.isdigit())])  # one C call


def is_stopword(word: str) -> bool:
    return word.lower() in _stopwords()


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
