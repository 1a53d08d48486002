"""Phrase spotting: question kinds, answer phrases (with and without sentence notes), full names."""

from __future__ import annotations

import pytest

from bot.reading.kinds import (
    RULES,
    Kind,
    Spotting,
    answer_phrase,
    full_names,
    phrases,
    question_type,
)
from index.nlp import Entity, SentenceNotes


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
    span = answer_phrase(sentence, Kind.NAME, "Who is it?")
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


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When was Taylor Swift born?", Kind.BIRTH),  # not the broader "when": a date
        ("What is her date of birth?", Kind.BIRTH),
        ("What age was she when she won?", Kind.AGE),
        ("At what hour did the polls close?", Kind.TIME),
        ("Which day is the vote?", Kind.DATE),
        ("How much money did the film raise?", Kind.MONEY),
        ("How much did the new bridge cost?", Kind.MONEY),
        ("What ticket price did they set?", Kind.MONEY),
        ("How much rain fell overnight?", Kind.NUMBER),  # an amount, but not money
        ("What percentage of voters turned out?", Kind.NUMBER),
        ("How many goals were scored?", Kind.COUNT),
        ("How long will the strike last?", Kind.DURATION),
        ("What was the final score?", Kind.SCORE),
        ("Which city hosts the talks?", Kind.PLACE),
        ("Whom did they meet?", Kind.NAME),
    ],
)
def test_narrow_kinds_win_over_the_broad_ones_they_refine(question: str, kind: Kind) -> None:
    found = question_type(question)
    assert isinstance(found, Kind) and found is kind


def test_every_kind_has_a_rule_and_only_who_where_and_amounts_are_not_strict() -> None:
    assert set(RULES) == set(Kind)
    strict = {kind for kind, rule in RULES.items() if rule.strict}
    assert strict == {
        Kind.DATE,
        Kind.COUNT,
        Kind.MONEY,
        Kind.AGE,
        Kind.TIME,
        Kind.DURATION,
        Kind.SCORE,
        Kind.BIRTH,
    }
    for kind, rule in RULES.items():
        if rule.spotting is Spotting.PATTERN:
            assert rule.pattern is not None and not rule.labels, kind


def noted(sentence: str, *entities: tuple[str, str]) -> SentenceNotes:
    """Notes for ``sentence`` with an entity of each (phrase, label), found by its first occurrence."""
    spans = []
    for phrase, label in entities:
        start = sentence.index(phrase)
        spans.append(Entity(start, start + len(phrase), label))
    return SentenceNotes(0, len(sentence), tuple(spans))


def found(sentence: str, kind: Kind, notes: SentenceNotes | None = None) -> list[str]:
    return [sentence[s:e] for s, e in phrases(sentence, kind, notes)]


@pytest.mark.parametrize(
    ("sentence", "kind", "expected"),
    [
        (
            "The mayor, 54, watched her 78-year-old father and a man aged 40.",
            Kind.AGE,
            ["54", "78-year-old", "aged 40"],
        ),
        ("The chairman has died at the age of 78.", Kind.AGE, ["age of 78"]),
        ("The Chiefs won 20-17 on 2023-11-27.", Kind.SCORE, ["20-17"]),  # a date is no score
        ("The talks start at 5pm and end at 10:30 a.m. or noon.", Kind.TIME, ["5pm", "10:30 a.m.", "noon"]),
        ("Revenue hit $69bn this year.", Kind.MONEY, ["$69bn"]),
        ("The ban will last three weeks from Monday.", Kind.DURATION, ["three weeks"]),
        ("She was born on 13 December 1989, in Reading.", Kind.BIRTH, ["born on 13 December 1989"]),
        ("The bridge took three years and carries two tram lines.", Kind.COUNT, ["three", "two"]),
        # "How many" is never a sum, a share or a ratio.
        (
            "It paid $69bn, 4% more, and was 3.67 times as big with 16 million players.",
            Kind.COUNT,
            ["16 million"],
        ),
        ("He was arrested 16 times.", Kind.COUNT, ["16"]),  # "times" alone counts
    ],
)
def test_without_notes_the_patterns_spot_phrases(sentence: str, kind: Kind, expected: list[str]) -> None:
    assert found(sentence, kind) == expected


def test_with_notes_amounts_are_the_entities_only() -> None:
    sentence = "The bridge took three years and carries two tram lines."
    notes = noted(sentence, ("three years", "DATE"), ("two", "CARDINAL"))
    assert found(sentence, Kind.COUNT, notes) == ["two"]  # "three years" is a DATE, not a count
    assert found(sentence, Kind.NUMBER, notes) == ["two"]
    assert found(sentence, Kind.COUNT, noted(sentence)) == []  # notes without an amount: none
    assert answer_phrase(sentence, Kind.COUNT, "How many tram lines?", noted(sentence)) is None


def test_matching_spotting_keeps_entities_that_fit_the_pattern() -> None:
    sentence = "The ban will last three weeks from Monday."
    notes = noted(sentence, ("three weeks", "DATE"), ("Monday", "DATE"))
    assert RULES[Kind.DURATION].spotting is Spotting.MATCHING
    assert found(sentence, Kind.DURATION, notes) == ["three weeks"]  # "Monday" is no duration
    # The pattern alone does not count where notes are: spaCy saw no duration entity.
    assert found(sentence, Kind.DURATION, noted(sentence, ("Monday", "DATE"))) == []


def test_either_spotting_takes_pattern_matches_then_entities_elsewhere() -> None:
    sentence = "Revenue hit $69bn, about 62 billion euros, by Friday."
    notes = noted(sentence, ("$69bn", "MONEY"), ("62 billion euros", "MONEY"), ("Friday", "DATE"))
    assert found(sentence, Kind.MONEY, notes) == ["$69bn", "62 billion euros"]  # no duplicate $69bn
    # spaCy missed both: the pattern finds them.
    assert found(sentence, Kind.MONEY, noted(sentence)) == ["$69bn", "62 billion euros"]
    dated = "Planning began in late 2022 and talks resumed on Thursday."
    dates = noted(dated, ("late 2022", "DATE"), ("Thursday", "DATE"))
    assert found(dated, Kind.DATE, dates) == ["2022", "Thursday"]  # exact dates, no overlapping vaguer one
    vague = "Talks resumed last week."
    assert found(vague, Kind.DATE, noted(vague, ("last week", "DATE"))) == ["last week"]


def test_pattern_spotting_ignores_the_notes() -> None:
    sentence = "The mayor, 54, opened the bridge with 300 guests."
    notes = noted(sentence, ("54", "CARDINAL"), ("300", "CARDINAL"))
    assert found(sentence, Kind.AGE, notes) == found(sentence, Kind.AGE) == ["54"]
    assert found(sentence, Kind.AGE, noted(sentence)) == ["54"]
    assert found("The score was 3-1 at home.", Kind.SCORE, noted("The score was 3-1 at home.")) == ["3-1"]


PLACES = ("Ukraine", "Russia", "Istanbul", "Seattle", "Kyiv", "Paris")


@pytest.mark.parametrize(
    ("sentence", "places"),
    [
        ("Talks between Ukraine and Russia were held in Istanbul.", ["Istanbul"]),
        ("He was sentenced in a Seattle court on Monday.", ["Seattle"]),  # a few words after the cue
        ("Troops withdrew from the outskirts of Kyiv.", ["Kyiv"]),
        ("Both Ukraine and Russia sent delegations.", []),
        ("He spoke in the very large old Paris hall.", []),  # the cue is four words away
    ],
)
def test_a_place_entity_needs_a_preposition_before_it(sentence: str, places: list[str]) -> None:
    notes = noted(sentence, *((p, "GPE") for p in PLACES if p in sentence))
    assert len(notes.entities) >= 1
    assert found(sentence, Kind.PLACE, notes) == places


def test_names_prefer_entities_over_capitalised_runs() -> None:
    sentence = "US President Donald Trump met Andrii Sybiha and Igor Kostyukov at the White House."
    notes = noted(sentence, ("Donald Trump", "PERSON"), ("Andrii Sybiha", "PERSON"), ("White House", "FAC"))
    without = found(sentence, Kind.NAME)
    assert "President Donald Trump" in without  # the capitalised run holds the title
    # PERSON/ORG entities first; then runs spaCy did not label that overlap none of them.
    assert found(sentence, Kind.NAME, notes) == [
        "Donald Trump",
        "Andrii Sybiha",
        "Igor Kostyukov",
        "White House",
    ]
    span = answer_phrase(sentence, Kind.NAME, "Who met Igor Kostyukov?", notes)
    assert span is not None and sentence[span[0] : span[1]] == "Donald Trump"


def test_strict_kinds_find_nothing_in_a_sentence_without_one() -> None:
    sentence = "Mayor Jane Holloway opened the new bridge on Monday morning."
    notes = noted(sentence, ("Jane Holloway", "PERSON"), ("Monday morning", "TIME"))
    for kind in (Kind.AGE, Kind.SCORE, Kind.BIRTH, Kind.MONEY, Kind.COUNT, Kind.DURATION):
        assert answer_phrase(sentence, kind, "How old is Jane Holloway?", notes) is None, kind
    assert answer_phrase(sentence, None, "Why?", notes) is None


@pytest.mark.parametrize(
    "question",
    [
        "How did the credit score system change?",
        "Has the price of eggs gone up?",
        "what about the cost of living crisis",
        "How long is the bridge?",
        "What time of year is the festival held?",
        "what age group is it for",
        "How much did he make of the decision?",
    ],
)
def test_words_of_a_narrow_kind_in_another_sense_make_no_strict_question(question: str) -> None:
    kind = question_type(question)
    assert kind is None or not RULES[kind].strict


def test_who_prefers_a_person_and_which_company_an_organisation() -> None:
    sentence = "MLB free agency is on hold as teams wait for Ohtani to sign with the Dodgers."
    notes = noted(sentence, ("MLB", "ORG"), ("Ohtani", "PERSON"), ("Dodgers", "ORG"))
    span = answer_phrase(sentence, Kind.NAME, "Which M.L.B. superstar had a dozen teams interested?", notes)
    assert span is not None and sentence[span[0] : span[1]] == "Ohtani"
    span = answer_phrase(sentence, Kind.NAME, "Which team did he sign with?", notes)
    assert span is not None and sentence[span[0] : span[1]] == "MLB"  # the first organisation


@pytest.mark.parametrize(
    "question",
    [
        "what happens when the talks fail",
        "what did the mayor say when asked about it",
        "how did he react when",
    ],
)
def test_when_inside_another_question_asks_for_no_date(question: str) -> None:
    assert question_type(question) is not Kind.DATE


@pytest.mark.parametrize(
    "question", ["when are the talks", "so when did it start", "since when has it existed"]
)
def test_when_asks_for_a_date(question: str) -> None:
    assert question_type(question) is Kind.DATE


def test_an_embedded_posts_byline_gives_no_answer_phrase() -> None:
    from bot.reading.kinds import phrases

    post = "Royce Lewis hit a grand slam. pic.twitter.com/3gRJp2i8eb — MLB (@MLB) October 3, 2023"
    assert [post[s:e] for s, e in phrases(post, Kind.NAME)] == ["Royce Lewis"]
    assert phrases(post, Kind.DATE) == []
    plain = "MLB said on October 3, 2023 that Royce Lewis hit a grand slam."
    assert [plain[s:e] for s, e in phrases(plain, Kind.DATE)] == ["October 3, 2023"]
