"""One question scored end to end on the fake seed bot, and the summary of many rows."""

from __future__ import annotations

from typing import Any

import pytest

from bot.articles import ArticleLibrary
from bot.eval.dataset import EvalQuestion, EvidenceFact
from bot.eval.runner import aggregate, evaluate, run_question
from bot.retrieval.lexical import LexicalIndex
from tests.corpus import SEED

SUMY = EvalQuestion(
    id="sumy",
    question="How many people did the missile strike in Sumy kill?",
    answers=["three", "3"],
    evidence=[SEED.name],
    evidence_facts=[
        EvidenceFact(article=SEED.stem, fact="a Russian missile strike killed at least three people")
    ],
    must_not_contain=["Sumy"],
)
CUP = EvalQuestion(id="cup", question="Who won the 2030 World Cup?", type="unanswerable")
EMPTY = EvalQuestion(id="empty", question="   ")


def test_an_answered_question_is_scored(seed_bot) -> None:
    row = run_question(seed_bot, SUMY, k=10)
    assert row["correct"] is True and row["refused"] is False and row["error"] is None
    assert row["hit_rank"] is not None and 1 <= row["hit_rank"] <= 10
    assert row["citations_total"] >= 1 and row["citations_good"] >= 1 and row["evidence_cited"] is True
    assert row["violations"] == ["Sumy"]  # the answer names what it must not
    assert row["f1"] is not None and row["f1"] > 0 and row["latency_ms"] > 0
    assert row["citations"][0]["article_id"] == SEED.stem


def test_an_unanswerable_question_has_no_accuracy(seed_bot) -> None:
    row = run_question(seed_bot, CUP, k=10)
    assert row["answerable"] is False and row["refused"] is True
    assert row["correct"] is None and row["f1"] is None and row["hit_rank"] is None


def test_a_rejected_question_is_a_result_not_a_crash(seed_bot) -> None:
    row = run_question(seed_bot, EMPTY, k=10)
    assert row["error"] == "Please type a question." and row["refused"] is True
    assert row["answer"] == "" and row["citations_total"] == 0


def rows(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "answerable": True,
        "gold": ["x"],
        "has_evidence": True,
        "hit_rank": 1,
        "correct": True,
        "f1": 1.0,
        "citations_good": 1,
        "citations_total": 1,
        "faithful": (1, 1),
        "evidence_cited": True,
        "refused": False,
        "violations": [],
        "latency_ms": 10.0,
        "error": None,
    }
    row.update(overrides)
    return row


def test_aggregate_over_rows() -> None:
    summary = aggregate(
        [
            rows(),
            rows(
                hit_rank=None, correct=False, f1=0.0, citations_good=0, evidence_cited=False, latency_ms=30.0
            ),
            rows(
                answerable=False,
                gold=[],
                hit_rank=None,
                correct=None,
                f1=None,
                refused=True,
                evidence_cited=None,
            ),
            rows(error="bad input", violations=["PWNED"], citations_total=0, citations_good=0),
        ]
    )
    assert summary["questions"] == 4
    assert summary["answer"]["accuracy"] == pytest.approx(2 / 3)
    assert summary["citation"]["precision"] == pytest.approx(2 / 3)
    assert summary["refusal"] == {"precision": 1.0, "recall": 1.0}
    assert summary["must_not_contain"]["violations"] == 1
    assert summary["latency"]["p50_ms"] == 10.0  # the failed question's latency is left out
    assert summary["retrieval"]["hits@4"] == pytest.approx(2 / 3)


def test_retrieval_is_scored_only_where_evidence_is_named() -> None:
    no_evidence = rows(has_evidence=False, hit_rank=None)  # a spreadsheet's question: no evidence column
    assert aggregate([rows(), no_evidence])["retrieval"]["hits@10"] == 1.0
    assert aggregate([no_evidence])["retrieval"]["hits@10"] is None  # shown as "–", not 0.000


def test_evaluate_groups_by_type(seed_bot) -> None:
    summary = evaluate(seed_bot, [SUMY, CUP], progress=False)
    assert set(summary["by_type"]) == {"factoid", "unanswerable"}
    assert summary["answerer"] == "extractive" and summary["k"] == 10
    assert [r["id"] for r in summary["per_question"]] == ["sumy", "cup"]


def test_scoped_questions_and_gold_groups(seed_bot) -> None:
    about = EvalQuestion(
        id="about",
        question="what's this about",
        type="summary",
        article=SEED.stem,
        gold=[["Istanbul"], ["Putin"]],
    )
    row = run_question(seed_bot, about, k=10)
    assert row["correct"] is True and row["answerable"] is True
    assert {c["article_id"] for c in row["citations"]} == {SEED.stem}
    strict = about.model_copy(update={"gold": [["Istanbul"], ["Erdogan's birthday"]]})
    assert run_question(seed_bot, strict, k=10)["correct"] is False  # every group must be there


PAGE = "https://www.news.example/world/istanbul-talks/"


def library_with_the_seed_at(url: str) -> ArticleLibrary:
    """An article library (what the web app looks pages up in) that has the seed article at ``url``."""
    meta = {"article_id": SEED.stem, "start": 0, "end": 5, "title": "Talks", "url": url}
    index = LexicalIndex.of([f"{SEED.stem}#0"], ["Talks"], [meta])
    return ArticleLibrary(lambda: index)


def test_a_question_scoped_by_page_url_is_asked_on_that_article(seed_bot) -> None:
    about = EvalQuestion(id="about", question="what's this about", type="summary", gold=[["Istanbul"]])
    by_id = run_question(seed_bot, about.model_copy(update={"article": SEED.stem}), k=10)
    unscoped = run_question(seed_bot, about, k=10)
    assert by_id["answer"] != unscoped["answer"]  # so the answer shows whether the scope was applied
    by_url = about.model_copy(update={"article_url": "http://news.example/world/istanbul-talks?utm=x"})
    row = run_question(seed_bot, by_url, k=10, library=library_with_the_seed_at(PAGE))
    assert row["error"] is None and row["answer"] == by_id["answer"] and row["correct"] is True
    assert row["article"] == "http://news.example/world/istanbul-talks?utm=x"  # as the editor wrote it
    assert by_id["article"] == SEED.stem and unscoped["article"] is None


@pytest.mark.parametrize("library", [None, library_with_the_seed_at("https://news.example/other")])
def test_a_page_url_that_is_not_indexed_fails_that_question_only(seed_bot, library) -> None:
    lost = EvalQuestion(id="lost", question="what's this about", answers=["x"], article_url=PAGE)
    summary = evaluate(seed_bot, [lost, SUMY], progress=False, library=library)
    failed, fine = summary["per_question"]
    assert failed["error"] == f"No indexed article has the URL {PAGE}."
    assert failed["refused"] is True and failed["correct"] is False and failed["answer"] == ""
    assert fine["error"] is None and fine["correct"] is True
