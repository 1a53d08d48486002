"""Word lists kept as data, not code: ``index/data/NAME.txt`` (and ``bot/language/data``).

One format for every list: one entry per line, lowercase, sorted, ``#`` starts a comment,
blank lines are ignored. The bot's lists (``bot.language.wordlists``) are read by the same
``read_word_list``: the index is the lower layer, so the format lives here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from index.errors import ConfigError

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_word_list(path: Path) -> frozenset[str]:
    """The entries of one list file; a missing or unreadable file is a ``ConfigError`` naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"word list missing or unreadable: {path} ({err.strerror or err})") from err
    entries = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(entry for entry in entries if entry)


@cache
def word_list(name: str) -> frozenset[str]:
    """``index/data/{name}.txt``, read once."""
    return read_word_list(DATA_DIR / f"{name}.txt")
