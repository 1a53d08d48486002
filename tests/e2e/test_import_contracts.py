"""The import contracts fail on a deliberate violation (run by ``make lint`` as lint-imports)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(
        [str(lint), "--no-logo", "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the code (no tests, data or venv) that a test may break."""
    for package in ("bot", "index", "widget"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _append(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_real_tree_keeps_its_contracts(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("index/store.py", "import bot.schemas", "Layers"),
        ("bot/chatbot.py", "import fastapi", "never import the web layer"),
        ("bot/retrieval/hybrid.py", "from bot.web import service", "never import the web layer"),
        ("index/loaders.py", "import gradio", "never import the web layer"),
        # Inside bot: the language rules and the reading below answering, records beside eval.
        ("bot/reading/kinds.py", "import bot.answerers.scoring", "Inside bot"),
        ("bot/language/text.py", "import bot.reading.intents", "Inside bot"),
        ("bot/drafting/about.py", "import bot.answerers.routing", "Inside bot"),
        ("bot/records/insights.py", "import bot.eval.metrics", "Inside bot"),
        ("bot/eval/metrics.py", "import bot.records.tables", "Inside bot"),
        ("bot/chatbot.py", "import bot.records.recorder", "Inside bot"),
    ],
)
def test_a_deliberate_violation_fails(tree: Path, module: str, line: str, broken: str) -> None:
    _append(tree / module, line)
    result = _lint(tree)
    assert result.returncode == 1, result.stdout
    assert f"{broken}" in result.stdout and "BROKEN" in result.stdout
