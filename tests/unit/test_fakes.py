"""The fakes the unit tests stand on keep the contracts of what they replace."""

from __future__ import annotations

import numpy as np
import pytest

from index.encoder import Encoder
from tests.fakes import DIMENSIONS, HashEmbeddings, MemoryCollection, WordCounter, cosine


def test_fake_encoder_vectors_are_unit_float32_rows() -> None:
    encoder: Encoder = HashEmbeddings()
    vectors = encoder.encode_batch(["The bridge opened.", "", "the of and"], batch_size=2)
    assert vectors.dtype == np.float32 and vectors.shape == (3, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)  # never a zero vector
    assert HashEmbeddings().encode_batch([]).shape == (0, DIMENSIONS)
    assert len(encoder.embed_query("bridge")) == DIMENSIONS


def test_fake_encoder_is_deterministic_and_ranks_by_shared_words() -> None:
    a, b = HashEmbeddings(), HashEmbeddings()
    text = "The council approved the new bridge on Tuesday."
    assert a.embed_query(text) == b.embed_query(text)  # no per-process hash salt
    assert a.embed_documents([text]) == [a.embed_query(text)]
    query = a.embed_query("When was the bridge approved?")
    same = a.embed_query("The council approved the bridge.")
    unrelated = a.embed_query("Ferry workers went on strike in Kestrel Bay.")
    assert cosine(query, same) > 0.5 > cosine(query, unrelated)
    assert cosine(a.embed_query("bridges approving"), a.embed_query("bridge approved")) == pytest.approx(1.0)


def test_fake_encoder_counts_what_it_encodes() -> None:
    encoder = HashEmbeddings()
    encoder.encode_batch(["a b", "c d"])
    encoder.embed_query("e f")
    assert encoder.texts_encoded == 3


def test_word_counter_counts_words_and_special_tokens() -> None:
    assert WordCounter()(["one two  three", ""]) == [3, 0]
    assert WordCounter().full_count(["one two"]) == [4]


def test_memory_collection_queries_like_chroma() -> None:
    encoder = HashEmbeddings()
    collection = MemoryCollection()
    texts = ["The bridge opened.", "The ferry strike ended.", "The bridge cost a lot."]
    metas = [
        {"article_id": "a", "source": "X"},
        {"article_id": "b", "source": "Y"},
        {"article_id": "c", "source": "X"},
    ]
    collection.upsert(["a#1", "b#1", "c#1"], encoder.encode_batch(texts), texts, metas)
    found = collection.query(query_embeddings=[encoder.embed_query("bridge")], n_results=2)
    assert found["ids"][0][0] in {"a#1", "c#1"} and len(found["ids"][0]) == 2
    assert found["distances"][0] == sorted(found["distances"][0])
    only_y = collection.query(
        query_embeddings=[encoder.embed_query("bridge")], where={"source": {"$in": ["Y"]}}
    )
    assert only_y["ids"] == [["b#1"]]
    page = collection.get(limit=2, offset=1, include=["documents"])
    assert page["ids"] == ["b#1", "c#1"] and page["metadatas"] is None
    collection.delete(["a#1"])
    assert collection.count() == 2
    with pytest.raises(NotImplementedError):
        collection.get(where={"n": {"$gt": 1}})
