"""Answers about several reports: claims cut by outlet or date, checked in their own reports,
the verdict the relation asks for, every side dated and cited. Fake encoder, hand-made passages."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from langchain_core.documents import Document

from bot.answerers.across import AcrossConfig, answer_across, claims_of
from bot.answerers.extractive import ExtractiveAnswerer
from bot.answerers.scoring import Candidate
from bot.language.mentions import DateHint, SourceMatcher
from bot.question import Question
from bot.reading.across import Across, Relation, read_across
from tests.fakes import HashEmbeddings


def report(article_id: str, source: str, published_at: str, text: str) -> Document:
    meta = {"article_id": article_id, "title": article_id, "source": source, "published_at": published_at}
    return Document(page_content=text, metadata={**meta, "start": 0}, id=f"{article_id}#0")


FORTUNE = report(
    "fortune-ftx",
    "Fortune",
    "2023-10-04T10:00:00Z",
    "The jury heard that the exchange grew quickly in its first year. Prosecutors said the founder "
    "knowingly committed fraud to gain wealth and power.",
)
CRUNCH = report(
    "crunch-ftx",
    "TechCrunch",
    "2023-10-31T10:00:00Z",
    "The founder was convicted of fraud and conspiracy after a month-long trial. Ellison testified "
    "that she took customer funds to repay lenders.",
)
CRUNCH_LATER = report(
    "crunch-ftx-later",
    "TechCrunch",
    "2023-12-15T10:00:00Z",
    "The founder will be sentenced in March for fraud. His lawyers plan to appeal the verdict.",
)
PASSAGES = [FORTUNE, CRUNCH, CRUNCH_LATER]
# A claim about each of two reports, both true of them.
BOTH_ASKED = (
    "Does the Fortune article suggest that the founder knowingly committed fraud to gain wealth, "
    "while the TechCrunch article reports that Ellison took customer funds to repay lenders?"
)
OUTLETS = SourceMatcher(["Fortune", "TechCrunch", "The Verge"])


@pytest.fixture
def answerer(encoder: HashEmbeddings) -> ExtractiveAnswerer:
    return ExtractiveAnswerer(encoder.encode_batch, outlets=lambda: OUTLETS)


def across_of(question: str) -> Across:
    found = read_across(question)
    assert found is not None
    return found


def test_claims_are_cut_where_the_question_names_another_outlet() -> None:
    question = (
        "Does the Fortune article suggest that the founder committed fraud for wealth, while the "
        "TechCrunch article reports that Ellison took customer funds?"
    )
    claims = claims_of(question, across_of(question), OUTLETS)
    assert [c.sources for c in claims] == [frozenset({"Fortune"}), frozenset({"TechCrunch"})]
    assert "committed fraud for wealth" in claims[0].text and "Ellison" in claims[1].text
    assert "Ellison" not in claims[0].text


def test_one_outlet_named_is_cut_by_its_dates_and_every_claim_gets_the_asked_topic() -> None:
    question = (
        "Between the TechCrunch article published on October 31, 2023 and the one on December 15, "
        "2023, was the reporting on the founder's fraud consistent?"
    )
    claims = claims_of(question, across_of(question), OUTLETS)
    assert [c.dates for c in claims] == [(DateHint(2023, 10, 31),), (DateHint(2023, 12, 15),)]
    assert [c.sources for c in claims] == [frozenset({"TechCrunch"})] * 2  # the second inherits it
    assert all(c.text.endswith("the founder's fraud consistent?") for c in claims)
    # Scored against what is claimed: no outlet, date or "reporting" framing words.
    assert not any(w in c.text for c in claims for w in ("TechCrunch", "2023", "published", "reporting"))


def test_the_same_source_inherits_the_outlet_named_before() -> None:
    question = (
        "Did the TechCrunch article report that the founder was convicted of fraud, and did the same "
        "source also report that his lawyers plan to appeal?"
    )
    claims = claims_of(question, across_of(question), OUTLETS)
    assert [c.sources for c in claims] == [frozenset({"TechCrunch"})] * 2


def test_both_claims_found_gives_yes_with_each_report_dated_and_cited(answerer) -> None:
    question = BOTH_ASKED
    draft = answerer.answer(question, PASSAGES)
    assert draft.text.startswith("**Yes** — Fortune, October 4, 2023 [1] — Prosecutors said the founder")
    assert "TechCrunch, October 31, 2023 [2] — Ellison testified" in draft.text
    assert [c.article_id for c in draft.citations] == ["fortune-ftx", "crunch-ftx"]
    assert [c.n for c in draft.citations] == [1, 2] and "[1]" in draft.text and "[2]" in draft.text


def test_a_report_that_is_not_there_is_not_checked_and_the_answer_says_so(answerer) -> None:
    question = BOTH_ASKED.replace("the TechCrunch article", "The Verge article")
    draft = answerer.answer(question, PASSAGES)
    assert draft.text.startswith("**Yes**, from the reports I found — Fortune, October 4, 2023 [1]")
    assert "I found no report from The Verge on this: that side is not checked." in draft.text
    assert [c.article_id for c in draft.citations] == ["fortune-ftx"]


def test_a_claim_under_the_bar_is_shown_as_the_closest_the_report_comes(encoder) -> None:
    strict = AcrossConfig(support=5.0)  # no sentence scores this: every claim unsupported
    question = BOTH_ASKED
    judge = ExtractiveAnswerer(encoder.encode_batch)
    draft = answer_across(across_of(question), question, PASSAGES, judge_of(judge), OUTLETS, strict)
    assert draft is not None and draft.text.startswith("**No** — Fortune, October 4, 2023 [1] — ")
    assert draft.text.count("does not say this in so many words") == 2
    assert draft.text.endswith("its sentence is the closest.")  # the notes come last, uncited


def judge_of(answerer: ExtractiveAnswerer):
    """The answerer's own best-sentence scoring, as ``answer`` passes it."""
    return lambda text, passages: best_of(answerer, text, passages)


def best_of(answerer: ExtractiveAnswerer, text: str, passages: Sequence[Document]) -> Candidate | None:
    ranked = answerer.ranked(text, passages)
    return ranked[0] if ranked else None


@pytest.mark.parametrize(
    ("asked", "verdict"),
    [
        ("was the reporting on the founder's fraud consistent?", "**Yes** —"),
        ("was the reporting on the founder's fraud inconsistent?", "**No** —"),
        ("did the reporting on the founder's fraud change?", "**No** —"),
        ("was the reporting on the founder's fraud consistent or inconsistent?", "**Consistent** —"),
    ],
)
def test_agreement_questions_answer_what_the_relation_asks(answerer, asked: str, verdict: str) -> None:
    question = (
        "Between the TechCrunch article published on October 31, 2023 and the one on December 15, "
        f"2023, {asked}"
    )
    draft = answerer.answer(question, PASSAGES)
    assert draft.text.startswith(verdict)
    assert [c.article_id for c in draft.citations] == ["crunch-ftx", "crunch-ftx-later"]  # as asked


@pytest.mark.parametrize(("order", "verdict"), [("before", "**Yes** —"), ("after", "**No** —")])
def test_which_came_first_is_read_from_the_reports_dates(answerer, order: str, verdict: str) -> None:
    question = (
        f"Did Fortune report that the founder knowingly committed fraud {order} TechCrunch reported "
        "that Ellison took customer funds to repay lenders?"
    )
    assert across_of(question).relation is Relation.ORDER
    assert answerer.answer(question, PASSAGES).text.startswith(verdict)


def test_one_report_named_is_answered_from_its_sentences(answerer) -> None:
    question = "Does the Fortune article suggest that the founder knowingly committed fraud to gain wealth?"
    draft = answerer.answer(question, PASSAGES)
    assert "Fortune, October 4, 2023 [1] —" not in draft.text  # the sentence answer, not a verdict across
    assert draft.citations and draft.citations[0].article_id == "fortune-ftx"


def test_a_question_naming_no_outlet_nor_date_is_answered_from_its_sentences(answerer) -> None:
    """ "Did the article say X while Y" reads like a question about reports, but names none."""
    question = "Did the article say that the founder was convicted of fraud while his lawyers plan to appeal?"
    assert read_across(question) is not None
    draft = answerer.answer(question, PASSAGES)
    assert " [1] — " not in draft.text  # no report named and dated: the sentence answer


def test_on_an_article_page_the_question_stays_with_that_article(answerer) -> None:
    question = BOTH_ASKED
    draft = answerer.answer(Question(question, article_id="fortune-ftx"), [FORTUNE])
    assert "TechCrunch, October 31, 2023 [" not in draft.text


def test_every_cited_part_is_faithful_to_what_it_cites(answerer) -> None:
    """The report's name and date are checked against its byline, its sentence against the quote."""
    from bot.eval.metrics import faithfulness
    from bot.language.patterns import display_date

    question = BOTH_ASKED
    draft = answerer.answer(question, PASSAGES)
    quotes = {c.n: c.quote for c in draft.citations}
    bylines = {c.n: f"{c.title} {c.source} {display_date(c.published_at)}" for c in draft.citations}
    assert faithfulness(draft.text, quotes, bylines) == (4, 4)
    assert faithfulness(draft.text, quotes, {}) == (2, 4)  # without bylines the leads are unsupported


# The page the reader is on, and what the search found beyond it.
PAGE = report(
    "fortune-trial",
    "Fortune",
    "2023-10-31T09:00:00Z",
    "The founder was convicted of fraud after a month-long trial in New York. The jury deliberated "
    "for five hours.",
)
FORTUNE_SAME_OUTLET = report(
    "fortune-jury",
    "Fortune",
    "2023-11-02T09:00:00Z",
    "The founder was convicted of fraud by a jury that deliberated for five hours.",
)
VERGE_OFF_TOPIC = report(
    "verge-bridge",
    "The Verge",
    "2023-11-05T09:00:00Z",
    "A new bridge opened in the harbour town with two tram lines and a cycle path.",
)
FOUND = [PAGE, CRUNCH, FORTUNE_SAME_OUTLET, VERGE_OFF_TOPIC, CRUNCH_LATER]


@pytest.fixture
def on_page(encoder: HashEmbeddings) -> ExtractiveAnswerer:
    pages = {"fortune-trial": [PAGE]}
    return ExtractiveAnswerer(encoder.encode_batch, articles=lambda a, _subscriber: pages.get(a, []))


def test_anyone_else_gives_one_report_per_other_outlet_of_the_same_story(on_page) -> None:
    draft = on_page.answer(Question("did anyone else report this?", page="fortune-trial"), FOUND)
    assert [c.article_id for c in draft.citations] == ["crunch-ftx"]  # one per outlet
    assert draft.text.startswith("TechCrunch, October 31, 2023 [1] — The founder was convicted of fraud")
    assert "Fortune" not in draft.text and "bridge" not in draft.text  # the page's outlet; another story


def test_anything_newer_gives_the_later_reports_newest_first(on_page) -> None:
    draft = on_page.answer(Question("is there anything newer?", page="fortune-trial"), FOUND)
    dates = [c.published_at for c in draft.citations]
    assert dates == sorted(dates, reverse=True) and all(d > PAGE.metadata["published_at"] for d in dates)
    assert "fortune-jury" in [c.article_id for c in draft.citations]  # the same outlet counts for "newer"
    assert "verge-bridge" not in [c.article_id for c in draft.citations]


def test_no_other_report_says_so_plainly(on_page) -> None:
    draft = on_page.answer(
        Question("did anyone else report this?", page="fortune-trial"), [PAGE, VERGE_OFF_TOPIC]
    )
    assert draft.text == "I found no other outlet's report of this story among the articles I have."
    assert not draft.citations
    newer = on_page.answer(Question("any updates?", page="fortune-trial"), [PAGE])
    assert newer.text == (
        "I found no report on this story newer than this article (published October 31, 2023) among "
        "the articles I have."
    )


def test_without_its_page_the_question_is_answered_from_sentences(on_page) -> None:
    draft = on_page.answer(Question("did anyone else report this?"), FOUND)
    assert "TechCrunch, October 31, 2023 [1] —" not in draft.text


def noted(doc: Document, names: dict[str, str]) -> Document:
    """``doc`` with sentence notes marking each of ``names`` (name → spaCy label) where it occurs."""
    from index.chunking import split_sentences
    from index.nlp import NOTES_KEY, Entity, SentenceNotes, encode_notes

    text, notes = doc.page_content, []
    for start, end in split_sentences(text):
        sentence = text[start:end]
        entities = tuple(
            Entity(at, at + len(name), label)
            for name, label in names.items()
            if (at := sentence.find(name)) >= 0
            and not any(other != name and name in other and other in sentence for other in names)
        )
        notes.append(SentenceNotes(start, end, entities))
    return Document(page_content=text, metadata={**doc.metadata, NOTES_KEY: encode_notes(notes)}, id=doc.id)


WHO_REPORTS = [
    noted(
        report(
            "crunch-trial",
            "TechCrunch",
            "2023-10-31T10:00:00Z",
            "Sam Bankman-Fried was convicted of fraud and conspiracy. "
            "Caroline Ellison testified against him.",
        ),
        {"Sam Bankman-Fried": "PERSON", "Caroline Ellison": "PERSON"},
    ),
    noted(
        report(
            "fortune-funds",
            "Fortune",
            "2023-10-04T10:00:00Z",
            "Prosecutors said Bankman-Fried used customer funds to buy property in the Bahamas.",
        ),
        {"Bankman-Fried": "ORG"},  # as the small spaCy model tags the surname alone
    ),
]


def test_who_asked_across_reports_is_the_person_both_name_in_full(encoder) -> None:
    answerer = ExtractiveAnswerer(encoder.encode_batch, outlets=lambda: OUTLETS)
    question = (
        "Who is the individual who, according to TechCrunch, was convicted of fraud and conspiracy, and "
        "according to Fortune used customer funds to buy property?"
    )
    draft = answerer.answer(question, WHO_REPORTS)
    # The name cited where a report gives it whole: here TechCrunch's own sentence, [1].
    assert draft.text.startswith("**Sam Bankman-Fried** [1] — TechCrunch, October 31, 2023 [1] — Sam Bank")
    assert [c.article_id for c in draft.citations] == ["crunch-trial", "fortune-funds"]
    from bot.eval.metrics import faithfulness
    from bot.language.patterns import display_date

    bylines = {c.n: f"{c.title} {c.source} {display_date(c.published_at)}" for c in draft.citations}
    said = faithfulness(draft.text, {c.n: c.quote for c in draft.citations}, bylines)
    assert said[0] == said[1] == 5  # the name, and each report's name, date and sentence


def test_a_name_only_one_report_gives_is_no_answer_across(encoder) -> None:
    answerer = ExtractiveAnswerer(encoder.encode_batch, outlets=lambda: OUTLETS)
    question = (
        "Who is the individual who, according to TechCrunch, testified against him, and according to "
        "The Verge sold the company?"
    )
    draft = answerer.answer(question, WHO_REPORTS)
    assert not draft.text.startswith("**Caroline Ellison** — TechCrunch")  # one report: not shared
