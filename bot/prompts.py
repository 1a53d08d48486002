"""Prompt templates live in prompts/*.md: a "## system" and a "## user" section each.

Variables are checked when the prompt is loaded (at start-up), not when first used.
"""

from __future__ import annotations

import re
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

from index.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
_SECTION = re.compile(r"^## (system|user)\s*$", re.MULTILINE)


def load_prompt(name: str, variables: set[str], folder: Path = PROMPTS_DIR) -> ChatPromptTemplate:
    path = folder / f"{name}.md"
    if not path.exists():
        raise ConfigError(f"prompt file missing: {path}")
    parts = _SECTION.split(path.read_text(encoding="utf-8"))
    sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    if set(sections) != {"system", "user"}:
        raise ConfigError(f"{path}: needs a '## system' and a '## user' section")
    prompt = ChatPromptTemplate.from_messages([("system", sections["system"]), ("user", sections["user"])])
    found = set(prompt.input_variables)
    if found != variables:
        raise ConfigError(f"{path}: variables {sorted(found)} but the code fills {sorted(variables)}")
    return prompt
