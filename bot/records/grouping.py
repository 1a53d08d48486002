"""Near-duplicate questions grouped: "Who leads Russia's delegation?" and "who is leading the
russian delegation" are one question to an editor counting what readers ask.

Two questions are one when their content terms (stemmed, stopwords dropped) mostly agree;
a term matches a longer one it begins ("russia" ~ "russian"). Names differ in one term, so
"…Ukraine's delegation" against "…Russia's delegation" stays apart (3 of 5 terms shared is
under ``SAME``).

At the page's scale (200k questions: ~100k different (question, page) pairs, ~50k groups) the
work is done once per different value: the questions are counted first (``Counter``, in C),
a question's terms are found once (``QuestionKeys``, shared by the page's two groupings),
the questions with the same terms are counted in plain dicts of strings (which Python's
garbage collector need not walk), and only the groups that can be among the largest are
made into ``Group``s.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter

from bot.language.text import terms, words

SAME = 0.75  # share of terms two questions must have in common (Jaccard) to be one group
PREFIX_CHARS = 4  # a term this long matches a longer term it begins (russia ~ russian)
# Distinct phrasings merged (the most asked); the rest are kept as they are. 500: a page view
# of 20k questions (7.7k distinct) took 0.9 s here, 2,000 took 4.4 s.
MERGE_KEYS = 500

Asked = tuple[str, str | None]  # a question as asked, and the article page it was asked on
# A question's set of terms as one string: its terms sorted, joined by spaces (a term has
# none); a question without terms is its lowercased text after NO_TERMS.
Signature = str
NO_TERMS = "\x00"


@dataclass
class Group:
    """Questions counted as one: the most common phrasing first."""

    text: str
    count: int
    variants: list[str] = field(default_factory=list)  # other phrasings, most common first
    articles: list[str] = field(default_factory=list)  # the article pages it was asked on


@dataclass(frozen=True)
class Grouping:
    top: list[Group]  # the largest groups, largest first
    distinct: int  # groups in all


class QuestionKeys:
    """A question's signature (its set of terms) and its phrasing (spacing made single). A
    page's questions repeat, more so lowercased, and their words far more: each is worked
    out once per question, the signature once per lowercased question, a word's terms once."""

    def __init__(self) -> None:
        self._questions: dict[str, tuple[Signature, str]] = {}
        self._signatures: dict[str, Signature] = {}  # lowercased question → its signature
        self._word_terms = _WordTerms()

    def __call__(self, question: str) -> tuple[Signature, str]:
        known = self._questions.get(question)
        if known is None:
            phrasing = " ".join(question.split())
            known = self._questions[question] = (self._signature(question.lower()), phrasing)
        return known

    def _signature(self, lowered: str) -> Signature:
        signature = self._signatures.get(lowered)
        if signature is None:
            found = sorted(set(self.terms(lowered)))
            signature = " ".join(found) if found else NO_TERMS + lowered.strip()
            self._signatures[lowered] = signature
        return signature

    def terms(self, question: str) -> list[str]:
        """``terms(question)``, a word at a time: each word's terms are its own (lowercased,
        apostrophes, stopwords and the stem all go by the word alone)."""
        return list(chain.from_iterable(map(self._word_terms.__getitem__, words(question.lower()))))


class _WordTerms(dict[str, list[str]]):
    """A word's terms, found the first time it is asked for (a dict hit stays in C)."""

    def __missing__(self, word: str) -> list[str]:
        found = self[word] = terms(word)
        return found


@dataclass(slots=True)
class _Bucket:
    """Questions with the same terms, or a group of them once merged."""

    terms: frozenset[str]
    count: int
    phrasings: dict[str, int]  # phrasing → times asked, in the order first asked
    articles: dict[str, int]

    def absorb(self, other: _Bucket) -> None:
        self.count += other.count
        _add(self.phrasings, other.phrasings)
        _add(self.articles, other.articles)


@dataclass(frozen=True)
class _Exact:
    """Questions with the same terms (case, punctuation and word order aside), by signature
    in the order first asked; plain dicts of strings and numbers."""

    counts: dict[Signature, int]
    phrasings: dict[Signature, dict[str, int]]
    articles: dict[Signature, dict[str, int]]

    def bucket(self, signature: Signature) -> _Bucket:
        return _Bucket(
            _terms_of(signature),
            self.counts[signature],
            self.phrasings[signature],
            self.articles[signature],
        )


def group_questions(asked: Iterable[Asked], limit: int = 20) -> list[Group]:
    """``asked``: (question, article page or None) per question asked; the ``limit`` largest
    groups, largest first."""
    return count_groups(Counter(asked), limit).top


def count_groups(asked: Mapping[Asked, int], limit: int, keys: QuestionKeys | None = None) -> Grouping:
    """``asked``: how often each (question, article page or None) was asked, in the order
    first asked (a ``Counter`` keeps it: ties are broken by it); the ``limit`` largest groups
    and how many there are in all."""
    exact = _exact(asked, keys or QuestionKeys())
    ranked = sorted(exact.counts, key=lambda s: -exact.counts[s])
    merged = _merge([exact.bucket(s) for s in ranked[:MERGE_KEYS]])
    rest = ranked[MERGE_KEYS:]  # kept as they are
    return Grouping(top=_largest(merged, rest, exact, limit), distinct=len(merged) + len(rest))


def _exact(asked: Mapping[Asked, int], keys: QuestionKeys) -> _Exact:
    exact = _Exact({}, {}, {})
    counts, phrasings, articles = exact.counts, exact.phrasings, exact.articles
    for (question, article), times in asked.items():
        signature, phrasing = keys(question)
        if signature not in counts:
            counts[signature], phrasings[signature], articles[signature] = 0, {}, {}
        counts[signature] += times
        same = phrasings[signature]
        same[phrasing] = same.get(phrasing, 0) + times
        if article:
            pages = articles[signature]
            pages[article] = pages.get(article, 0) + times
    return exact


def _merge(ranked: list[_Bucket]) -> list[_Bucket]:
    """Each bucket joins the first (most asked) similar group before it, or starts one."""
    merged: list[_Bucket] = []
    holding: dict[str, list[int]] = {}  # term key → the merged groups with a term of that key
    for bucket in ranked:
        home = next(
            (merged[i] for i in _candidates(bucket, holding) if _similar(merged[i].terms, bucket.terms)), None
        )
        if home is not None:
            home.absorb(bucket)
            continue
        merged.append(bucket)
        for key in {_key(term) for term in bucket.terms}:
            holding.setdefault(key, []).append(len(merged) - 1)
    return merged


def _largest(merged: list[_Bucket], rest: list[Signature], exact: _Exact, limit: int) -> list[Group]:
    """The ``limit`` largest groups, largest first (ties: by text). Only those at least as
    large as the ``limit``-th are made into groups: the rest cannot be shown."""
    if limit <= 0:
        return []
    counts = [b.count for b in merged] + [exact.counts[s] for s in rest]
    least = heapq.nlargest(limit, counts)[-1] if limit < len(counts) else 0
    shown = [b for b in merged if b.count >= least] + [
        exact.bucket(s) for s in rest if exact.counts[s] >= least
    ]
    return sorted(map(_group, shown), key=lambda g: (-g.count, g.text))[:limit]


def _terms_of(signature: Signature) -> frozenset[str]:
    if signature.startswith(NO_TERMS):
        return frozenset([signature.removeprefix(NO_TERMS)])
    return frozenset(signature.split(" "))


def _add(counts: dict[str, int], more: Mapping[str, int]) -> None:
    for item, times in more.items():
        counts[item] = counts.get(item, 0) + times


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
    text, *others = _most_common(bucket.phrasings)
    articles = _most_common(bucket.articles)
    return Group(text=text, count=bucket.count, variants=others[:3], articles=articles[:3])


def _most_common(counts: dict[str, int]) -> list[str]:
    """Most common first; ties in the order first asked (as ``Counter.most_common``)."""
    return [item for item, _ in sorted(counts.items(), key=itemgetter(1), reverse=True)]
