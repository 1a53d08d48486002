"""make_indexer takes what tests (or a caller with a loaded model) pass in, instead of loading."""

from __future__ import annotations

from collections.abc import Callable

from bot.config import Settings
from index.factory import make_indexer
from tests.corpus import SEED
from tests.fakes import HashEmbeddings, fake_chunker


def test_injected_encoder_and_chunker_are_used(make_settings: Callable[..., Settings]) -> None:
    encoder = HashEmbeddings()
    chunker = fake_chunker(max_tokens=96, overlap_tokens=16, model_tag="fake/words")
    indexer = make_indexer(make_settings(), embeddings=encoder, chunker=chunker)

    stats = indexer.build([SEED])

    assert indexer.embeddings is encoder and indexer.chunker is chunker
    assert stats.added == 1 and stats.failed == 0
    stored = indexer.store.articles()
    assert list(stored) == ["ukraine-russia-istanbul-peace-talks-explained"]
    # A 96-word chunker cuts the seed article into more chunks than the real 256-token one (7).
    assert stored["ukraine-russia-istanbul-peace-talks-explained"].chunk_total > 7
