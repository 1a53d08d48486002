"""Evidence sentences of an evaluation set: which sentence of an article answers a question.

A (question, evidence article) pair holds the evidence facts the set gives for that article; a
sentence is evidence when it is one of them (or lies inside one, or holds one: sentence
splitting and the dataset's fact boundaries differ by a clause now and then). Used to measure
sentence selection and to fit the reader, on the parts of ``bot.eval.splits``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.eval.dataset import EvalQuestion
from bot.eval.splits import held_out
from index.loaders import slugify

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Pair:
    question: str
    article_id: str
    facts: tuple[str, ...]  # whitespace removed


def bare(text: str) -> str:
    return _SPACE.sub("", text)


def is_evidence(sentence: str, facts: Sequence[str]) -> bool:
    """The sentence is one of the facts, or lies inside one, or holds one."""
    text = bare(sentence)
    return any(text in fact or fact in text for fact in facts if text and fact)


def in_part(article_id: str, part: str) -> bool:
    """``part``: "train", "held-out" or "all" (``bot.eval.splits``)."""
    return part == "all" or (part == "held-out") == held_out(article_id)


def pairs_of(questions: Sequence[EvalQuestion], part: str) -> list[Pair]:
    """Every (answerable question, evidence article) pair whose article is in ``part``."""
    found: dict[tuple[str, str], list[str]] = {}
    for item in questions:
        if not item.answerable:
            continue
        for fact in item.evidence_facts:
            article = slugify(Path(fact.article).stem)  # the id the index gave the file
            if in_part(article, part):
                found.setdefault((item.question, article), []).append(bare(fact.fact))
    return [Pair(q, a, tuple(f)) for (q, a), f in found.items()]
