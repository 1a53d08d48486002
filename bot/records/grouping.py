"""Near-duplicate questions grouped: "Who leads Russia's delegation?" and "who is leading the
russian delegation" are one question to an editor counting what readers ask.

Two questions are one when their content terms (stemmed, stopwords dropped) mostly agree;
a term matches a longer one it begins ("russia" ~ "russian"). Names differ in one term, so
"…Ukraine's delegation" against "…Russia's delegation" stays apart (3 of 5 terms shared is
under ``SAME``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from bot.language.text import terms

SAME = 0.75  # share of terms two questions must have in common (Jaccard) to be one group
PREFIX_CHARS = 4  # a term this long matches a longer term it begins (russia ~ russian)
MERGE_KEYS = 2000  # distinct phrasings compared pairwise (the most asked); the rest are kept as they are


@dataclass
class Group:
    """Questions counted as one: the most common phrasing first."""

    text: str
    count: int
    variants: list[str] = field(default_factory=list)  # other phrasings, most common first
    articles: list[str] = field(default_factory=list)  # the article pages it was asked on

    def as_row(self) -> dict[str, object]:
        return {"question": self.text, "count": self.count, "variants": " | ".join(self.variants)}


@dataclass
class _Bucket:
    terms: frozenset[str]
    phrasings: Counter[str] = field(default_factory=Counter)
    articles: Counter[str] = field(default_factory=Counter)


def group_questions(asked: Iterable[tuple[str, str | None]], limit: int = 20) -> list[Group]:
    """``asked``: (question, article page or None) per question asked; the ``limit`` largest
    groups, largest first."""
    buckets = _exact(asked)
    ranked = sorted(buckets, key=lambda b: -sum(b.phrasings.values()))
    merged: list[_Bucket] = []
    for bucket in ranked[:MERGE_KEYS]:
        home = next((m for m in merged if _similar(m.terms, bucket.terms)), None)
        if home is None:
            merged.append(bucket)
        else:
            home.phrasings.update(bucket.phrasings)
            home.articles.update(bucket.articles)
    merged.extend(ranked[MERGE_KEYS:])
    groups = [_group(b) for b in merged]
    return sorted(groups, key=lambda g: (-g.count, g.text))[:limit]


def _exact(asked: Iterable[tuple[str, str | None]]) -> list[_Bucket]:
    """Questions with the same content terms (case, punctuation and word order aside)."""
    buckets: dict[frozenset[str], _Bucket] = {}
    for question, article in asked:
        key = frozenset(terms(question)) or frozenset([question.strip().lower()])
        bucket = buckets.setdefault(key, _Bucket(key))
        bucket.phrasings[" ".join(question.split())] += 1
        if article:
            bucket.articles[article] += 1
    return list(buckets.values())


def _similar(a: frozenset[str], b: frozenset[str]) -> bool:
    shared = sum(1 for term in a if any(_same_term(term, other) for other in b))
    return shared / (len(a) + len(b) - shared) >= SAME


def _same_term(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= PREFIX_CHARS and long.startswith(short)


def _group(bucket: _Bucket) -> Group:
    (text, _), *others = bucket.phrasings.most_common()
    return Group(
        text=text,
        count=sum(bucket.phrasings.values()),
        variants=[phrasing for phrasing, _ in others[:3]],
        articles=[article for article, _ in bucket.articles.most_common(3)],
    )
