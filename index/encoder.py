"""The embedding interface the index writer and the retriever rely on.

``index.embeddings.LocalEmbeddings`` (the packaged model) is the real one; tests use a
deterministic fake with the same methods (``tests/fakes.py``), passed in where the
model would be (``make_indexer(settings, embeddings=...)``, ``build_chatbot(embeddings=...)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


@dataclass(frozen=True)
class TokenEncoding:
    """One text as the model read it: its word pieces (special tokens left out), each piece's
    normalised vector, and the text's normalised vector (as the model pools it: the mean of every
    token's, the special ones too)."""

    pieces: tuple[str, ...]
    matrix: np.ndarray  # one row per piece
    vector: np.ndarray


class Encoder(Protocol):
    def embed_query(self, text: str) -> list[float]:
        """One normalised vector for a search query."""
        ...

    def encode_batch(self, texts: Sequence[str], batch_size: int | None = None) -> Any:
        """Normalised vectors as a float32 numpy array, one row per text."""
        ...

    def encode_tokens(self, texts: Sequence[str], batch_size: int | None = None) -> list[TokenEncoding]:
        """Each text's pieces and vectors, in one pass of the model (the reader aligns words)."""
        ...
