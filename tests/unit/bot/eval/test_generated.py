"""Questions generated from sentence notes (the reader's training data), on a hand-made chunk."""

from __future__ import annotations

import random

from bot.eval.generated import ASKS, generate, without
from index.chunking import split_sentences
from tests.unit.bot.answerers.test_extractive import with_notes

TEXT = (
    "The council opened the Brackwater tram depot on 3 June 2024 after a long delay. "
    "Mayor Jane Holloway said the depot cost twelve million euros. "
    "The depot will house forty trams and a workshop."
)
ENTITIES = {
    "The council opened the Brackwater tram depot on 3 June 2024 after a long delay.": [
        ("3 June 2024", "DATE")
    ],
    "Mayor Jane Holloway said the depot cost twelve million euros.": [
        ("Jane Holloway", "PERSON"),
        ("twelve million euros", "MONEY"),
    ],
    "The depot will house forty trams and a workshop.": [("forty", "CARDINAL")],
}
CHUNK = with_notes(TEXT, entities=ENTITIES)


def idf(term: str) -> float:
    return float(len(term))  # longer words count as rarer: deterministic


def test_each_question_asks_for_its_entity_in_readers_style_without_giving_it() -> None:
    made = generate([CHUNK], idf, per_article=10, rng=random.Random(0))
    assert {m.answer for m in made} == {"3 June 2024", "Jane Holloway", "twelve million euros", "forty"}
    for m in made:
        assert m.answer in m.sentence and m.sentence in TEXT
        assert m.question == m.question.lower() and not m.question.endswith("?")
        assert m.question.startswith(tuple(ASKS.values()))
        assert not set(m.answer.lower().split()) & set(m.question.split())  # the answer is not given away
        asked = m.question.split()[1:]
        assert 2 <= len([w for w in asked if w in m.sentence.lower()]) <= 4  # the sentence's words
    when = next(m for m in made if m.answer == "3 June 2024")
    assert when.question.startswith("when ")


def test_the_draw_is_reproducible_and_capped_per_article() -> None:
    first = generate([CHUNK], idf, per_article=2, rng=random.Random(7))
    again = generate([CHUNK], idf, per_article=2, rng=random.Random(7))
    assert first == again and len(first) == 2


def test_without_blanks_the_answering_sentences_and_keeps_the_others_offsets() -> None:
    (blanked,) = without([CHUNK], "twelve million euros")
    assert "twelve million euros" not in blanked.page_content
    assert len(blanked.page_content) == len(TEXT)
    kept = [blanked.page_content[s:e] for s, e in split_sentences(blanked.page_content)]
    assert kept == [TEXT[s:e] for s, e in split_sentences(TEXT) if "twelve" not in TEXT[s:e]]
    assert without([CHUNK], "not in the text")[0] is CHUNK
