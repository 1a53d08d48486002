"""Readers' feedback as test cases: answers rated down (reported or a bare thumb) become
question records in the evaluation format, for an editor to complete.

Each record keeps the question as asked, its article page and its conversation so far; the
bad answer's sentences become ``must_not_contain`` *candidates* (the editor deletes those that
were right) and its ``note`` says what the reader reported. ``answers`` is left empty: the
editor writes the expected answer (left empty, the question counts as one the bot should
refuse). The records come from the records' database (``bot.records``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from bot.cells import ALTERNATIVES, recorded_turn
from bot.eval.dataset import UNREVIEWED, EvalQuestion
from bot.records.tables import Channel, answers, feedback, questions
from index.chunking import split_sentences
from index.errors import InputError

CANDIDATES = 3  # sentences of a bad answer offered as must_not_contain
NOTE_ANSWER_CHARS = 300  # of the bad answer, in the note: enough to judge it, not a copy of articles
MIN_CANDIDATE_WORDS = 4  # shorter sentences ("Yes.") would forbid too much
_MARKER = re.compile(r"\s*\[\d+\]")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_AS_OF = re.compile(r"^As of \S.*, per .+\.$")  # the dated note of timeliness.py: no claim of its own


def reported_questions(engine: Engine, since: datetime | None = None) -> list[EvalQuestion]:
    """Answers rated down (since ``since``), oldest vote first, as question records."""
    q, a, f = questions.c, answers.c, feedback.c
    query = (
        select(
            q.id, q.question, q.article_id, q.history, q.refused, a.text, f.reason, f.comment, f.updated_at
        )
        .join(questions, q.id == f.answer_id)
        .join(answers, a.id == f.answer_id, isouter=True)
        .where(f.rating == "down", q.channel == Channel.READER.value)  # readers' votes, not agents'
        .order_by(f.updated_at)
    )
    if since is not None:
        query = query.where(f.updated_at >= since)
    try:
        with engine.connect() as connection:
            rows = list(connection.execute(query).mappings())
    except SQLAlchemyError as err:
        raise InputError(f"cannot read the records' feedback: {type(err).__name__}: {err}") from None
    return [_record(row) for row in rows]


def _record(row: Any) -> EvalQuestion:
    answer = row["text"] or ""
    return EvalQuestion(
        id=f"feedback-{row['id'][:12]}",
        question=row["question"],
        answers=[],
        type=UNREVIEWED,
        history=[recorded_turn(turn) for turn in row["history"] or []],
        must_not_contain=[] if row["refused"] else candidates(answer),
        article=row["article_id"],
        note=_note(row, answer),
    )


def candidates(answer: str) -> list[str]:
    """What the answer claimed, shortest first: its bold phrases (the extractive answerer bolds
    the answer itself: "**Hayes**", "**$360 million**"), then its first sentences without
    citation markers or bold. Matched as the reader reads them (``metrics.says``)."""
    bold = [" ".join(b.split()) for b in _BOLD.findall(answer)]
    plain = " ".join(_MARKER.sub("", answer).replace("**", "").split())
    sentences = [plain[start:end].strip() for start, end in split_sentences(plain)]
    claims = [s for s in sentences if len(s.split()) >= MIN_CANDIDATE_WORDS and not _AS_OF.match(s)]
    found = [c.replace(ALTERNATIVES, "/") for c in [*bold, *claims[:CANDIDATES]]]
    return list(dict.fromkeys(found))


def _note(row: Any, answer: str) -> str:
    said = " ".join(answer.split())
    if len(said) > NOTE_ANSWER_CHARS:
        said = said[:NOTE_ANSWER_CHARS].rsplit(" ", 1)[0] + " …"
    reason = row["reason"] or "no reason given"
    comment = f' Comment: "{" ".join(row["comment"].split())}".' if row["comment"] else ""
    todo = (
        "TO DO: write the expected answer in answers (left empty, the bot is expected to refuse), "
        "keep in must_not_contain only what was wrong, set type to the kind of question."
    )
    when = f"{row['updated_at']:%Y-%m-%d}"
    return f"Rated down on {when} ({reason}).{comment} The bot answered: {said} {todo}"
