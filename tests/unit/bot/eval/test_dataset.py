"""Question files: the MultiHop-RAG record format, evidence ids, and every kind of bad file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot.cells import csv_cell, csv_value
from bot.eval.dataset import EvalQuestion, EvidenceFact, load_questions, save_questions
from index.errors import InputError
from tests.corpus import ROOT


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_seed_question_set_loads() -> None:
    questions = load_questions(ROOT / "eval" / "seed.jsonl")
    assert len(questions) == 45 and len({q.id for q in questions}) == 45
    assert any(not q.answerable for q in questions) and any(q.history for q in questions)


def test_records_with_defaults_blank_lines_and_history(tmp_path: Path) -> None:
    record = {
        "id": "x",
        "question": "And his job?",
        "answers": ["culture minister"],
        "history": [["Who leads?", "Medinsky [1]"]],
        "must_not_contain": ["PWNED"],
    }
    [question] = load_questions(write(tmp_path, json.dumps(record), "", "  "))
    assert question.type == "factoid" and question.answerable
    assert question.history == [("Who leads?", "Medinsky [1]")]
    assert not EvalQuestion(id="u", question="q").answerable


def test_evidence_ids_drop_file_extensions_like_the_loader() -> None:
    question = EvalQuestion.model_validate(
        {
            "id": "x",
            "question": "q",
            "evidence": ["talks.txt", "notes.md", "story-id", "report.v2"],
            "evidence_facts": [
                {"article": "page.html", "fact": "f"},
                {"article": "mh066_ozempic-may-be-linked-to-other-.txt", "fact": "g"},
            ],
        }
    )
    # The loader slugifies a file's name into the article id ("…-other-.txt" → "…-other").
    assert question.evidence_ids == {
        "talks",
        "notes",
        "story-id",
        "report.v2",
        "page",
        "mh066_ozempic-may-be-linked-to-other",
    }


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (['{"id": "x"}'], "q.jsonl:1: not a valid question record"),
        (['{"id": "a", "question": "q"}', "{not json"], "q.jsonl:2: not a valid question record"),
        (["", "   "], "q.jsonl: no questions"),
    ],
)
def test_bad_files_name_the_line(tmp_path: Path, lines: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_questions(write(tmp_path, *lines))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="question file not found"):
        load_questions(tmp_path / "nope.jsonl")


def test_the_reader_question_set_is_scoped_and_covers_every_intent() -> None:
    from collections import Counter

    questions = load_questions(ROOT / "eval" / "readers.jsonl")
    assert len(questions) >= 80 and all(q.article for q in questions)
    counts = Counter(q.type for q in questions)
    assert min(counts.values()) >= 6 and counts["unanswerable"] >= 8
    assert len({q.article for q in questions}) >= 21  # the seed article and 20+ corpus articles
    for q in questions:
        assert bool(q.gold) == q.answerable, q.id  # every answerable question has gold phrases


# --- CSV question sets (editors' spreadsheets) and saving ---------------------------------------


def write_csv(tmp_path: Path, text: str, bom: bool = False) -> Path:
    path = tmp_path / "q.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_csv_rows_with_bom_alternatives_defaults_and_blank_rows(tmp_path: Path) -> None:
    text = (
        "Question,answers,article,type,history,id,notes\r\n"
        "Who leads Russia's delegation?, Vladimir Medinsky | Medinsky ,talks.txt,,,,an editor's note\r\n"
        ",,,,,,\r\n"  # a blank row: skipped, but it still counts as a spreadsheet row
        '"Who won the\nWorld Cup?",,,unanswerable,,cup,\r\n'
        "Where?,Istanbul||Turkey,,,,,\r\n"
    )
    first, cup, where = load_questions(write_csv(tmp_path, text, bom=True))
    assert first.id == "row2" and first.question == "Who leads Russia's delegation?"
    assert first.answers == ["Vladimir Medinsky", "Medinsky"] and first.answerable
    assert first.type == "factoid" and first.article == "talks" and first.history == []
    assert cup.id == "cup" and cup.question == "Who won the\nWorld Cup?"
    assert cup.answers == [] and not cup.answerable and cup.type == "unanswerable"
    assert where.id == "row5" and where.answers == ["Istanbul", "Turkey"]  # empty alternatives dropped


@pytest.mark.parametrize(
    ("cell", "turns"),
    [
        ("", []),
        ("Who leads? => Medinsky", [("Who leads?", "Medinsky")]),
        (
            "Who leads? => Medinsky [1] || And his job? =>  || ",  # an empty answer, a trailing ||
            [("Who leads?", "Medinsky [1]"), ("And his job?", "")],
        ),
        ("Which way? => left => right | up", [("Which way?", "left => right | up")]),
    ],
)
def test_csv_history_cells(tmp_path: Path, cell: str, turns: list[tuple[str, str]]) -> None:
    path = write_csv(tmp_path, f'question,history\r\nAnd then?,"{cell}"\r\n')
    assert load_questions(path)[0].history == turns


def test_csv_article_is_an_id_or_a_page_url_kept_as_given(tmp_path: Path) -> None:
    text = (
        "question,article\r\nq1,Talks Explained.md\r\nq2, https://News.example/World/Talks?id=7 \r\nq3,\r\n"
    )
    by_id, by_url, unscoped = load_questions(write_csv(tmp_path, text))
    assert (by_id.article, by_id.article_url) == ("talks-explained", None)
    assert (by_url.article, by_url.article_url) == (None, "https://News.example/World/Talks?id=7")
    assert (unscoped.article, unscoped.article_url) == (None, None)


def test_jsonl_takes_a_page_url_as_article_or_article_url() -> None:
    url = "http://news.example/talks"
    assert EvalQuestion.model_validate({"id": "a", "question": "q", "article": url}).article_url == url
    assert EvalQuestion.model_validate({"id": "a", "question": "q", "article_url": url}).article is None
    with pytest.raises(ValueError, match="by id or by URL, not both"):
        EvalQuestion.model_validate({"id": "a", "question": "q", "article": url, "article_url": url + "/x"})
    with pytest.raises(ValueError, match="must be an http"):
        EvalQuestion.model_validate({"id": "a", "question": "q", "article_url": "talks"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,answers\r\nx,y\r\n", r"q.csv, row 1: the header row has no 'question' column"),
        ("", r"q.csv, row 1: the header row has no 'question' column"),
        ("question\r\n\r\n  \r\n", r"q.csv: no questions"),
        ("question,answers\r\nok,1\r\n , 2\r\n", r"q.csv, row 3: the question is empty"),
        (
            "question,history\r\nok,\r\n\r\nq,Who leads? Medinsky\r\n",
            r"q.csv, row 4: history turn 1 \('Who leads\? Medinsky'\) is not 'question => answer'",
        ),
        ("question,history\r\nq,a => b || => c\r\n", r"q.csv, row 2: history turn 2"),
    ],
)
def test_bad_csv_files_name_the_row(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        load_questions(write_csv(tmp_path, text))


def test_a_csv_that_is_not_utf8_says_how_to_save_it(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_bytes("question\r\nQui a gagné ?\r\n".encode("cp1252"))
    with pytest.raises(InputError, match="not UTF-8 text"):
        load_questions(path)


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=already quoted", "''=already quoted"),  # the reader's own ' survives the round trip
        ("plain", "plain"),
        ("'plain", "'plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_csv_cells_never_start_a_formula_and_read_back_as_written(text: str, cell: str) -> None:
    assert csv_cell(text) == cell
    assert csv_value(cell) == text


FORMULAS = [
    EvalQuestion(
        id="=id",
        question='=HYPERLINK("http://evil.example", "click")',
        answers=["-5", "+5", "five"],
        type="@type",
        history=[("-who?", "=cmd"), ("'=quoted?", "")],
        must_not_contain=["@PWNED", "=x"],
        article_url="https://news.example/world/talks",
    ),
    EvalQuestion(id="plain", question="'Tis the season?", article="talks", answers=["yes, “quoted”"]),
    EvalQuestion(id="cup", question="Who won the\n2030 World Cup?", type="unanswerable"),
]


def test_csv_round_trip_is_lossless_and_neutralises_formulas(tmp_path: Path) -> None:
    path = tmp_path / "out" / "set.csv"
    save_questions(FORMULAS, path)
    assert load_questions(path) == FORMULAS
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel then reads it as UTF-8
    header, *rows = csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    assert header == ["id", "question", "answers", "article", "type", "history", "must_not_contain", "note"]
    assert rows[0] == [
        "'=id",
        '\'=HYPERLINK("http://evil.example", "click")',
        "'-5|+5|five",
        "https://news.example/world/talks",
        "'@type",
        "'-who? => =cmd || '=quoted? =>",
        "'@PWNED|=x",
        "",
    ]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
    again = tmp_path / "again.csv"
    save_questions(load_questions(path), again)
    assert again.read_bytes() == raw  # CSV → load → save gives the same file


def test_jsonl_round_trip_keeps_every_field(tmp_path: Path) -> None:
    rich = EvalQuestion(
        id="rich",
        question="=1+1",
        answers=["a|b"],
        evidence=["talks.txt"],
        evidence_facts=[EvidenceFact(article="talks", fact="f")],
        gold=[["Istanbul"], ["Putin", "the president"]],
        history=[("q => x", "a || b")],
    )
    path = tmp_path / "set.jsonl"
    save_questions([*FORMULAS, rich], path)
    assert load_questions(path) == [*FORMULAS, rich]
    assert len(path.read_text(encoding="utf-8").splitlines()) == 4


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (EvalQuestion(id="g", question="q", gold=[["x"]]), "'g': gold, evidence and evidence_facts"),
        (EvalQuestion(id="e", question="q", evidence=["talks"]), "'e': gold, evidence"),
        (EvalQuestion(id="p", question="q", answers=["a|b"]), "'p': answer 'a|b' holds '|'"),
        (EvalQuestion(id="m", question="q", must_not_contain=["x|y"]), "'m': must_not_contain text"),
        (EvalQuestion(id="h", question="q", history=[("a => b", "c")]), "'h': history turn 'a => b'"),
        (EvalQuestion(id="t", question="q", history=[("a", "b || c")]), "'t': history turn 'a'"),
    ],
)
def test_saving_what_a_csv_cannot_hold_fails_before_writing(
    tmp_path: Path, question: EvalQuestion, message: str
) -> None:
    path = tmp_path / "set.csv"
    with pytest.raises(InputError, match=message):
        save_questions([FORMULAS[1], question], path)
    assert not path.exists()
