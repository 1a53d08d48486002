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
def phrase_pattern(name: str) -> re.Pattern[str]:
    """A regex finding any phrase of list ``name`` as whole words, any case, any spacing."""
    phrases = sorted(word_list(name), key=len, reverse=True)  # longest first: "blamed on" > "blamed"
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
