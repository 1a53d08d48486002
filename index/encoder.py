"""The embedding interface the index writer and the retriever rely on.

``index.embeddings.LocalEmbeddings`` (the packaged model) is the real one; tests use a
deterministic fake with the same two methods (``tests/fakes.py``), passed in where the
model would be (``make_indexer(settings, embeddings=...)``, ``build_chatbot(embeddings=...)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol


class Encoder(Protocol):
    def embed_query(self, text: str) -> list[float]:
        """One normalised vector for a search query."""
        ...

    def encode_batch(self, texts: Sequence[str], batch_size: int | None = None) -> Any:
        """Normalised vectors as a float32 numpy array, one row per text."""
        ...
