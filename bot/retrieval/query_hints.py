"""What a news question says about *where* and *when*: outlets and dates it names.

"according to TechCrunch", "the Sporting News article", "published on October 4, 2023":
these hints let retrieval boost chunks whose metadata match. Outlet names are matched
against the outlets actually present in the index, so nothing is hard-coded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.language.patterns import DATE_PARTS, about_the_present, month_number
from bot.language.wordlists import word_list

_GENERIC = word_list("generic_outlet_words")  # "News", "Life": not an outlet on their own


@dataclass(frozen=True)
class HintConfig:
    """Initial choices, not tuned; the weight of a date match (RetrievalWeights.date) was tuned with them."""

    same_month: float = 0.5  # a date without a day, published in that month (the same day: 1.0)
    other_day: float = 0.25  # a date with a day, published on another day of that month
    min_alias_chars: int = 3  # shorter outlet aliases are too ambiguous to match


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


@dataclass
class QueryHints:
    sources: set[str] = field(default_factory=set)
    dates: list[DateHint] = field(default_factory=list)
    present: bool = False  # about the present ("now", "latest", "still"): the newest should lead

    def date_score(self, published_at: str) -> float:
        return max((d.matches(published_at) for d in self.dates), default=0.0)


def extract_dates(question: str) -> list[DateHint]:
    hints: list[DateHint] = []
    taken: list[tuple[int, int]] = []
    for pattern, order in DATE_PARTS:
        for match in pattern.finditer(question):
            if any(s <= match.start() < e for s, e in taken):
                continue  # "October 4, 2023" already matched; don't add "October 2023"
            parts = dict(zip(order, match.groups(), strict=True))
            month = int(parts["m"]) if parts["m"].isdigit() else month_number(parts["m"])
            if not 1 <= month <= 12:
                continue
            day = int(parts["d"]) if "d" in parts else None
            hints.append(DateHint(int(parts["y"]), month, day))
            taken.append(match.span())
    return hints


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


def _aliases(source: str) -> set[str]:
    """'The Independent - Life and Style' → that, 'The Independent' and 'Independent'."""
    names = {source.strip()}
    for sep in (" | ", " - ", ": "):
        head = source.split(sep, maxsplit=1)[0].strip()
        names.add(head)
    for part in source.split(","):
        names.add(part.strip())
    names |= {n[4:] for n in names if n.lower().startswith("the ")}
    return {
        n
        for n in names
        if len(n) >= _DEFAULTS.min_alias_chars and n.lower() not in _GENERIC and not n.isdigit()
    }


def analyse(question: str, matcher: SourceMatcher) -> QueryHints:
    return QueryHints(
        sources=matcher.find(question), dates=extract_dates(question), present=about_the_present(question)
    )
