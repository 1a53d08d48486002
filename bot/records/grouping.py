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
# Distinct phrasings merged (the most asked); the rest are kept as they are. 500: a page view
# of 20k questions (7.7k distinct) took 0.9 s here, 2,000 took 4.4 s.
MERGE_KEYS = 500


@dataclass
class Group:
    """Questions counted as one: the most common phrasing first."""

    text: str
    count: int
    variants: list[str] = field(default_factory=list)  # other phrasings, most common first
    articles: list[str] = field(default_factory=list)  # the article pages it was asked on


@dataclass
class _Bucket:
    terms: frozenset[str]
    phrasings: Counter[str] = field(default_factory=Counter)
    articles: Counter[str] = field(default_factory=Counter)


def group_questions(asked: Iterable[tuple[str, str | None]], limit: int = 20) -> list[Group]:
    """``asked``: (question, article page or None) per question asked; the ``limit`` largest
    groups, largest first."""
    ranked = sorted(_exact(asked), key=lambda b: -sum(b.phrasings.values()))
    merged: list[_Bucket] = []
    holding: dict[str, list[int]] = {}  # term key → the merged groups with a term of that key
    for bucket in ranked[:MERGE_KEYS]:
        home = next(
            (merged[i] for i in _candidates(bucket, holding) if _similar(merged[i].terms, bucket.terms)), None
        )
        if home is not None:
            home.phrasings.update(bucket.phrasings)
            home.articles.update(bucket.articles)
            continue
        merged.append(bucket)
        for key in {_key(term) for term in bucket.terms}:
            holding.setdefault(key, []).append(len(merged) - 1)
    merged.extend(ranked[MERGE_KEYS:])
    groups = [_group(b) for b in merged]
    return sorted(groups, key=lambda g: (-g.count, g.text))[:limit]


def _key(term: str) -> str:
    """Terms that can match (equal, or one begins the other) share this key."""
    return term[:PREFIX_CHARS]


def _candidates(bucket: _Bucket, holding: dict[str, list[int]]) -> list[int]:
    """The groups that could be similar enough: at SAME, a group shares all but a quarter of
    the bucket's terms, so it holds one of its ``quarter + 1`` rarest (fewest groups hold them);
    only those groups are compared, not every group."""
    keys = sorted({_key(t) for t in bucket.terms}, key=lambda k: len(holding.get(k, ())))
    rarest = keys[: int(len(keys) * (1 - SAME)) + 1]
    return sorted({i for k in rarest for i in holding.get(k, ())})


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
    """Jaccard over matching terms, the same whichever side is first (and at most 1)."""
    if not a or not b or min(len(a), len(b)) / max(len(a), len(b)) < SAME:
        return False
    keys_a, keys_b = {_key(t) for t in a}, {_key(t) for t in b}
    # Matching terms share a key: an upper bound that turns most pairs away cheaply.
    bound = min(sum(1 for t in a if _key(t) in keys_b), sum(1 for t in b if _key(t) in keys_a))
    if bound / (len(a) + len(b) - bound) < SAME:
        return False
    shared = min(
        sum(1 for term in a if any(_same_term(term, other) for other in b)),
        sum(1 for term in b if any(_same_term(term, other) for other in a)),
    )
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
