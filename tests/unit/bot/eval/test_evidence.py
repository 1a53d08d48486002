"""Evidence sentences and (question, evidence article) pairs, on the fixed article split."""

from __future__ import annotations

from bot.eval.dataset import EvalQuestion, EvidenceFact
from bot.eval.evidence import in_part, is_evidence, pairs_of
from bot.eval.splits import held_out

FACT = "Putin has decided not to attend the talks."


def test_a_sentence_is_evidence_when_it_is_holds_or_lies_in_a_fact_whatever_its_spacing() -> None:
    facts = ["Putinhasdecidednottoattendthetalks."]
    assert is_evidence("Putin has decided  not to\nattend the talks.", facts)
    assert is_evidence("Putin has decided not to attend", facts)  # a clause of the fact
    assert is_evidence(f"Officials said on Tuesday: {FACT}", facts)  # holds the fact
    assert not is_evidence("Zelensky will attend the talks.", facts)
    assert not is_evidence("", facts)


def question(article: str, answers: list[str]) -> EvalQuestion:
    return EvalQuestion(
        id="q",
        question="Is Putin going?",
        answers=answers,
        evidence_facts=[EvidenceFact(article=article, fact=FACT)],
    )


def test_pairs_keep_the_parts_apart_by_the_articles_id_as_the_loader_makes_it() -> None:
    ids = [f"article-{i}" for i in range(40)]
    held = next(i for i in ids if held_out(i))
    kept = next(i for i in ids if not held_out(i))
    items = [question(f"{held}.txt", ["No"]), question(f"{kept}.txt", ["No"]), question(f"{kept}.txt", [])]
    assert [p.article_id for p in pairs_of(items, "held-out")] == [held]
    assert [p.article_id for p in pairs_of(items, "train")] == [kept]  # unanswerable ones make no pair
    assert {p.article_id for p in pairs_of(items, "all")} == {held, kept}
    assert pairs_of(items, "train")[0].facts == ("Putinhasdecidednottoattendthetalks.",)
    assert in_part(held, "held-out") and not in_part(held, "train") and in_part(held, "all")
