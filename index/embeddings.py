"""The packaged sentence-transformers model behind LangChain's ``Embeddings`` interface."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
from langchain_huggingface import HuggingFaceEmbeddings

from index.config import IndexSettings
from index.encoder import TokenEncoding
from index.tokens import check_model_dir


class LocalEmbeddings(HuggingFaceEmbeddings):
    """A sentence-transformers model loaded from a local folder: normalised, batched, offline."""

    def encode_batch(self, texts: Sequence[str], batch_size: int | None = None) -> Any:
        """Embeddings as a float32 numpy array (skips the list conversion on the write path)."""
        return self._client.encode(
            list(texts),
            batch_size=batch_size or self.encode_kwargs.get("batch_size", 64),
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    def encode_tokens(self, texts: Sequence[str], batch_size: int | None = None) -> list[TokenEncoding]:
        """Word pieces with their contextual vectors and the pooled vector, from one pass."""
        outputs = self._client.encode(
            list(texts),
            batch_size=batch_size or self.encode_kwargs.get("batch_size", 64),
            output_value=None,
            show_progress_bar=False,
        )
        convert = self._client.tokenizer.convert_ids_to_tokens
        found = []
        for out in cast(list[dict[str, Any]], outputs):
            length = int(out["attention_mask"].sum())
            # [CLS] first and [SEP] last: special tokens, not words of the text.
            matrix = out["token_embeddings"][1 : length - 1].float().cpu().numpy()
            vector = out["sentence_embedding"].float().cpu().numpy()
            pieces = tuple(convert(out["input_ids"][1 : length - 1].tolist()))
            found.append(TokenEncoding(pieces, _unit_rows(matrix), vector / (np.linalg.norm(vector) or 1.0)))
        return found


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(matrix / norms, dtype=np.float32)


def make_embeddings(settings: IndexSettings) -> LocalEmbeddings:
    """Load the configured (by default the packaged) model from disk; never from a hub."""
    path = settings.resolved_model_path()
    check_model_dir(path)
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # start-up noise
    return LocalEmbeddings(
        model_name=str(path),
        model_kwargs={"device": "cpu", "local_files_only": True},
        encode_kwargs={"normalize_embeddings": True, "batch_size": settings.embed_batch_size},
    )
