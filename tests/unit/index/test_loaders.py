"""Loaders: every supported format, metadata recovery, and every kind of bad input (files only;
URLs are fetched from a local HTTP server in tests/e2e/index/test_loaders.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.loaders import load_sources, normalize_date, parse_text_article
from tests.corpus import EMPTY_HTML, NEWS_HTML, SEED, article_text, jsonl_records

MAX = 5_000_000


def load(*sources: str | Path):
    return load_sources(list(sources), MAX, timeout_s=2)


def test_seed_article_title_and_byline_recovered() -> None:
    result = load(SEED)
    assert not result.failures
    [doc] = result.documents
    meta = doc.metadata
    assert meta["title"] == "EXPLAINED: What to Know About the First Ukraine-Russia Peace Talks Since 2022"
    assert meta["author"] == "Alisa Orlova"
    assert meta["article_id"] == "ukraine-russia-istanbul-peace-talks-explained"
    body = doc.page_content
    assert body.startswith("Ukraine and Russia are set to hold")
    assert body.endswith("closer to an end.")  # the byline line is metadata, not body
    assert "Alisa Orlova" not in body
    assert body in SEED.read_text(encoding="utf-8")  # body is verbatim: offsets stay valid


def test_header_block_format(tmp_path: Path) -> None:
    path = tmp_path / "gazette-story.txt"
    path.write_text(article_text(3), encoding="utf-8")
    [doc] = load(path).documents
    meta = doc.metadata
    assert meta["title"] == "Dunmere approves the school budget"
    assert meta["source"] == "The Dunmere Gazette"
    assert meta["author"] == "Sam Reporter3"
    assert meta["published_at"] == "2024-03-04T10:00:00Z"
    assert meta["category"] == "local"
    assert meta["url"] == "https://news.example/dunmere/3"
    assert meta["article_id"] == "gazette-story"
    assert doc.page_content.startswith("The council of Dunmere approved")
    assert "Source:" not in doc.page_content


def test_markdown_title(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "# Tram line delayed\n\nBy Ana Lima\n\nThe new tram line in Eastvale will open "
        "a year late, the operator said on Monday.\n",
        encoding="utf-8",
    )
    [doc] = load(path).documents
    assert doc.metadata["title"] == "Tram line delayed"
    assert doc.metadata["author"] == "Ana Lima"
    assert doc.page_content.startswith("The new tram line")


def test_html_article_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "tunnel.html"
    path.write_text(NEWS_HTML, encoding="utf-8")
    [doc] = load(path).documents
    meta = doc.metadata
    assert meta["title"] == "Harbour tunnel opens in Caldris"
    assert meta["author"] == "Priya Nandakumar"
    assert meta["published_at"].startswith("2024-05-02")
    assert meta["url"] == "https://gazette.example/caldris/harbour-tunnel-opens"
    assert meta["source"] == "The Caldris Gazette"
    text = doc.page_content
    assert "840 million euros" in text and "winter storms" in text
    for junk in ("trackingPixel", "BUY CHEAP WATCHES", "Weather menu item", "Subscribe"):
        assert junk not in text


def test_json_and_jsonl_records(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text(
        json.dumps(
            {
                "title": "Solar farm approved",
                "text": "The Glenrock solar farm was approved on Monday by "
                "the planning board after two years of hearings.",
                "published_at": "2024-02-01",
                "source": "Glenrock Post",
                "author": "Lee Chan",
                "url": "https://post.example/solar",
            }
        )
    )
    (tmp_path / "many.jsonl").write_text(jsonl_records(3))
    result = load(tmp_path)
    assert not result.failures
    by_title = {d.metadata["title"]: d for d in result.documents}
    single = by_title["Solar farm approved"]
    assert single.metadata["article_id"] == "one"
    assert single.metadata["source"] == "Glenrock Post"
    assert single.metadata["published_at"] == "2024-02-01"
    records = [d for d in result.documents if d.metadata["source"] == "Records Daily"]
    assert len(records) == 3
    assert records[0].metadata["article_id"] == "records.example-story-0"
    assert len({d.metadata["article_id"] for d in records}) == 3


def test_every_bad_file_is_reported_and_the_rest_loaded(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(article_text(1), encoding="utf-8")
    (docs / "copy-of-good.txt").write_text(article_text(1), encoding="utf-8")
    (docs / "empty.txt").write_text("")
    (docs / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10)
    (docs / "latin1.txt").write_bytes("Caf\xe9 opens in Fenwick\n\nThe caf\xe9 opened.".encode("latin-1"))
    (docs / "huge.txt").write_text("word " * 4_000_000)  # 20 MB
    (docs / "broken.json").write_text('{"title": "x", "body": ')
    (docs / "nothing.html").write_text(EMPTY_HTML)
    (docs / "scan.pdf").write_bytes(b"%PDF-1.4")
    result = load(docs)
    reasons = {Path(f.origin).name: f.reason for f in result.failures}
    assert [d.metadata["article_id"] for d in result.documents] == ["copy-of-good"]
    assert "duplicate article" in reasons["good.txt"] and "copy-of-good.txt" in reasons["good.txt"]
    assert reasons["empty.txt"] == "empty file"
    assert reasons["binary.txt"] == "binary file, not text"
    assert reasons["latin1.txt"].startswith("not UTF-8 text: undecodable byte 0xe9")
    assert reasons["huge.txt"].startswith("file too large: 20.0 MB")
    assert reasons["broken.json"].startswith("malformed JSON")
    assert reasons["nothing.html"] == "no article text found in the HTML page"
    assert reasons["scan.pdf"].startswith("unsupported file type '.pdf'")
    assert len(result.failures) == 8


def test_bad_jsonl_line_skips_only_that_record(tmp_path: Path) -> None:
    lines = jsonl_records(2).splitlines()
    (tmp_path / "feed.jsonl").write_text("\n".join([lines[0], "{not json", lines[1]]) + "\n")
    result = load(tmp_path / "feed.jsonl")
    assert len(result.documents) == 2
    [failure] = result.failures
    assert failure.origin.endswith("feed.jsonl:2") and "malformed JSON" in failure.reason


def test_missing_path_is_a_failure(tmp_path: Path) -> None:
    result = load(tmp_path / "nope")
    assert result.failures[0].reason == "no such file or folder"


def test_trailing_line_that_is_a_sentence_stays_in_body() -> None:
    text = "Title\n\nThe vote was close and the result is final.\n\nBy the end of the day, the result stood."
    doc = parse_text_article(text, "x", "x.txt")
    assert doc.page_content.endswith("the result stood.")
    assert doc.metadata["author"] == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-09-26 19:11:30.000000000Z", "2023-09-26T19:11:30Z"),
        ("2023-09-26T19:11:30+02:00", "2023-09-26T19:11:30+02:00"),
        ("2024-01-15", "2024-01-15"),
        ("May 15, 2025", "2025-05-15T00:00:00"),
        ("Thu, 15 May 2025 10:00:00 GMT", "2025-05-15T10:00:00Z"),
        ("sometime last week", None),
        ("", None),
    ],
)
def test_normalize_date(raw: str, expected: str | None) -> None:
    assert normalize_date(raw) == expected


def test_a_failure_quoting_untrusted_text_is_one_short_line() -> None:
    """The probe's item 6: a feed item's 1 MB title, quoted by the failure, went whole into the
    log on one line. A failure keeps a short, single-line origin and reason."""
    from index.loaders import FAILURE_ORIGIN_CHARS, FAILURE_REASON_CHARS, LoadFailure

    title = "Breaking\nfailed: forged line " + "x" * 1_000_000
    reason = f"header leaves only 3 tokens for text: {title!r}"
    failure = LoadFailure("https://feed.example/" + "a" * 5000, reason)
    assert len(failure.origin) <= FAILURE_ORIGIN_CHARS and len(failure.reason) <= FAILURE_REASON_CHARS
    assert "\n" not in str(failure) and "characters)" in failure.reason
    assert failure.reason.startswith("header leaves only 3 tokens for text")
    short = LoadFailure("a.txt", "empty file")
    assert (short.origin, short.reason) == ("a.txt", "empty file")
