"""Yes/no questions: a verdict only when the sentence states the asked proposition itself."""

from __future__ import annotations

import pytest

from bot.reading.yes_no import is_yes_no, verdict
from index.nlp import SentenceNotes


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Is Putin going to Istanbul?", True),
        ("so is it a cure?", True),
        ("can humans catch it", True),
        ("didn't they agree", True),
        ("who is going", False),
        ("what did he say", False),
        ("isolation rules?", False),  # "is" only as a word of its own
        ("Could you tell me what happened?", False),  # a request, not a yes/no question
        ("May I ask who won?", False),
    ],
)
def test_yes_no_questions_are_recognised(question: str, expected: bool) -> None:
    assert is_yes_no(question) is expected


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        # Every content word of the question is in the sentence: its negation decides.
        ("Is Putin attending the talks?", "Putin has decided not to attend the talks.", "No"),
        ("Did Putin reject the ceasefire?", "Zelensky accepted a ceasefire, but Putin rejected it.", "Yes"),
        # A negative question is answered like the positive one.
        ("Isn't Putin attending the talks?", "Putin is attending the talks.", "Yes"),
        ("Won't Putin attend the talks?", "Putin will not attend the talks.", "No"),
        # Evidence that does not state the proposition: no verdict.
        ("Is Putin going to Istanbul?", "Putin has decided not to attend.", None),
        ("so is it a cure?", "The drugs only slow the disease.", None),
        ("Is it over?", "It is over.", None),  # one content word is too little to judge
        ("Who is attending the talks?", "Zelensky is attending the talks.", None),
    ],
)
def test_verdict_only_when_the_sentence_says_so(question: str, sentence: str, expected: str | None) -> None:
    assert verdict(question, sentence) == expected


def test_the_index_time_negation_decides_when_there_are_notes() -> None:
    sentence = "Putin is attending the talks."
    assert verdict("Is Putin attending the talks?", sentence) == "Yes"
    noted = SentenceNotes(0, len(sentence), negated=True)
    assert verdict("Is Putin attending the talks?", sentence, noted) == "No"


def test_someones_quoted_words_give_no_verdict() -> None:
    quote = "“Hey, comrade Putin, go to Istanbul and negotiate,” Lula said."
    assert verdict("Is Putin going to Istanbul?", quote) is None
    assert verdict("Is Putin going to Istanbul?", "Putin is going to Istanbul on Thursday.") == "Yes"


def test_a_negation_right_before_the_asked_word_denies_it_even_outside_the_main_clause() -> None:
    plain = SentenceNotes(0, 80, negated=False)  # spaCy: the main clause is not negated
    candid = "However, the couple have been candid about their plans to not get a divorce."
    assert verdict("are they getting divorced?", candid, plain) == "No"
    assert verdict("Was a ceasefire agreed?", "No ceasefire was agreed at the talks.", plain) == "No"
    assert verdict("Did he attend the talks?", "He not only attended the talks but led them.", plain) == "Yes"
    assert verdict("Is Putin going to Istanbul?", "Putin is going to Istanbul, not Geneva.", plain) == "Yes"


def test_a_sentence_about_someone_else_that_holds_the_asked_words_gives_no_verdict() -> None:
    trump = "US President Donald Trump said Wednesday he would consider attending the talks if Putin did."
    assert verdict("Is Putin attending?", trump) is None  # "attending" is Trump's, "Putin did" comes after
    zelensky = "Ukrainian President Volodymyr Zelensky is attending the talks and had challenged Putin."
    assert verdict("Is Zelensky attending?", zelensky) == "Yes"
    lede = "The two sides remain divided and Russian President Vladimir Putin has decided not to attend."
    assert verdict("Is Putin attending?", lede) == "No"
    far = "Putin, who met the envoys of three countries in Moscow on a busy Monday morning, will attend."
    assert verdict("Is Putin attending?", far) is None  # the predicate too far from its subject to tell
