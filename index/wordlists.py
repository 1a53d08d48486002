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


PRONOUN_CATEGORIES = frozenset({"personal", "group", "speaker", "referring"})


@cache
def pronouns(category: str | None = None) -> frozenset[str]:
    """The pronouns of ``index/data/pronouns.tsv`` (one home for every pronoun list) in
    ``category`` (see the file's header), or all of them."""
    if category is not None and category not in PRONOUN_CATEGORIES:
        raise ValueError(f"no pronoun category {category!r}: one of {sorted(PRONOUN_CATEGORIES)}")
    return frozenset(
        word
        for word, cats in read_categories(DATA_DIR / "pronouns.tsv").items()
        if category is None or category in cats
    )


def read_categories(path: Path) -> dict[str, frozenset[str]]:
    """A list whose lines are an entry, a tab and its categories (none: no tab): entry → categories."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"word list missing or unreadable: {path} ({err.strerror or err})") from err
    found: dict[str, frozenset[str]] = {}
    for line in text.splitlines():
        entry, _, cats = line.split("#", 1)[0].strip().partition("\t")
        if entry:
            found[entry] = frozenset(cats.split())
    return found
