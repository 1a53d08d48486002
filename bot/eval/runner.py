"""Run a question set through the chatbot and score every answer (no LLM judge needed)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document

from bot.chatbot import Chatbot
from bot.eval.dataset import EvalQuestion
from bot.eval.metrics import (
    RetrievedChunk,
    answer_correct,
    faithfulness,
    first_hit_rank,
    groups_present,
    passage_has_evidence,
    refusal_scores,
    retrieval_scores,
    says,
    token_f1,
)
from bot.language.patterns import display_date
from bot.language.wordlists import word_list
from bot.question import Question
from bot.schemas import Answer, ChatTurn, Citation
from bot.stats import percentile
from index.errors import NewsbotError, NotFoundError

if TYPE_CHECKING:
    from bot.articles import ArticleLibrary


def run_question(
    chatbot: Chatbot, item: EvalQuestion, k: int, library: ArticleLibrary | None = None
) -> dict[str, Any]:
    """One question: ask (with its history), then every per-question metric. ``library`` finds
    the article of a question scoped by page URL (without one, such a question fails)."""
    passages: list[Document] = []
    history = [ChatTurn(question=q, answer=a) for q, a in item.history]
    try:
        question = Question(item.question, tuple(history), article_id=_article_id(item, library))
        answer = chatbot.ask(question, passages_out=passages)
        error = None
    except NewsbotError as err:  # a rejected question is a result, not a crash
        answer = Answer(
            text="", refused=True, answerer="error", question=item.question, standalone_question=item.question
        )
        error = str(err)
    facts = [f.fact for f in item.evidence_facts]
    retrieved = [RetrievedChunk(str(d.metadata.get("article_id")), d.page_content) for d in passages[:k]]
    texts = {str(d.id): d.page_content for d in passages}
    good = [
        passage_has_evidence(texts.get(c.chunk_id, c.quote), item.answers, facts) for c in answer.citations
    ]
    evidence_ids = item.evidence_ids
    return {
        "id": item.id,
        "type": item.type,
        "question": item.question,
        "article": item.article_url or item.article,
        "note": item.note,
        "gold": item.answers,
        "answerable": item.answerable,
        "standalone_question": answer.standalone_question,
        "answer": answer.text,
        "refused": answer.refused,
        "error": error,
        "notice": answer.notice,
        "citations": [
            {"n": c.n, "article_id": c.article_id, "quote": c.quote, "start": c.start, "end": c.end}
            for c in answer.citations
        ],
        # Retrieval is scored only where the set names evidence (a spreadsheet's set names none).
        "has_evidence": bool(item.answerable and evidence_ids),
        "hit_rank": first_hit_rank(retrieved, facts, evidence_ids)
        if item.answerable and evidence_ids
        else None,
        "correct": (False if answer.refused else _correct(answer.text, item)) if item.answerable else None,
        "f1": (0.0 if answer.refused else token_f1(answer.text, item.answers)) if item.answerable else None,
        "faithful": faithfulness(
            answer.text,
            {c.n: c.quote for c in answer.citations},
            {c.n: _byline(c) for c in answer.citations},
        ),
        "citations_good": sum(good),
        "citations_total": len(good),
        "evidence_cited": (any(good) or any(c.article_id in evidence_ids for c in answer.citations))
        if item.answerable
        else None,
        "violations": [s for s in item.must_not_contain if says(answer.text, s)],
        "latency_ms": answer.timings.total_ms,
    }


def _article_id(item: EvalQuestion, library: ArticleLibrary | None) -> str | None:
    """The id of the article the question is scoped to; a page URL is looked up the way the web
    app looks up the widget's page. Unlike the widget (which then searches every article), an
    unknown URL fails the question: in a question set it is a mistake, and an unscoped answer
    would be scored as if it were scoped."""
    if item.article_url is None:
        return item.article
    found = library.find_by_url(item.article_url) if library else None
    if found is None:
        raise NotFoundError(f"No indexed article has the URL {item.article_url}.")
    return found.article_id


def _byline(citation: Citation) -> str:
    """The cited article's own data, as the answers about the article show it."""
    fields = (citation.title, citation.source, citation.author, citation.url)
    shown = [f for f in fields if f and f.lower() not in word_list("missing_values")]
    return " ".join([*shown, display_date(citation.published_at)])


def _correct(text: str, item: EvalQuestion) -> bool | None:
    """The gold groups when the question has them, else any gold answer (every one for lists)."""
    if item.gold:
        return groups_present(text, item.gold)
    return answer_correct(text, item.answers, item.type)


def aggregate(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The summary block (overall or for one type); ``None`` where a metric does not apply."""
    answerable = [r for r in rows if r["answerable"]]
    with_evidence = [r for r in answerable if r.get("has_evidence", r["hit_rank"] is not None)]
    cited_total = sum(r["citations_total"] for r in rows)
    judged = sum(r["faithful"][1] for r in rows)
    latencies = [r["latency_ms"] for r in rows if r["error"] is None]
    return {
        "questions": len(rows),
        "retrieval": retrieval_scores([r["hit_rank"] for r in with_evidence]),
        "answer": {
            "accuracy": _mean([r["correct"] for r in answerable]),
            "f1": _mean([r["f1"] for r in answerable]),
        },
        "citation": {
            "precision": sum(r["citations_good"] for r in rows) / cited_total if cited_total else None,
            "recall": _mean([r["evidence_cited"] for r in answerable]),
            # Share of cited answer sentences supported by the sentence they cite (metrics.faithfulness).
            "faithfulness": sum(r["faithful"][0] for r in rows) / judged if judged else None,
        },
        "refusal": refusal_scores([r["refused"] for r in rows], [not r["answerable"] for r in rows]),
        "must_not_contain": {"violations": sum(len(r["violations"]) for r in rows)},
        "latency": {"p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95)},
    }


def evaluate(
    chatbot: Chatbot,
    questions: Sequence[EvalQuestion],
    k: int = 10,
    progress: bool = True,
    library: ArticleLibrary | None = None,
) -> dict[str, Any]:
    """Every question's row (``per_question``) and the summary over them, overall and by type;
    ``library`` (the articles of the chatbot's index) resolves questions scoped by page URL."""
    from tqdm import tqdm

    rows = [
        run_question(chatbot, item, k, library)
        for item in tqdm(questions, desc="questions", unit="q", file=sys.stderr, disable=not progress)
    ]
    summary = aggregate(rows)
    summary["by_type"] = {
        t: aggregate([r for r in rows if r["type"] == t]) for t in sorted({r["type"] for r in rows})
    }
    summary["answerer"] = chatbot.answerer.name
    summary["k"] = k
    summary["per_question"] = rows
    return summary


def _mean(values: Sequence[Any]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None
