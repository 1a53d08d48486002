"""Text in spreadsheet cells: what a question set's CSV and the editors' export write, read back.

A cell never runs as a formula in a spreadsheet; a conversation is one cell,
``question => answer || question => answer``. Kept below both the evaluation (``bot.eval``)
and the records (``bot.records``, the /admin export) so that each writes cells the other reads.
"""

from __future__ import annotations

from index.errors import InputError

ALTERNATIVES = "|"  # between the answers (and must_not_contain texts) of one cell
TURNS = "||"  # between the turns of a history cell
ARROW = "=>"  # between a history turn's question and answer
# What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """``text`` as a CSV cell that a spreadsheet shows as text and never runs as a formula."""
    return "'" + text if text.lstrip("'").startswith(_FORMULA_STARTS) else text


def csv_value(cell: str) -> str:
    """The text ``csv_cell`` was given. Any number of ``'`` are looked past, so that a text
    that itself starts with ``'=`` survives the round trip too."""
    return cell[1:] if cell.startswith("'") and cell.lstrip("'").startswith(_FORMULA_STARTS) else cell


def history_turns(cell: str) -> list[tuple[str, str]]:
    """``q1 => a1 || q2 => a2`` as turns; a blank turn (a trailing ``||``) is skipped."""
    turns = []
    for number, turn in enumerate(cell.split(TURNS), start=1):
        if not turn.strip():
            continue
        asked, arrow, answer = turn.partition(ARROW)
        if not arrow or not asked.strip():
            raise ValueError(
                f"history turn {number} ({turn.strip()!r}) is not 'question => answer' "
                f"(turns are separated by {TURNS})"
            )
        turns.append((asked.strip(), answer.strip()))
    return turns


def recorded_turn(turn: list[str]) -> tuple[str, str]:
    """A turn as a client sent it, made fit for a history cell: whitespace collapsed, the cell's
    separators replaced, and a question where the client sent none."""
    asked, answer = (" ".join(str(part).split()) for part in [*turn, "", ""][:2])
    return (asked or "…").replace(ARROW, "->").replace(TURNS, "/"), answer.replace(TURNS, "/")


def history_cell(turns: list[list[str]]) -> str:
    """Recorded turns as one history cell that ``load_questions`` reads back."""
    return turns_cell([recorded_turn(turn) for turn in turns], "history")


def turns_cell(history: list[tuple[str, str]], name: str) -> str:
    for asked, answer in history:
        if not asked.strip() or ARROW in asked or TURNS in asked + answer:
            raise InputError(
                f"{name}: history turn {asked!r} cannot be written as 'question => answer' "
                f"(an empty question, {ARROW!r} in the question or {TURNS!r} in it): save it as .jsonl"
            )
    return f" {TURNS} ".join(f"{asked} {ARROW} {answer}".rstrip() for asked, answer in history)
