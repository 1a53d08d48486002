"""Metrics that need no LLM. Retrieval uses the MultiHop-RAG rule.

A question is a hit at rank r when one of its evidence facts, with all whitespace
removed, is a substring of the r-th retrieved chunk (same normalisation). When only
article-level ``evidence`` is given, a chunk of an evidence article counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    return _WS.sub("", text)


@dataclass(frozen=True)
class RetrievedChunk:
    article_id: str
    text: str


def first_hit_rank(
    retrieved: Sequence[RetrievedChunk], facts: Iterable[str], evidence_articles: Iterable[str] = ()
) -> int | None:
    """1-based rank of the first retrieved chunk holding evidence; ``None`` when none does."""
    squashed = [squash(f) for f in facts if f.strip()]
    articles = set(evidence_articles)
    for rank, chunk in enumerate(retrieved, start=1):
        if squashed:
            text = squash(chunk.text)
            if any(fact in text for fact in squashed):
                return rank
        elif chunk.article_id in articles:
            return rank
    return None


def retrieval_scores(ranks: Sequence[int | None]) -> dict[str, float | None]:
    """Hits@4, Hits@10 and MRR@10 over questions (ranks from :func:`first_hit_rank`)."""
    if not ranks:
        return {"hits@4": None, "hits@10": None, "mrr@10": None}
    n = len(ranks)
    return {
        "hits@4": sum(1 for r in ranks if r is not None and r <= 4) / n,
        "hits@10": sum(1 for r in ranks if r is not None and r <= 10) / n,
        "mrr@10": sum(1 / r for r in ranks if r is not None and r <= 10) / n,
    }
