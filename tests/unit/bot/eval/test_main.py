"""The eval CLI's edges that need no index: question files it rejects, --only-used, --help."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.config import Settings
from bot.eval.__main__ import _corpus_folder, main
from bot.eval.dataset import EvalQuestion
from index.config import OFFLINE_ENV
from index.errors import InputError
from tests.corpus import write_articles


@pytest.fixture
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    """``main`` sets the offline switches in os.environ: undone after the test."""
    for key, value in OFFLINE_ENV.items():
        monkeypatch.setenv(key, os.environ.get(key, value))


@pytest.mark.usefixtures("_env")
def test_a_bad_csv_row_exits_2_and_names_the_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "set.csv"
    path.write_text("question,history\nWho leads?,\nAnd then?,no arrow here\n", encoding="utf-8")
    assert main([str(path)]) == 2
    assert "set.csv, row 3: history turn 1" in capsys.readouterr().err


def test_help_documents_the_csv_columns_and_results_csv(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    assert "question => answer, separated by ||" in text and "alternatives separated by |" in text
    assert "results.csv" in text and "page URL" in text


def test_only_used_indexes_id_scoped_articles_and_warns_about_urls(
    unit_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_articles(tmp_path / "corpus", 3)
    questions = [
        EvalQuestion(id="a", question="q", article="article-001"),
        EvalQuestion(id="b", question="q", article="https://news.example/caldris/2"),
    ]
    subset = _corpus_folder(unit_settings, [tmp_path / "corpus"], questions)
    assert sorted(p.name for p in subset.iterdir()) == ["article-001.txt"]
    assert "1 question(s) scoped by URL" in capsys.readouterr().err
    with pytest.raises(InputError, match="--only-used: the questions name no article"):
        _corpus_folder(unit_settings, [tmp_path / "corpus"], questions[1:])
