"""Metrics that need no LLM. Retrieval uses the MultiHop-RAG rule.

A question is a hit at rank r when one of its evidence facts, with all whitespace
removed, is a substring of the r-th retrieved chunk (same normalisation). When only
article-level ``evidence`` is given, a chunk of an evidence article counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.language.patterns import CITATION, CITATION_RUN

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


_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = re.compile(r"[^\w\s%]")


def normalize(text: str) -> str:
    """Lowercase, no markdown/punctuation/articles, single spaces (SQuAD-style)."""
    text = text.lower().replace("**", "").replace("’", "'")
    text = CITATION.sub(" ", text)
    text = _PUNCT.sub(" ", text)
    return " ".join(_ARTICLES.sub(" ", text).split())


def says(answer: str, phrase: str) -> bool:
    """Whether the answer says ``phrase`` (a ``must_not_contain`` text): as whole words, case
    aside, both read as the reader sees them — without bold markers or [n] citations, so that
    "**Hayes** [2]" says "Hayes" and "**Hayes**", and "yes" is not said by "yesterday"."""
    wanted = _as_read(phrase)
    return bool(wanted) and re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", _as_read(answer)) is not None


def _as_read(text: str) -> str:
    return " ".join(CITATION_RUN.sub("", text.replace("**", "")).lower().split())


def answer_correct(answer: str, gold: Sequence[str], qtype: str) -> bool | None:
    """Gold appears in the answer: every item for list questions, any variant otherwise."""
    if not gold:
        return None
    said = f" {normalize(answer)} "
    found = [f" {normalize(g)} " in said for g in gold if normalize(g)]
    return all(found) if qtype == "list" else any(found)


def groups_present(answer: str, groups: Sequence[Sequence[str]]) -> bool | None:
    """Every group has one of its alternative phrases in the answer (normalised)."""
    if not groups:
        return None
    said = f" {normalize(answer)} "
    return all(any(f" {normalize(p)} " in said for p in group if normalize(p)) for group in groups)


def token_f1(answer: str, gold: Sequence[str]) -> float | None:
    """Best token F1 of the answer against any gold string."""
    if not gold:
        return None
    said = normalize(answer).split()
    best = 0.0
    for g in gold:
        truth = normalize(g).split()
        common = sum(min(said.count(t), truth.count(t)) for t in set(truth))
        if common:
            precision, recall = common / len(said), common / len(truth)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def passage_has_evidence(text: str, gold: Sequence[str], facts: Sequence[str]) -> bool:
    """A cited passage is good when it holds a gold answer or an evidence fact."""
    squashed = squash(text)
    if any(squash(f) in squashed for f in facts if f.strip()):
        return True
    normalized = f" {normalize(text)} "
    return any(f" {normalize(g)} " in normalized for g in gold if normalize(g) and len(normalize(g)) > 2)


def refusal_scores(refused: Sequence[bool], unanswerable: Sequence[bool]) -> dict[str, float | None]:
    """Precision: refusals that were right; recall: unanswerable questions refused."""
    pairs = list(zip(refused, unanswerable, strict=True))
    refusals = sum(1 for r, _ in pairs if r)
    impossible = sum(1 for _, u in pairs if u)
    right = sum(1 for r, u in pairs if r and u)
    return {
        "precision": right / refusals if refusals else None,
        "recall": right / impossible if impossible else None,
    }


# A cited answer sentence is faithful when the sentence it cites (the citation's quote)
# supports it by the rule the LLM answers are verified with (bot/drafting/citations.py
# ``support``): every name and number of the claim is in that sentence, at least
# ``CitationConfig.min_support`` of its content words are, and it keeps the negation and hedging
# of the clause it restates. Measured on the final answers, after repairs and fallbacks.
_VERDICT = re.compile(r"^(?:Yes|No)\s+—\s+")


def faithfulness(text: str, quotes: dict[int, str], bylines: dict[int, str] | None = None) -> tuple[int, int]:
    """(faithful, judged) over the answer's sentences that cite something; ``quotes``: n → quote.

    ``bylines`` (n → the cited article's title, outlet, author, date and link) support claims
    about the article itself ("… was written by Jane Doe [1]"): judged against those alone."""
    from bot.drafting.citations import CitationConfig, split_claims, support

    faithful = judged = 0
    for sentence, cited in split_claims(text.replace("**", "")):
        if not cited:
            continue  # the bot's own framing ("the articles don't say…") cites nothing
        judged += 1
        claim = _VERDICT.sub("", sentence)  # a yes/no verdict is the answerer's, judged by its own rule
        sources = [quotes.get(n, "") for n in cited] + [(bylines or {}).get(n, "") for n in cited]
        if any(support(claim, source) >= CitationConfig.min_support for source in sources if source):
            faithful += 1
    return faithful, judged
