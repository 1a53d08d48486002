"""`python -m bot ask|chat` as a user runs them, against a real index of the seed article."""

from __future__ import annotations

import json
import os
import subprocess

from tests.e2e.servers import run_module


def run_bot(args: list[str], settings, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_module("bot", args, {**os.environ, "NEWSBOT_DATA_DIR": str(settings.data_dir)}, stdin)


def test_ask_prints_answer_and_sources(seed_store) -> None:
    settings, _ = seed_store
    out = run_bot(["ask", "Who leads Russia's delegation?"], settings)
    assert out.returncode == 0, out.stderr
    assert "**Vladimir Medinsky**" in out.stdout
    assert "Sources:\n[1] EXPLAINED: What to Know About the First Ukraine-Russia Peace Talks" in out.stdout
    assert "“However, the Kremlin confirmed late Wednesday" in out.stdout


def test_ask_json_is_the_answer_contract(seed_store) -> None:
    settings, _ = seed_store
    out = run_bot(["ask", "--json", "Who leads Russia's delegation?"], settings)
    answer = json.loads(out.stdout)
    assert set(answer) >= {"text", "citations", "refused", "answerer", "timings", "standalone_question"}
    assert set(answer["citations"][0]) >= {
        "n",
        "article_id",
        "title",
        "source",
        "author",
        "published_at",
        "url",
        "chunk_id",
        "quote",
        "start",
        "end",
    }


def test_chat_keeps_history_for_follow_ups(seed_store) -> None:
    settings, _ = seed_store
    out = run_bot(["chat"], settings, stdin="Who leads Russia's delegation?\nWhat was his job before?\n")
    assert out.returncode == 0, out.stderr
    answers = [part for part in out.stdout.split("you> ") if part.strip()]
    assert len(answers) == 2
    assert "**Vladimir Medinsky**" in answers[0]
    follow_up = answers[1].split("Sources:")[0]
    assert "former culture minister" in follow_up and "[1]" in follow_up


def test_bad_question_and_missing_index_exit_non_zero(seed_store, tmp_path) -> None:
    settings, _ = seed_store
    empty = run_bot(["ask", "   "], settings)
    assert empty.returncode == 2 and "Please type a question" in empty.stderr
    no_index = run_bot(["ask", "Who?"], settings.model_copy(update={"data_dir": tmp_path / "none"}))
    assert no_index.returncode == 4 and "index is empty" in no_index.stderr
