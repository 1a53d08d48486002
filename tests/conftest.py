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
            # Far above any store read on a busy 2-core machine (the 5 s default once timed out
            # under load: issue 24, item 12); tests of the deadline set their own.
            "store_timeout_s": 60.0,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[arg-type]

    return factory
