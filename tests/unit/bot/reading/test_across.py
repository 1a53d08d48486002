"""Questions about several reports: which relation they ask about, and which are not such questions."""

from __future__ import annotations

import pytest

from bot.reading.across import Elsewhere, Relation, read_across, read_elsewhere
from bot.reading.reading import read


@pytest.mark.parametrize(
    ("question", "relation"),
    [
        (
            "Does the Fortune article suggest that FTX was built on transparency, while the TechCrunch "
            "article alleges that he committed fraud?",
            Relation.BOTH,
        ),
        (
            "Between the TechCrunch report on Google published on October 31, 2023, and the Verge report "
            "on Epic published on November 6, 2023, was there consistency in the portrayal of Google?",
            Relation.SAME,
        ),
        (
            "Between the TechCrunch report on Google published on October 31, 2023, and the Verge report "
            "on Epic published on November 6, 2023, was there inconsistency in the portrayal of Google?",
            Relation.DIFFERENT,
        ),
        (
            "Did The Guardian's report on December 12, 2023, contradict the Sporting News report regarding "
            "Manchester United?",
            Relation.DIFFERENT,
        ),
        (
            "Has the portrayal of Google's market practices in reports by The Age changed since the "
            "TechCrunch report on the class action suit?",
            Relation.CHANGED,
        ),
        (
            "Did 'The Guardian' report on Eintracht Frankfurt's win against Bayern Munich before 'The "
            "Independent' mentioned Joelinton's goal for Newcastle?",
            Relation.ORDER,
        ),
    ],
)
def test_the_relation_asked_about(question: str, relation: Relation) -> None:
    across = read_across(question)
    assert across is not None and across.relation is relation


def test_a_relation_word_inside_a_claim_is_part_of_the_claim() -> None:
    """ "Does A suggest a different approach than B" asks whether A suggests it."""
    across = read_across(
        "Does the 'Music Business Worldwide' article suggest a different approach to AI music "
        "compared to the TechCrunch article on Spotify?"
    )
    assert across is not None and across.relation is Relation.BOTH


def test_the_asked_clause_is_the_topic_and_a_choice_of_words_is_kept() -> None:
    question = (
        "Between the article published by Sporting News on 2023-10-02 and the one on 2023-11-06, has "
        "the explanation of prop bets remained consistent or inconsistent?"
    )
    across = read_across(question)
    assert across is not None
    assert across.topic == "has the explanation of prop bets remained consistent or inconsistent?"
    assert question[across.topic_at :].strip() == across.topic
    assert across.choice == ("consistent", "inconsistent")


def test_before_a_date_limits_a_report_it_orders_nothing() -> None:
    across = read_across(
        "Does the TechCrunch article published before October 22, 2023 suggest that Google pays Apple, "
        "while the Verge article says Google is the default search engine?"
    )
    assert across is not None and across.relation is Relation.BOTH and across.before


@pytest.mark.parametrize(
    "question",
    [
        # A thing asked for, not a verdict, though two outlets are named.
        "Which company, according to articles from TechCrunch and The Age, has invested billions to "
        "remain the default search engine on various devices?",
        "Considering the article from The Verge and the report by Bloomberg, which model of the iPhone "
        "was noted for its battery?",
        # Readers' questions about one story.
        "Is Putin attending the talks in Istanbul?",
        "did the two sides agree on anything?",
    ],
)
def test_not_a_question_about_several_reports(question: str) -> None:
    assert read_across(question) is None


def test_the_reading_carries_it() -> None:
    assert read("Is Putin attending?").across is None
    reading = read(
        "Was the reporting on the Smiths' marriage consistent between the Independent article of "
        "2023-10-12 and the one of 2023-10-16?"
    )
    assert reading.across is not None and reading.across.relation is Relation.SAME


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("did anyone else report this?", Elsewhere.OTHERS),
        ("What do other outlets say?", Elsewhere.OTHERS),
        ("who else covered this", Elsewhere.OTHERS),
        ("any other coverage?", Elsewhere.OTHERS),
        ("is there anything newer?", Elsewhere.NEWER),
        ("has this changed since?", Elsewhere.NEWER),
        ("any updates", Elsewhere.NEWER),
        ("what's new since then", Elsewhere.NEWER),
    ],
)
def test_the_story_beyond_its_page(question: str, asked: Elsewhere) -> None:
    assert read_elsewhere(question) is asked
    assert read(question).elsewhere is asked


@pytest.mark.parametrize(
    "question",
    [
        "who else was at the talks?",
        "did someone say why the talks ended?",
        "what did other leaders say about the talks",
        "has the ceasefire changed anything for civilians in the east of the country since the spring",
        "Is Putin attending?",
        # A topic of their own, not the page's story (sent with every widget question).
        "Any updates on the Gaza ceasefire?",
        "Has anyone reported on the Fed decision?",
        "What happened elsewhere in Europe today?",
        "Are there other sources on the Apple lawsuit?",
    ],
)
def test_questions_about_the_story_itself(question: str) -> None:
    assert read_elsewhere(question) is None
