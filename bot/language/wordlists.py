"""The bot's word lists, kept as data: ``bot/language/data/NAME.txt``.

Same format as the index's lists (``index.wordlists``): one lowercase entry per line, sorted,
``#`` comments. Each file's header says what the list is for; ``word_list("titles")`` reads it once.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from index.wordlists import read_word_list

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def word_list(name: str) -> frozenset[str]:
    """``bot/language/data/{name}.txt``, read once; a missing file is a ``ConfigError`` naming it."""
    return read_word_list(DATA_DIR / f"{name}.txt")


@cache
def alternatives(name: str) -> str:
    """The phrases of list ``name`` as a regex alternation (``a|b``), any spacing between words;
    longest first, so that "blamed on" is tried before "blamed"."""
    phrases = sorted(word_list(name), key=lambda p: (-len(p), p))
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases)


@cache
def phrase_pattern(name: str) -> re.Pattern[str]:
    """A regex finding any phrase of list ``name`` as whole words, any case, any spacing."""
    return re.compile(rf"(?<!\w)(?:{alternatives(name)})(?!\w)", re.IGNORECASE)
