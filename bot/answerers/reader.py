"""The reader: a model fitted here that judges how likely a sentence is to answer a question.

It reads what the answerer already knows of each shortlisted sentence — MiniLM's similarity,
the IDF-weighted word match, the asked kind found, what each scorer of ``scoring.py`` added, the
sentence's place — and of the whole scope (how much of the question the article mentions at
all, whether the names asked about appear), and gives the probability that the sentence is the
one that answers. The best probability in the scope is the question's answerability: below the
model's bar the answerer refuses. A logistic regression: its weights are a small JSON file
(``bot/answerers/data/reader.json``, card beside it) fitted by ``python -m bot.eval.train_reader``
on MultiHop-RAG dev's training part, never on the sets the answers are measured on.

``FEATURES`` is the one list of what the model reads; the file names its features and a file
fitted on another list is refused, so a model and this code cannot drift apart silently.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.answerers.scoring import SCORERS, Candidate, Scored
from bot.language.text import is_stopword, terms
from bot.language.wordlists import word_list
from index.encoder import TokenEncoding
from index.errors import ConfigError

DEFAULT_READER = Path(__file__).resolve().parent / "data" / "reader.json"

# Scorers whose contribution is a feature of its own; words, kind and rank are features already
# and the strict kind is a constraint (a sentence without the asked phrase is never shortlisted).
_OWN = {"words", "kind", "rank", "strict kind"}
SCORER_FEATURES = tuple(s.name for s in SCORERS if s.score is not None and s.name not in _OWN)
FEATURES: tuple[str, ...] = (
    "semantic",  # MiniLM's cosine with the question
    # Each content word piece of the question against the sentence's pieces (MiniLM's
    # contextual vectors): its best match; the weakest such match ("price" in a sentence about
    # sales) and their mean. Measured on eval/readers.jsonl's best sentences: median weakest
    # match 0.20 for unanswerable questions, 0.44 for answered ones.
    "align min",
    "align mean",
    "words",  # IDF-weighted share of the question's terms in the sentence
    "kind found",  # it holds a phrase of the asked kind
    "rules",  # the hand-weighted score before the semantic stage (carry-over included)
    "position",  # place among the scope's candidates (0 first, 1 last)
    "lede",  # the scope's first candidate
    "log words",
    *(f"scorer: {name}" for name in SCORER_FEATURES),
    "window words",  # the word match of the sentence with the one before it (same passage)
    "asked words",  # IDF-weighted share of the question's terms beyond the title's in the window
    "asked in scope",  # ...and anywhere in the scope: "the attendance" an article never mentions
    "scope words",  # IDF-weighted share of the question's terms found anywhere in the scope
    "names missing",  # most names/numbers the question asks about appear nowhere in the scope
    "semantic gap",  # the best shortlisted similarity minus this one
    "words gap",  # the best word match minus this one
    "log question terms",
    "yes/no",
)
_NO_TOPIC = word_list("function_words")  # "what", "how", "did": asked by every question, aligned with nothing


class ReaderError(ConfigError):
    """The reader's weights are missing, malformed or were fitted on another feature list."""


@dataclass(frozen=True)
class ReaderModel:
    """A fitted logistic regression over ``FEATURES`` (standardised), and the bar below which
    the best sentence's probability means "the scope does not answer this"."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    bar: float

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        z = ((rows - self.mean) / self.scale) @ self.coef + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=float)

    def to_json(self, **about: object) -> str:
        return json.dumps(
            {
                "features": list(FEATURES),
                "mean": self.mean.tolist(),
                "scale": self.scale.tolist(),
                "coef": self.coef.tolist(),
                "intercept": self.intercept,
                "bar": self.bar,
                **about,
            },
            indent=1,
        )

    @classmethod
    def from_file(cls, path: Path) -> ReaderModel:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ReaderError(f"The reader model {path} cannot be read: {err}") from err
        if not isinstance(data, dict) or tuple(data.get("features", ())) != FEATURES:
            raise ReaderError(
                f"The reader model {path} was fitted on other features: "
                "refit it with `python -m bot.eval.train_reader`."
            )
        try:
            model = cls(
                np.array(data["mean"], dtype=float),
                np.array(data["scale"], dtype=float),
                np.array(data["coef"], dtype=float),
                float(data["intercept"]),
                float(data["bar"]),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise ReaderError(f"The reader model {path} is malformed: {err!r}") from err
        if not model.well_formed():
            raise ReaderError(
                f"The reader model {path} is malformed: one finite value per feature, scales above 0 "
                "and a bar between 0 and 1 are needed."
            )
        return model

    def well_formed(self) -> bool:
        arrays = (self.mean, self.scale, self.coef)
        return (
            all(a.shape == (len(FEATURES),) and bool(np.isfinite(a).all()) for a in arrays)
            and bool((self.scale > 0).all())
            and math.isfinite(self.intercept)
            and 0.0 < self.bar < 1.0
        )


@lru_cache(maxsize=4)
def load_reader(path: Path = DEFAULT_READER) -> ReaderModel:
    """The model at ``path``, read once per process."""
    return ReaderModel.from_file(path)


@dataclass(frozen=True)
class ScopeFacts:
    """What the whole scope says about the question, the same for each of its sentences."""

    asked: frozenset[str]  # the question's terms
    beyond_title: frozenset[str]  # ...that the scope's titles do not hold: what is asked of the story
    idf: Callable[[str], float]
    words: float
    asked_in_scope: float
    names_missing: bool
    best_semantic: float
    best_words: float

    def share(self, wanted: frozenset[str], found: frozenset[str]) -> float:
        """IDF-weighted share of ``wanted`` in ``found`` (1 when nothing is wanted)."""
        weight = sum(self.idf(t) for t in wanted)
        return sum(self.idf(t) for t in wanted & found) / weight if weight else 1.0


def scope_facts(
    query: str,
    titles: Sequence[str],
    candidates: Sequence[Candidate],
    shortlist: Sequence[Candidate],
    idf: Callable[[str], float],
    names_missing: bool,
) -> ScopeFacts:
    asked = frozenset(terms(query))
    titled = frozenset(t for title in titles for t in terms(title))
    seen = frozenset().union(*(c.terms for c in candidates))
    weight = sum(idf(t) for t in asked) or 1.0
    beyond = asked - titled
    return ScopeFacts(
        asked=asked,
        beyond_title=beyond,
        idf=idf,
        asked_in_scope=sum(idf(t) for t in beyond & seen) / (sum(idf(t) for t in beyond) or 1.0),
        words=sum(idf(t) for t in asked & seen) / weight,
        names_missing=names_missing,
        best_semantic=max((c.semantic for c in shortlist), default=0.0),
        best_words=max((c.lexical for c in shortlist), default=0.0),
    )


def alignment(question: TokenEncoding, sentence: TokenEncoding) -> tuple[float, float]:
    """(the weakest, the mean) best match of the question's content pieces in the sentence."""
    keep = [i for i, piece in enumerate(question.pieces) if _content_piece(piece)]
    if not keep or not len(sentence.matrix):
        return 0.0, 0.0
    best = (question.matrix[keep] @ sentence.matrix.T).max(axis=1)
    return float(best.min()), float(best.mean())


def _content_piece(piece: str) -> bool:
    """A whole word of three letters or more that names a topic ("##ing" continues a word)."""
    return piece.isalpha() and len(piece) > 2 and not is_stopword(piece) and piece not in _NO_TOPIC


def feature_rows(
    shortlist: Sequence[Candidate],
    positions: Sequence[int],
    candidates: Sequence[Candidate],
    rules: Sequence[float],
    aligned: Sequence[tuple[float, float]],
    scored: Scored,
    scope: ScopeFacts,
) -> np.ndarray:
    """One row of ``FEATURES`` per shortlisted candidate (``positions``: their places among the
    scope's ``candidates``; ``rules``: their scores before the semantic stage; ``aligned``:
    their ``alignment`` with the question)."""
    total = len(candidates)
    rows = []
    for cand, at, rule, (weakest, mean) in zip(shortlist, positions, rules, aligned, strict=True):
        window = cand.terms
        if at > 0 and candidates[at - 1].passage == cand.passage:
            window = window | candidates[at - 1].terms
        rows.append(
            [
                cand.semantic,
                weakest,
                mean,
                cand.lexical,
                float(cand.typed),
                rule,
                at / max(total - 1, 1),
                float(at == 0),
                math.log1p(len(cand.text.split())),
                *(cand.parts.get(name, 0.0) for name in SCORER_FEATURES),
                scope.share(scope.asked, window),
                scope.share(scope.beyond_title, window),
                scope.asked_in_scope,
                scope.words,
                float(scope.names_missing),
                scope.best_semantic - cand.semantic,
                scope.best_words - cand.lexical,
                math.log1p(len(scope.asked)),
                float(scored.reading.yes_no),
            ]
        )
    return np.array(rows, dtype=float).reshape(len(rows), len(FEATURES))
