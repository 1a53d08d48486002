"""Question sets: JSONL in the MultiHop-RAG format (plus optional history, must_not_contain, an
article scope and gold groups), or CSV for editors who work in spreadsheets.

CSV question sets (a ``.csv`` file, UTF-8 with or without Excel's BOM; one question a row) start
with a header row. Only ``question`` is required; unknown columns are ignored:

- ``question``: the question a reader asks.
- ``answers``: alternative correct answers separated by ``|`` (``three | 3``). Empty: the question
  is unanswerable, the bot should refuse.
- ``article``: an article id, or the page URL (http/https) of the article: the question is scoped
  to that article, as the widget scopes it on an article page.
- ``type``: the question's kind, for the per-type tables (default ``factoid``).
- ``history``: earlier turns of the conversation, each ``question => answer``, turns separated by
  ``||``: ``Who leads Russia's delegation? => Vladimir Medinsky || What was his job? =>`` (an answer
  may be empty).
- ``id``: default ``row<N>``, N the spreadsheet row (the header is row 1).
- ``must_not_contain``: text the answer must not contain, ``|``-separated.
- ``note``: free text for the editor (an export from readers' feedback says what the reader
  reported there); not scored.

Cells are trimmed and blank rows skipped. Cells that would start with ``= + - @``, a tab or a
carriage return are written with a leading ``'`` so that no spreadsheet runs them as a formula
(questions and answers come from readers); reading drops that one ``'`` again.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from bot.cells import ALTERNATIVES, csv_cell, csv_value, history_turns, turns_cell
from index.errors import InputError
from index.loaders import is_url, slugify

_ARTICLE_SUFFIXES = {".txt", ".md", ".html", ".json"}
CSV_COLUMNS = ("id", "question", "answers", "article", "type", "history", "must_not_contain", "note")
# The type of a case exported from readers' feedback until an editor has checked it: its empty
# answers mean "not written yet", not "the bot should refuse" (the CLI warns).
UNREVIEWED = "unreviewed"


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
    article_url: str | None = Field(
        None, description="or to the article published at this page URL (the runner looks its id up)"
    )
    gold: list[list[str]] = Field(
        default_factory=list,
        description="groups of alternative phrases: a correct answer holds one of every group",
    )
    note: str = Field("", description="for the editor: where the question came from, what to check")

    @model_validator(mode="before")
    @classmethod
    def _url_as_article(cls, data: Any) -> Any:
        """A page URL given as ``article`` (a CSV cell) is an ``article_url``: slugified, it would
        name no article."""
        url = data.get("article") if isinstance(data, dict) else None
        if not (isinstance(url, str) and is_url(url.strip().lower())):
            return data
        if data.get("article_url") not in (None, url.strip()):
            raise ValueError("give the article by id or by URL, not both")
        return {**data, "article": None, "article_url": url.strip()}

    @field_validator("article")
    @classmethod
    def _article_id(cls, value: str | None) -> str | None:
        """A file name or stem names the article the way the loader ids it."""
        return (
            slugify(Path(value).stem if Path(value).suffix in _ARTICLE_SUFFIXES else value) if value else None
        )

    @field_validator("article_url")
    @classmethod
    def _web_url(cls, value: str | None) -> str | None:
        if value is not None and not is_url(value.lower()):
            raise ValueError(f"article_url must be an http(s) URL, got {value!r}")
        return value

    @property
    def answerable(self) -> bool:
        return bool(self.answers or self.gold)

    @property
    def evidence_ids(self) -> set[str]:
        """Evidence as article ids, made from file names as the loader makes them (the extension
        dropped, then slugified: "…-other-.txt" is the article "…-other"), as ``article`` is."""
        names = list(self.evidence) + [f.article for f in self.evidence_facts]
        return {slugify(Path(n).stem if Path(n).suffix in _ARTICLE_SUFFIXES else n) for n in names}


def load_questions(path: Path) -> list[EvalQuestion]:
    """A question set: CSV (the format in this module's docstring) when the name ends in ``.csv``,
    else JSONL, one ``EvalQuestion`` record a line."""
    if not path.exists():
        raise InputError(f"question file not found: {path}")
    questions = _read_csv(path) if _is_csv(path) else _read_jsonl(path)
    if not questions:
        raise InputError(f"{path}: no questions")
    return questions


def save_questions(questions: list[EvalQuestion], path: Path) -> None:
    """Write a question set that ``load_questions`` reads back equal: CSV when ``path`` ends in
    ``.csv`` (the columns of ``CSV_COLUMNS``), else JSONL.

    A question CSV cannot hold (gold groups, evidence, a ``|`` inside an answer...) raises an
    ``InputError`` naming it, before the file is touched: better no file than a lossy one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not _is_csv(path):
        lines = [q.model_dump_json(exclude_defaults=True) + "\n" for q in questions]
        path.write_text("".join(lines), encoding="utf-8")
        return
    rows = [_csv_row(q) for q in questions]
    # utf-8-sig: Excel reads a CSV without a BOM in the machine's legacy code page.
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(CSV_COLUMNS)
        writer.writerows([csv_cell(c) for c in row] for row in rows)


def _is_csv(path: Path) -> bool:
    return path.suffix.lower() == ".csv"


def _read_jsonl(path: Path) -> list[EvalQuestion]:
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
    return questions


def _read_csv(path: Path) -> list[EvalQuestion]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text (in Excel, save it as 'CSV UTF-8')") from err
    rows = csv.reader(io.StringIO(text, newline=""))  # newline="": quoted cells may hold line breaks
    try:
        header = [name.strip().lower() for name in next(rows, [])]
        if "question" not in header:
            raise InputError(f"{path}, row 1: the header row has no 'question' column")
        return [
            _csv_question(dict(zip(header, cells, strict=False)), path, number)
            for number, cells in enumerate(rows, start=2)  # spreadsheet rows: the header is row 1
            if any(cell.strip() for cell in cells)
        ]
    except csv.Error as err:
        raise InputError(f"{path}, line {rows.line_num}: not readable as CSV: {err}") from err


def _csv_question(cells: dict[str, str], path: Path, row: int) -> EvalQuestion:
    """One spreadsheet row (``cells`` by lower-case column name) as a question."""

    def cell(name: str) -> str:
        return csv_value(cells.get(name, "").strip())

    where = f"{path}, row {row}"
    if not cell("question").strip():
        raise InputError(f"{where}: the question is empty")
    try:
        return EvalQuestion(
            id=cell("id") or f"row{row}",
            question=cell("question"),
            answers=_alternatives(cell("answers")),
            article=cell("article") or None,
            type=cell("type") or "factoid",
            history=history_turns(cell("history")),
            must_not_contain=_alternatives(cell("must_not_contain")),
            note=cell("note"),
        )
    except ValidationError as err:
        raise InputError(f"{where}: {'; '.join(e['msg'] for e in err.errors())}") from err
    except ValueError as err:  # a bad history cell
        raise InputError(f"{where}: {err}") from err


def _alternatives(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(ALTERNATIVES) if part.strip()]


def _csv_row(question: EvalQuestion) -> list[str]:
    """The question's cells in ``CSV_COLUMNS`` order (before formula neutralising)."""
    name = f"question {question.id!r}"
    if question.gold or question.evidence or question.evidence_facts:
        raise InputError(f"{name}: gold, evidence and evidence_facts have no CSV column: save it as .jsonl")
    return [
        question.id,
        question.question,
        _joined(question.answers, f"{name}: answer"),
        question.article_url or question.article or "",
        question.type,
        turns_cell(question.history, name),
        _joined(question.must_not_contain, f"{name}: must_not_contain text"),
        question.note,
    ]


def _joined(values: list[str], what: str) -> str:
    for value in values:
        if ALTERNATIVES in value:
            raise InputError(f"{what} {value!r} holds {ALTERNATIVES!r}, the CSV separator: save it as .jsonl")
    return ALTERNATIVES.join(values)
