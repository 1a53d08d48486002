"""Fixtures for every test: offline environment, repository paths, fresh settings.

Unit tests (``tests/unit``, fakes only) and end-to-end tests (``tests/e2e``: the packaged model,
Chroma on disk or as a server, subprocesses, HTTP servers, a browser) add their own in their
folder's ``conftest.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Settings
from index.config import apply_offline_env
from tests import TEST_STORE_TIMEOUT_S
from tests.corpus import ROOT, SEED

apply_offline_env()

__all__ = ["ROOT", "SEED"]


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings on a fresh data and source folder under ``tmp_path``, with ``overrides``."""

    def factory(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "data_dir": tmp_path / "data",
            "source_dir": tmp_path / "docs",
            "store_timeout_s": TEST_STORE_TIMEOUT_S,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[arg-type]

    return factory
