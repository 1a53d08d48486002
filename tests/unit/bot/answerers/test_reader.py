"""The reader's features, its weights file and how the extractive answerer uses it, on the fake
encoder and hand-made weights. The packaged weights on real articles: tests/e2e/bot/answerers/."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.answerers.extractive import ExtractiveAnswerer
from bot.answerers.reader import DEFAULT_READER, FEATURES, ReaderError, ReaderModel, load_reader
from bot.answerers.scoring import ExtractiveConfig
from index.encoder import TokenEncoding
from index.errors import ConfigError
from tests.fakes import HashEmbeddings
from tests.unit.bot.answerers.test_extractive import PASSAGES


def weights(**coef: float) -> ReaderModel:
    """A model reading only the named features (unstandardised), with a bar of 0.5."""
    vector = np.array([coef.get(name, 0.0) for name in FEATURES])
    return ReaderModel(np.zeros(len(FEATURES)), np.ones(len(FEATURES)), vector, 0.0, 0.5)


def test_every_shortlisted_sentence_gets_one_value_per_feature(encoder: HashEmbeddings) -> None:
    answerer = ExtractiveAnswerer(encoder.encode_batch)
    ranked = answerer.ranked("How many years did the bridge take to build?", PASSAGES)
    rows = [c.features for c in ranked if c.features is not None]
    assert rows and all(row.shape == (len(FEATURES),) for row in rows)
    assert all(c.score == float("-inf") for c in ranked if c.features is None)  # never chosen
    assert all(c.answers is None for c in ranked)  # no reader loaded: no probabilities


def test_asked_in_scope_tells_a_word_the_article_never_uses(encoder: HashEmbeddings) -> None:
    answerer = ExtractiveAnswerer(encoder.encode_batch)
    at = FEATURES.index("asked in scope")
    used = answerer.ranked("Does the bridge carry tram lines?", PASSAGES)
    never = answerer.ranked("Did the bridge opening draw a big attendance?", PASSAGES)
    assert used[0].features is not None and never[0].features is not None
    assert used[0].features[at] == 1.0  # every word beyond the title is in the article
    assert never[0].features[at] < 1.0  # "attendance" is not


def test_below_the_bar_the_answerer_refuses_and_above_it_answers(encoder: HashEmbeddings) -> None:
    question = "How many years did the bridge take to build?"
    config = ExtractiveConfig(reader="refuse")
    words = FEATURES.index("words")
    # The probability follows the word match: a bar under it answers, one above it refuses.
    model = weights(words=4.0)
    best = max(
        c.features[words]
        for c in ExtractiveAnswerer(encoder.encode_batch).ranked(question, PASSAGES)
        if c.features is not None
    )
    p = 1 / (1 + np.exp(-4.0 * best))
    low = ReaderModel(model.mean, model.scale, model.coef, 0.0, p - 0.01)
    high = ReaderModel(model.mean, model.scale, model.coef, 0.0, p + 0.01)
    assert (
        not ExtractiveAnswerer(encoder.encode_batch, config=config, reader=low, tokens=encoder.encode_tokens)
        .answer(question, PASSAGES)
        .refused
    )
    assert (
        ExtractiveAnswerer(encoder.encode_batch, config=config, reader=high, tokens=encoder.encode_tokens)
        .answer(question, PASSAGES)
        .refused
    )


def test_with_rank_the_readers_probability_orders_the_sentences(encoder: HashEmbeddings) -> None:
    question = "How many years did the bridge take to build?"
    # A reader that prefers the last sentences: what it ranks first is quoted first.
    model = ReaderModel(np.zeros(len(FEATURES)), np.ones(len(FEATURES)), np.zeros(len(FEATURES)), 0.0, 0.0)
    coef = model.coef.copy()
    coef[FEATURES.index("position")] = 10.0
    late = ReaderModel(model.mean, model.scale, coef, 0.0, 0.0)
    answerer = ExtractiveAnswerer(
        encoder.encode_batch,
        config=ExtractiveConfig(reader="rank"),
        reader=late,
        tokens=encoder.encode_tokens,
    )
    ranked = answerer.ranked(question, PASSAGES)
    assert ranked[0].answers == max(c.answers for c in ranked if c.answers is not None)
    positions = [c.features[FEATURES.index("position")] for c in ranked if c.features is not None]
    assert positions[0] == max(positions)
    assert answerer.answer(question, PASSAGES).citations[0].quote == ranked[0].text


def test_a_weights_file_of_other_features_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "reader.json"
    path.write_text(weights(words=1.0).to_json(), encoding="utf-8")
    assert ReaderModel.from_file(path).coef[FEATURES.index("words")] == 1.0
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ReaderError, match="other features"):
        ReaderModel.from_file(path)
    with pytest.raises(ReaderError, match="cannot be read"):
        ReaderModel.from_file(tmp_path / "missing.json")
    data["features"] = list(FEATURES)
    for broken in ({"bar": None}, {"scale": [0.0] * len(FEATURES)}, {"coef": [1.0]}, {"bar": 1.5}):
        path.write_text(json.dumps({**data, **broken}), encoding="utf-8")
        with pytest.raises(ReaderError, match="malformed"):
            ReaderModel.from_file(path)
    path.write_text(json.dumps({k: v for k, v in data.items() if k != "intercept"}), encoding="utf-8")
    with pytest.raises(ReaderError, match="malformed"):
        ReaderModel.from_file(path)


def test_a_reader_without_word_pieces_is_refused_and_without_a_reader_none_are_made(
    encoder: HashEmbeddings,
) -> None:
    with pytest.raises(ConfigError, match="word pieces"):
        ExtractiveAnswerer(encoder.encode_batch, config=ExtractiveConfig(reader="refuse"), reader=weights())
    before = encoder.texts_encoded
    pieces: list[str] = []

    def tokens(texts: Sequence[str]) -> list[TokenEncoding]:
        pieces.extend(texts)
        return encoder.encode_tokens(texts)

    answerer = ExtractiveAnswerer(encoder.encode_batch, tokens=tokens)  # the reader off
    assert not answerer.answer("How many years did the bridge take to build?", PASSAGES).refused
    assert pieces == [] and encoder.texts_encoded > before  # vectors only: no word pieces


def test_the_packaged_weights_match_this_feature_list() -> None:
    model = load_reader(DEFAULT_READER)
    assert model.coef.shape == (len(FEATURES),) and 0.0 < model.bar < 1.0
    assert load_reader(DEFAULT_READER) is model  # read once per process


def test_the_encoding_caches_keep_every_text_a_call_needs_even_past_their_size(
    encoder: HashEmbeddings,
) -> None:
    tiny = ExtractiveConfig(reader="refuse", vector_cache=2, pieces_cache=2)
    answerer = ExtractiveAnswerer(
        encoder.encode_batch, config=tiny, reader=weights(words=1.0), tokens=encoder.encode_tokens
    )
    for question in ("How many years did the bridge take to build?", "Who paid for the bridge?") * 2:
        assert answerer.ranked(question, PASSAGES)[0].answers is not None
        answerer.answer(question, PASSAGES)
