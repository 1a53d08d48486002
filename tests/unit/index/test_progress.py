"""Build progress: plain lines with an ETA for logs, silence on request."""

from __future__ import annotations

import pytest

from index.progress import progress_reporter
from index.sync import BuildProgress


def test_plain_lines_count_chunks_and_articles(capsys: pytest.CaptureFixture[str]) -> None:
    report, close = progress_reporter("plain")
    report(BuildProgress(4, 8, 1, 2))
    report(BuildProgress(8, 8, 2, 2))
    close()
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("embedded 4/8 chunks, articles 1/2, ETA ") and lines[0].endswith(" s")
    assert lines[1] == "embedded 8/8 chunks, articles 2/2, ETA 0 s"


def test_none_is_silent_and_auto_is_plain_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    report, close = progress_reporter("none")
    report(BuildProgress(1, 2, 1, 1))
    close()
    assert capsys.readouterr().err == ""
    report, close = progress_reporter("auto")  # stderr is captured here, not a terminal
    report(BuildProgress(1, 2, 1, 1))
    assert capsys.readouterr().err.startswith("embedded 1/2 chunks")


def test_bar_closes_cleanly_even_without_reports(capsys: pytest.CaptureFixture[str]) -> None:
    report, close = progress_reporter("bar")
    close()
    report, close = progress_reporter("bar")
    report(BuildProgress(2, 4, 1, 1))
    close()
    assert "embedding" in capsys.readouterr().err
