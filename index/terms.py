"""The lexical vocabulary: a text's lowercased, stemmed content words.

One home for the rule, in the index (the lower layer): the lexical index (index/lexical.py)
is written with these terms and the bot scores questions and sentences with the same ones
(``bot.language.text`` re-exports them), so a question's term always meets the indexed one.
Stop words: bm25s's English list (what the retrieval weights were tuned with) plus
``index/data/extra_stopwords.txt``; stems: Snowball English (PyStemmer).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from index.wordlists import word_list

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
