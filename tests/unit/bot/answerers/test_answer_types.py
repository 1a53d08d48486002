"""Rule-based phrase spotting: question kinds, answer phrases, full names for bare surnames."""

from __future__ import annotations

import pytest

from bot.answerers.answer_types import answer_phrase, full_names, question_type


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who leads Russia's delegation?", "name"),
        ("Which company makes the Pixel 8?", "name"),
        ("When did the talks start?", "date"),
        ("Where are the talks held?", "place"),
        ("How many people were killed?", "count"),
        ("how much did it make opening weekend", "money"),
        ("How much of the vote did he win?", "number"),
        ("how old is medinsky", "age"),
        ("what time do the talks start", "time"),
        ("how long does the ban last", "duration"),
        ("final score?", "score"),
        ("whens his birthday", "birth"),
        ("Why did Putin stay away?", None),
    ],
)
def test_question_kinds(question: str, kind: str | None) -> None:
    assert question_type(question) == kind


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("However, the Kremlin named a delegation led by Vladimir Medinsky.", "Vladimir Medinsky"),
        ("“When I made a tweet, Bankman-Fried said, it was legal.", "Bankman-Fried"),
        ("On Wednesday the team met Caroline Ellison.", "Caroline Ellison"),
        ("Meanwhile Wang supervised the code.", "Wang"),
    ],
)
def test_name_phrases_skip_words_that_only_open_a_sentence(sentence: str, phrase: str) -> None:
    span = answer_phrase(sentence, "name", "Who is it?")
    assert span is not None and sentence[span[0] : span[1]] == phrase


TEXTS = [
    "The criminal trial for Sam Bankman-Fried, former CEO of FTX, started on Tuesday.",
    "Bankman-Fried was compared to Warren Buffet. Russian President Vladimir Putin stayed away.",
    "FTX founder Sam Bankman-Fried pleaded not guilty. Judge Lewis Kaplan ruled. However Putin left.",
]


@pytest.mark.parametrize(
    ("surname", "full"),
    [
        ("Bankman-Fried", "Sam Bankman-Fried"),
        ("Putin", "Vladimir Putin"),  # "Russian President" are not given names
        ("Kaplan", "Lewis Kaplan"),  # nor is "Judge"
        ("Buffet", "Warren Buffet"),
    ],
)
def test_full_names_found_with_exact_offsets(surname: str, full: str) -> None:
    found = full_names(surname, TEXTS)
    assert found and found[0][0] == full
    name, i, start, end = found[0]
    assert TEXTS[i][start:end] == name


def test_no_full_name_when_only_titles_or_lowercase_precede() -> None:
    assert full_names("FTX", TEXTS) == []
    assert full_names("Ruled", ["The judge Ruled today."]) == []


def test_most_frequent_form_wins() -> None:
    texts = ["Sam Bankman-Fried spoke.", "Then Sam Bankman-Fried left.", "Mr. Bankman-Fried again."]
    assert full_names("Bankman-Fried", texts)[0][0] == "Sam Bankman-Fried"
