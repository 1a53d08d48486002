"""What a text names: outlets (the index's outlet names and the aliases readers use) and dates.

"according to TechCrunch", "the Sporting News article", "'The Independent - Life and Style'"
all name an outlet in the index. Aliases are derived from the names themselves ("The
Independent - Life and Style" → "The Independent", "Independent"), so nothing is hard-coded;
a word too generic to identify an outlet ("News", "Life") is never an alias on its own. Dates
are read as "October 4, 2023", "2023-10-04", "October 2023" (``DATE_PARTS``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.language.patterns import DATE_PARTS, month_number
from bot.language.wordlists import word_list

_GENERIC = word_list("generic_outlet_words")  # "News", "Life": not an outlet on their own
MIN_ALIAS_CHARS = 3  # shorter outlet aliases are too ambiguous to match: initial choice, not tuned


@dataclass(frozen=True)
class Mention:
    """Where a text names an outlet: its span and the outlet's name in the index."""

    start: int
    end: int
    source: str


class SourceMatcher:
    """Finds which of the index's outlets a question names (aliases derived from the names)."""

    def __init__(self, sources: Iterable[str]) -> None:
        self._aliases: list[tuple[re.Pattern[str], str]] = []
        for source in sorted({s for s in sources if s}):
            for alias in _aliases(source):
                pattern = re.compile(rf"(?<![\w]){re.escape(alias)}(?![\w])", re.IGNORECASE)
                self._aliases.append((pattern, source))

    def find(self, question: str) -> set[str]:
        text = question.replace("’", "'")
        return {source for pattern, source in self._aliases if pattern.search(text)}

    def mentions(self, text: str) -> list[Mention]:
        """Every place ``text`` names an outlet, in order; where aliases overlap ("The
        Independent - Life and Style" holds "The Independent"), the longest one."""
        text = text.replace("’", "'")  # one character for one: the spans stay the text's
        found = [
            Mention(m.start(), m.end(), source)
            for pattern, source in self._aliases
            for m in pattern.finditer(text)
        ]
        kept: list[Mention] = []
        for mention in sorted(found, key=lambda m: (m.start - m.end, m.start)):
            if all(mention.end <= k.start or k.end <= mention.start for k in kept):
                kept.append(mention)
        return sorted(kept, key=lambda m: m.start)


def _aliases(source: str) -> set[str]:
    """'The Independent - Life and Style' → that, 'The Independent' and 'Independent'."""
    names = {source.strip()}
    for sep in (" | ", " - ", ": "):
        head = source.split(sep, maxsplit=1)[0].strip()
        names.add(head)
    for part in source.split(","):
        names.add(part.strip())
    names |= {n[4:] for n in names if n.lower().startswith("the ")}
    return {n for n in names if len(n) >= MIN_ALIAS_CHARS and n.lower() not in _GENERIC and not n.isdigit()}


@dataclass(frozen=True)
class HintConfig:
    """Initial choices, not tuned; the weight of a date match (RetrievalWeights.date) was tuned with them."""

    same_month: float = 0.5  # a date without a day, published in that month (the same day: 1.0)
    other_day: float = 0.25  # a date with a day, published on another day of that month


_DEFAULTS = HintConfig()


@dataclass(frozen=True)
class DateHint:
    year: int
    month: int
    day: int | None = None

    def matches(self, published_at: str) -> float:
        """1.0 for the same day, less for the same month (``HintConfig``), else 0."""
        if (
            len(published_at) < 7
            or published_at[:4] != f"{self.year:04d}"
            or published_at[5:7] != f"{self.month:02d}"
        ):
            return 0.0
        if self.day is None:
            return _DEFAULTS.same_month
        return 1.0 if published_at[8:10] == f"{self.day:02d}" else _DEFAULTS.other_day


def extract_dates(question: str) -> list[DateHint]:
    return [hint for _start, _end, hint in date_mentions(question)]


def date_mentions(text: str) -> list[tuple[int, int, DateHint]]:
    """The dates ``text`` names, with their spans, in the order the patterns find them (the
    fullest form first: "October 4, 2023" is not also read as "October 2023")."""
    found: list[tuple[int, int, DateHint]] = []
    for pattern, order in DATE_PARTS:
        for match in pattern.finditer(text):
            if any(s <= match.start() < e for s, e, _ in found):
                continue  # "October 4, 2023" already matched; don't add "October 2023"
            parts = dict(zip(order, match.groups(), strict=True))
            month = int(parts["m"]) if parts["m"].isdigit() else month_number(parts["m"])
            if not 1 <= month <= 12:
                continue
            day = int(parts["d"]) if "d" in parts else None
            found.append((match.start(), match.end(), DateHint(int(parts["y"]), month, day)))
    return found
