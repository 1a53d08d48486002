"""Each eval metric on small hand-made cases whose right values are known."""

from __future__ import annotations

import pytest

from bot.eval.metrics import (
    RetrievedChunk,
    answer_correct,
    faithfulness,
    first_hit_rank,
    normalize,
    passage_has_evidence,
    refusal_scores,
    retrieval_scores,
    token_f1,
)
from bot.stats import percentile

CHUNKS = [
    RetrievedChunk("a", "Nothing relevant here."),
    RetrievedChunk("b", "The trial of Sam\nBankman-Fried   started on Tuesday in New York."),
    RetrievedChunk("c", "Other text."),
]


def test_multihop_hit_rule_ignores_whitespace() -> None:
    fact = "The trial of Sam Bankman-Fried started on Tuesday"
    assert first_hit_rank(CHUNKS, [fact]) == 2
    assert first_hit_rank(CHUNKS, ["not present anywhere"]) is None


def test_article_level_hit_when_only_evidence_articles_are_given() -> None:
    assert first_hit_rank(CHUNKS, [], evidence_articles=["c"]) == 3
    assert first_hit_rank(CHUNKS, [], evidence_articles=["zzz"]) is None


def test_hits_and_mrr() -> None:
    scores = retrieval_scores([1, 3, None, 7])
    assert scores == {"hits@4": 0.5, "hits@10": 0.75, "mrr@10": pytest.approx((1 + 1 / 3 + 1 / 7) / 4)}
    assert retrieval_scores([]) == {"hits@4": None, "hits@10": None, "mrr@10": None}
    assert retrieval_scores([11])["hits@10"] == 0.0


@pytest.mark.parametrize(
    ("answer", "gold", "qtype", "expected"),
    [
        ("Led by **Vladimir Medinsky**, an aide [1]", ["Vladimir Medinsky"], "factoid", True),
        ("led by medinsky.", ["Vladimir Medinsky", "Medinsky"], "factoid", True),
        ("Donetsk, Luhansk and Kherson", ["Donetsk", "Luhansk", "Kherson", "Zaporizhzhia"], "list", False),
        (
            "Donetsk, Luhansk, Kherson and Zaporizhzhia",
            ["Donetsk", "Luhansk", "Kherson", "Zaporizhzhia"],
            "list",
            True,
        ),
        ("The answer is Yes.", ["yes"], "comparison", True),
        ("Medinskyite", ["Medinsky"], "factoid", False),  # whole words only
        ("anything", [], "unanswerable", None),
    ],
)
def test_answer_correct(answer: str, gold: list[str], qtype: str, expected: bool | None) -> None:
    assert answer_correct(answer, gold, qtype) is expected


def test_token_f1() -> None:
    assert token_f1("Vladimir Medinsky leads", ["Vladimir Medinsky"]) == pytest.approx(0.8)
    assert token_f1("nothing", ["Medinsky"]) == 0.0
    assert token_f1("x", []) is None
    assert normalize("The **U.S.** talks [1]!") == "u s talks"


def test_refusal_precision_recall() -> None:
    assert refusal_scores([True, True, False, False], [True, False, True, False]) == {
        "precision": 0.5,
        "recall": 0.5,
    }
    assert refusal_scores([False], [False]) == {"precision": None, "recall": None}


def test_citation_evidence() -> None:
    assert passage_has_evidence("led by Vladimir Medinsky, an aide", ["Vladimir Medinsky"], [])
    assert passage_has_evidence("a b\nc", [], ["a b c"])
    assert not passage_has_evidence("about Turkey", ["Medinsky"], ["other fact"])


def test_percentile_is_a_value_of_the_sample() -> None:
    assert percentile([], 0.5) is None
    assert percentile([30.0, 10.0, 20.0], 0.5) == 20.0
    assert percentile([1.0, 2.0, 3.0, 4.0, 100.0], 0.95) == 100.0
    assert percentile([5.0], 0.95) == 5.0


QUOTE = "US President Donald Trump said Wednesday he would consider attending the talks if Putin did."


@pytest.mark.parametrize(
    ("answer", "faithful"),
    [
        (f"{QUOTE} [1]", 1),  # verbatim
        ("Trump said he would consider attending the talks. [1]", 1),  # shorter, same modality
        ("Trump is attending the talks. [1]", 0),  # a possibility turned into a fact
        ("Trump said Wednesday he would consider attending the talks in Geneva. [1]", 0),  # a new name
        ("Trump said he would consider attending the talks. [2]", 0),  # cites a sentence that isn't there
        ("Trump would not consider attending the talks. [1]", 0),  # a negation added
    ],
)
def test_faithfulness_judges_each_cited_sentence_against_its_quote(answer: str, faithful: int) -> None:
    assert faithfulness(answer, {1: QUOTE}) == (faithful, 1)


def test_sentences_that_cite_nothing_are_not_judged() -> None:
    text = f"**No** — {QUOTE} [1] The articles don't say this in so many words."
    assert faithfulness(text, {1: QUOTE}) == (1, 1)


def test_claims_about_the_article_itself_are_judged_against_its_byline() -> None:
    text = "“Talks in Istanbul” is by **Alisa Orlova**. [1]"
    lede = "Ukraine and Russia are set to hold talks."
    assert faithfulness(text, {1: lede}) == (0, 1)
    assert faithfulness(text, {1: lede}, {1: "Talks in Istanbul Kyiv Post Alisa Orlova 2025-05-15"}) == (1, 1)
    assert faithfulness(text, {1: lede}, {1: "Talks in Istanbul Kyiv Post Jane Doe 2025-05-15"}) == (0, 1)


def test_an_answer_says_a_phrase_as_the_reader_reads_it() -> None:
    from bot.eval.metrics import says

    assert says("**Hayes** [2] will coach.", "Hayes") and says("**Hayes** [2] will coach.", "**hayes**")
    assert says("In September [1], the Justice Department", "in September, the")
    assert says("See <script> here", "<script>") and says("Text [1][2].", "text.")
    assert not says("It was yesterday.", "yes") and not says("Anything", "") and not says("Hay", "Hayes")
