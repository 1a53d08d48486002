"""The index's settings and the offline switches every entry point applies first."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from index.config import OFFLINE_ENV, IndexSettings, apply_offline_env


def test_offline_switches_default_but_a_users_setting_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in OFFLINE_ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    apply_offline_env()
    assert os.environ["HF_HUB_OFFLINE"] == "0"
    assert os.environ["TRANSFORMERS_OFFLINE"] == "1" and os.environ["ANONYMIZED_TELEMETRY"] == "False"


def test_collection_names_are_checked() -> None:
    with pytest.raises(ValidationError, match="3-63 characters"):
        IndexSettings(_env_file=None, collection="ab")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        IndexSettings(_env_file=None, collection="x" * 64)  # type: ignore[call-arg]
    assert IndexSettings(_env_file=None, collection="abc").collection == "abc"  # type: ignore[call-arg]


def test_server_mode_and_a_configured_model_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("NEWSBOT_CHROMA_HOST", "chroma.internal")
    monkeypatch.setenv("NEWSBOT_EMBEDDING_MODEL_PATH", str(tmp_path))
    settings = IndexSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.server_mode and settings.chroma_port == 8000
    assert settings.resolved_model_path() == tmp_path


def test_bad_numbers_are_rejected() -> None:
    with pytest.raises(ValidationError):
        IndexSettings(_env_file=None, chunk_overlap_tokens=-1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        IndexSettings(_env_file=None, max_file_mb=0)  # type: ignore[call-arg]
