"""The bot's settings: validation of what users set in the environment."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings


def test_bad_origin_setting_is_rejected(make_settings) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="not an origin"):
        make_settings(allowed_origins=["news.example/path"])


def test_origins_with_scheme_host_and_port_are_accepted(make_settings) -> None:
    origins = ["https://news.example", "http://127.0.0.1:7870", "http://localhost:8080"]
    assert make_settings(allowed_origins=origins).allowed_origins == origins


def test_defaults_are_the_offline_extractive_setup(make_settings) -> None:
    settings = make_settings()
    assert settings.answerer == "extractive" and not settings.server_mode
    assert settings.collection == "news" and settings.rate_limit_client


def test_settings_come_from_newsbot_variables(monkeypatch: pytest.MonkeyPatch, make_settings) -> None:
    monkeypatch.setenv("NEWSBOT_ANSWERER", "openai")
    monkeypatch.setenv("NEWSBOT_ALLOWED_ORIGINS", '["https://a.example"]')
    monkeypatch.setenv("NEWSBOT_CHROMA_HOST", "chroma.internal")
    settings = make_settings()
    assert settings.answerer == "openai" and settings.allowed_origins == ["https://a.example"]
    assert settings.server_mode


def test_unknown_answerer_and_short_collection_are_rejected(make_settings) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        make_settings(answerer="gpt")
    with pytest.raises(ValidationError, match="3-63 characters"):
        make_settings(collection="x")


@pytest.mark.parametrize("name", ["admin_token", "editor_token", "metrics_token", "subscriber_secret"])
def test_an_empty_secret_is_unset_and_a_short_one_refused(name: str) -> None:
    """A blank variable must not switch a route on with an empty token (found by review)."""
    from pydantic import ValidationError

    def settings(value: str) -> Settings:
        fields: dict[str, Any] = {"_env_file": None, name: value}
        return Settings(**fields)

    assert getattr(settings(""), name) is None and getattr(settings("   "), name) is None
    with pytest.raises(ValidationError, match="at least 16"):
        settings("short")
    assert getattr(settings("x" * 16), name).get_secret_value() == "x" * 16


def test_every_setting_has_its_row_in_the_readme_and_no_row_is_stale() -> None:
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    rows = [line.split("|")[1] for line in readme.splitlines() if line.startswith("| `NEWSBOT_")]
    named = {name for cell in rows for name in re.findall(r"`(NEWSBOT_[A-Z0-9_]+)`", cell)}
    fields = {f"NEWSBOT_{name.upper()}" for name in Settings.model_fields}
    assert fields - named == set(), "add the setting to README's Settings table"
    assert named - fields == set(), "a README row names a setting that no longer exists"


def test_the_editors_token_must_differ_from_the_publishing_token() -> None:
    """Issue 24, item 8: whoever reads the insights must not hold the publishing credential."""
    from pydantic import ValidationError

    same = "one-token-for-everything-0123"
    with pytest.raises(ValidationError, match="must differ"):
        Settings(_env_file=None, admin_token=same, editor_token=same)  # type: ignore[call-arg,arg-type]
    both = Settings(_env_file=None, admin_token=same, editor_token=same + "x")  # type: ignore[call-arg,arg-type]
    assert both.editor_token is not None and both.admin_token is not None
