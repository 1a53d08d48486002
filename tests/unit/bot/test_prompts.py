"""Prompt files: sections and variables checked when loaded (at start-up), not when first used."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answerers.llm import ANSWER_VARIABLES
from bot.prompts import load_prompt
from index.errors import ConfigError


def write(folder: Path, text: str) -> Path:
    (folder / "p.md").write_text(text, encoding="utf-8")
    return folder


def test_the_shipped_prompts_load_with_the_variables_the_code_fills() -> None:
    answer = load_prompt("answer", set(ANSWER_VARIABLES))
    messages = answer.format_messages(passages="P", history="H", question="Q", guidance="G")
    assert [m.type for m in messages] == ["system", "human"]
    assert "Question: Q" in str(messages[1].content)
    condense = load_prompt("condense", {"history", "question"})
    assert set(condense.input_variables) == {"history", "question"}


def test_sections_split_into_system_and_user(tmp_path: Path) -> None:
    folder = write(tmp_path, "## system\nBe brief.\n\n## user\nQ: {question}\n")
    prompt = load_prompt("p", {"question"}, folder)
    system, user = prompt.format_messages(question="Why?")
    assert (system.content, user.content) == ("Be brief.", "Q: Why?")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("## system\nOnly a system part {question}\n", "needs a '## system' and a '## user' section"),
        ("## system\nS\n## user\nU {question} {extra}\n", "variables ['extra', 'question']"),
        ("## system\nS\n## user\nno variables\n", "but the code fills ['question']"),
    ],
)
def test_bad_prompt_files_fail_at_load(tmp_path: Path, text: str, error: str) -> None:
    with pytest.raises(ConfigError, match=error.replace("[", r"\[").replace("]", r"\]")):
        load_prompt("p", {"question"}, write(tmp_path, text))


def test_a_missing_prompt_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"prompt file missing: .*nope\.md"):
        load_prompt("nope", set(), tmp_path)
