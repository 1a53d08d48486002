"""The packaged reader with the real MiniLM on the seed article: one model pass for vectors and
word pieces, the reader's probabilities, and the answerer with it switched on."""

from __future__ import annotations

import numpy as np

from bot.answerers.extractive import ExtractiveAnswerer
from bot.answerers.reader import FEATURES, alignment
from bot.factory import build_chatbot
from bot.question import Question

ARTICLE = "ukraine-russia-istanbul-peace-talks-explained"


def test_one_pass_gives_the_same_vectors_as_encoding_and_the_tokenizers_pieces(embeddings) -> None:
    texts = ["Putin has decided not to attend the talks in Istanbul.", "Who leads Russia's delegation?"]
    encoded = embeddings.encode_tokens(texts)
    assert np.allclose(np.stack([e.vector for e in encoded]), embeddings.encode_batch(texts), atol=1e-5)
    assert encoded[0].pieces == (
        "putin",
        "has",
        "decided",
        "not",
        "to",
        "attend",
        "the",
        "talks",
        "in",
        "istanbul",
        ".",
    )
    assert encoded[0].matrix.shape == (11, 384)
    assert np.allclose(np.linalg.norm(encoded[0].matrix, axis=1), 1.0, atol=1e-5)
    # "who leads the delegation" is matched word for word by a sentence naming its leader…
    asked = embeddings.encode_tokens(["Who leads the delegation?"])[0]
    leader, other = embeddings.encode_tokens(
        ["Vladimir Medinsky leads the delegation.", "The weather in Istanbul was warm."]
    )
    assert alignment(asked, leader)[0] > alignment(asked, other)[0]


def test_the_packaged_reader_ranks_the_answering_sentence_above_the_rest(seed_store, embeddings) -> None:
    settings, store = seed_store
    bot = build_chatbot(settings.model_copy(update={"reader": "refuse"}), embeddings=embeddings, store=store)
    answerer = bot.answerer
    assert isinstance(answerer, ExtractiveAnswerer)
    ranked = answerer.ranked(Question("who leads russia's delegation", (), article_id=ARTICLE), [])
    judged = [c for c in ranked if c.answers is not None]
    assert judged and all(c.features is not None and c.features.shape == (len(FEATURES),) for c in judged)
    best = max(judged, key=lambda c: c.answers or 0.0)
    assert "Medinsky" in best.text
    answer = bot.ask(Question("who leads russia's delegation", (), article_id=ARTICLE))
    assert not answer.refused and "Medinsky" in answer.text
    # The reader itself doubts a question the article does not answer (the rules refuse it too).
    pie = answerer.ranked(Question("what is the recipe for apple pie", (), article_id=ARTICLE), [])
    assert max(c.answers for c in pie if c.answers is not None) < (best.answers or 0.0)
    assert bot.ask(Question("what is the recipe for apple pie", (), article_id=ARTICLE)).refused
