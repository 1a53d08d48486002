"""The shared patterns: names, months, dates and numbers match what the rules rely on."""

from __future__ import annotations

import re

import pytest

from bot.language.patterns import (
    BEFORE_PLACE,
    CAPITALISED_RUN,
    DATE,
    DATE_PARTS,
    GIVEN_NAME,
    MONTHS,
    NAME,
    NAME_WORD,
    NUMBER,
    SPECIFIC,
    before_surname,
    month_number,
)


def _found(pattern: re.Pattern[str], text: str) -> list[str]:
    return [m.group() for m in pattern.finditer(text)]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Mohammed bin Salman met Ludwig van Beethoven", ["Mohammed bin Salman", "Ludwig van Beethoven"]),
        ("J.R.R. Tolkien and Sam Bankman-Fried", ["J.R.R. Tolkien", "Sam Bankman-Fried"]),
        ("the Kremlin and NATO", ["Kremlin"]),  # all-capital words have no lowercase letter
        ("Ursula von der Leyen", ["Ursula", "Leyen"]),  # one particle between two name words
        ("O’Brien's view", ["O’Brien's"]),
    ],
)
def test_names(text: str, names: list[str]) -> None:
    assert _found(NAME, text) == names


def test_capitalised_runs_need_two_words_and_take_acronyms() -> None:
    assert CAPITALISED_RUN.findall("Talks with US President Joe Biden in Istanbul") == [
        "US President Joe Biden"
    ]
    assert CAPITALISED_RUN.findall("He met Medinsky in Istanbul") == []


def test_name_words_keep_hyphens_and_apostrophes() -> None:
    assert NAME_WORD.findall("Bankman-Fried's O’Brien, (Kyiv)") == ["Bankman-Fried's", "O’Brien", "Kyiv"]


@pytest.mark.parametrize(
    ("token", "given"), [("Sam", True), ("J.", True), ("US", False), ("O'Neill", False), ("sam", False)]
)
def test_given_names(token: str, given: bool) -> None:
    assert (GIVEN_NAME.fullmatch(token) is not None) is given


def test_the_words_before_a_surname() -> None:
    match = before_surname("Bankman-Fried").search("FTX founder Sam Bankman-Fried said")
    assert match is not None and match.group(1) == "founder Sam "
    assert before_surname("Bankman").search("Sam Bankman-Fried said") is None  # a whole name word only


def test_places_follow_a_preposition() -> None:
    assert BEFORE_PLACE.search("talks held in ")
    assert not BEFORE_PLACE.search("talks held within ")


def test_specifics_are_name_words_and_numbers() -> None:
    assert _found(SPECIFIC, "NATO paid Medinsky 1,200 or 3.5 or 7 rubles") == [
        "Medinsky",
        "1,200",
        "3.5",
        "7",
    ]


@pytest.mark.parametrize(
    ("text", "dates"),
    [
        ("On Oct. 4, 2023 they met", ["Oct. 4, 2023"]),
        ("in early March and on 4 October 2023", ["early March", "4 October 2023"]),
        ("last week, on Monday, in the 1990s", ["last week", "Monday", "1990s"]),
        ("she may march", []),  # lowercase month names are verbs here
    ],
)
def test_date_phrases(text: str, dates: list[str]) -> None:
    assert _found(DATE, text) == dates


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("published on october 4th, 2023", {"m": "october", "d": "4", "y": "2023"}),
        ("on 5 of May 2021", {"d": "5", "m": "May", "y": "2021"}),
        ("dated 2023-10-05", {"y": "2023", "m": "10", "d": "05"}),
        ("in Sept. 2022", {"m": "Sept", "y": "2022"}),
    ],
)
def test_date_parts_are_read_in_order(text: str, parts: dict[str, str]) -> None:
    first = next(
        dict(zip(order, match.groups(), strict=True))
        for pattern, order in DATE_PARTS
        for match in pattern.finditer(text)
    )
    assert first == parts


def test_months_map_to_numbers() -> None:
    assert len(MONTHS) == 24  # 12 names, 11 distinct abbreviations ("may" is both), "sept"
    assert (MONTHS["january"], MONTHS["sep"], MONTHS["sept"], MONTHS["december"]) == (1, 9, 9, 12)
    assert [month_number(w) for w in ("Sept.", "OCTOBER", "feb", "xyz")] == [9, 10, 2, 0]


def test_numbers() -> None:
    text = "It cost $3.5 billion, 12%, 1,200 people and dozens of THREE"
    assert _found(NUMBER, text) == ["$3.5 billion", "12%", "1,200", "dozens", "THREE"]
