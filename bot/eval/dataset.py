"""Question sets in the MultiHop-RAG format, plus optional history and must_not_contain."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, field_validator

from index.errors import InputError
from index.loaders import slugify

_ARTICLE_SUFFIXES = {".txt", ".md", ".html", ".json"}


class EvidenceFact(BaseModel):
    article: str
    fact: str


class EvalQuestion(BaseModel):
    id: str
    question: str
    answers: list[str] = Field(default_factory=list, description="[] = unanswerable")
    type: str = "factoid"
    evidence: list[str] = Field(default_factory=list, description="article file names or ids")
    evidence_facts: list[EvidenceFact] = Field(default_factory=list)
    history: list[tuple[str, str]] = Field(default_factory=list)
    must_not_contain: list[str] = Field(default_factory=list)
    article: str | None = Field(None, description="scope the question to this article id (the widget's page)")
    gold: list[list[str]] = Field(
        default_factory=list,
        description="groups of alternative phrases: a correct answer holds one of every group",
    )

    @field_validator("article")
    @classmethod
    def _article_id(cls, value: str | None) -> str | None:
        """A file name or stem names the article the way the loader ids it."""
        return (
            slugify(Path(value).stem if Path(value).suffix in _ARTICLE_SUFFIXES else value) if value else None
        )

    @property
    def answerable(self) -> bool:
        return bool(self.answers or self.gold)

    @property
    def evidence_ids(self) -> set[str]:
        """Evidence as article ids: file names lose their extension, like the loader does."""
        names = list(self.evidence) + [f.article for f in self.evidence_facts]
        return {Path(n).stem if Path(n).suffix in _ARTICLE_SUFFIXES else n for n in names}


def load_questions(path: Path) -> list[EvalQuestion]:
    if not path.exists():
        raise InputError(f"question file not found: {path}")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            questions.append(EvalQuestion.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as err:
            raise InputError(
                f"{path}:{number}: not a valid question record: {str(err).splitlines()[0]}"
            ) from err
    if not questions:
        raise InputError(f"{path}: no questions")
    return questions
