"""Web rendering: untrusted text stays text, only our own markup is live."""

from __future__ import annotations

import html

from bot.schemas import Answer, ArticleRef, Citation
from bot.web.render import SourcesTurn, answer_md, safe_url, sources_html, text_md

XSS = '<img src=x onerror="alert(1)">'


def citation(n: int = 1, **kw: object) -> Citation:
    values: dict[str, object] = {
        "n": n,
        "article_id": "a",
        "title": "Title",
        "chunk_id": "a#1",
        "quote": "Medinsky leads.",
        "start": 0,
        "end": 15,
    }
    values.update(kw)
    return Citation.model_validate(values)


def answer(text: str, **kw: object) -> Answer:
    values: dict[str, object] = {
        "text": text,
        "answerer": "extractive",
        "question": "q",
        "standalone_question": "q",
    }
    values.update(kw)
    return Answer.model_validate(values)


def test_untrusted_text_is_escaped_html_and_markdown() -> None:
    out = text_md(f"{XSS} [click](javascript:alert(1)) **x** it's")
    assert "<img" not in out and "&lt;img" in out
    assert "](javascript" not in out and "\\[click\\]\\(javascript" in out
    assert "\\*\\*x\\*\\*" in out and "it's" in out


def test_known_citations_become_links_and_unknown_markers_stay_text() -> None:
    md = answer_md(answer("Led by **Medinsky** [1], see [7].", citations=[citation()]), turn=3)
    assert '<a class="cite" href="#src-3-1"' in md
    assert "**Medinsky**" in md
    assert "\\[7\\]" in md and "#src-3-7" not in md


def test_answer_text_with_html_is_inert() -> None:
    md = answer_md(answer(f"Quote: {XSS} **{XSS}** [1]", citations=[citation()]), turn=1)
    assert "<img" not in md and md.count("&lt;img") == 2


def test_refusal_is_marked_and_offers_related_articles() -> None:
    related = [
        ArticleRef(article_id="a", title=f"Talks {XSS}", url="https://news.example/a"),
        ArticleRef(article_id="b", title="Other", url="javascript:alert(1)"),
    ]
    md = answer_md(answer("The articles I have don't say.", refused=True, related=related), turn=1)
    assert 'class="refusal"' in md and "Not in the articles" in md
    assert "(https://news.example/a)" in md and "<img" not in md
    assert "javascript:" not in md and "- Other" in md


def test_only_http_urls_are_links() -> None:
    assert safe_url("https://x.example/a") == "https://x.example/a"
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("data:text/html,hi") is None
    assert safe_url("//x.example") is None


def test_sources_panel_escapes_and_highlights_quote_without_library() -> None:
    c = citation(title=XSS, quote=f"said {XSS}", source="Kyiv Post", url="javascript:alert(1)")
    out = sources_html([SourcesTurn(1, f"who {XSS}", [c])], None)
    assert "<img" not in out and "&lt;img" in out
    assert f"<mark>said {html.escape(XSS)}</mark>" in out
    assert 'id="src-1-1"' in out and "javascript:" not in out and "Kyiv Post" in out


def test_latest_turn_is_open_and_earlier_ones_folded() -> None:
    turns = [SourcesTurn(1, "first", [citation()]), SourcesTurn(2, "second", [citation(n=1)])]
    out = sources_html(turns, None)
    assert out.index("second") < out.index("first")
    assert out.count('<details class="sources-turn" open>') == 1
    assert 'id="src-2-1"' in out and 'id="src-1-1"' in out
