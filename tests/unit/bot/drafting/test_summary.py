"""Article summaries: lede first, then the key point of the biggest sections, in article order."""

from __future__ import annotations

from langchain_core.documents import Document

from bot.drafting.summary import SummaryConfig, article_sentences, summary_sentences
from index.loaders import parse_text_article
from tests.corpus import SEED

ARTICLE = """The council approved the new harbour bridge on Monday after a decade of debate. \
Work starts in spring and should take three years.

Why Now?

Traffic on the old ferry route has doubled since 2015, the council said. \
Officials also cited the rising cost of ferry repairs.
A second sentence of this section follows here for the record.

What It Costs

The bridge will cost twelve million euros, paid mostly by the regional government. \
“It is money well spent,” the mayor said.

Who Objects?

Fishermen fear the pillars will block their boats from the inner harbour.
"""


def chunk(text: str, start: int = 0) -> Document:
    return Document(
        page_content=text, metadata={"article_id": "bridge", "start": start}, id=f"bridge#{start}"
    )


def test_lede_then_the_key_point_of_the_biggest_sections_in_order() -> None:
    texts = [s.text for s in summary_sentences([chunk(ARTICLE)])]
    assert texts[:2] == [
        "The council approved the new harbour bridge on Monday after a decade of debate.",
        "Work starts in spring and should take three years.",
    ]
    assert texts[2:] == [
        "Traffic on the old ferry route has doubled since 2015, the council said.",
        "The bridge will cost twelve million euros, paid mostly by the regional government.",
        "Fishermen fear the pillars will block their boats from the inner harbour.",
    ]


def test_headings_questions_quotes_and_short_lines_never_summarise() -> None:
    sentences = article_sentences([chunk(ARTICLE)])
    unusable = {s.text for s in sentences if not s.usable}
    assert {
        "Why Now?",
        "What It Costs",
        "Who Objects?",
        "“It is money well spent,” the mayor said.",
    } <= unusable
    assert len({s.unit for s in sentences}) == 4  # the lede's section and three headed ones


def test_overlapping_chunks_give_each_sentence_once_with_its_own_chunk() -> None:
    cut = ARTICLE.index("Traffic")
    overlap = ARTICLE.index("Why Now?")
    chunks = [chunk(ARTICLE[:cut]), chunk(ARTICLE[overlap:], start=overlap)]
    sentences = article_sentences(chunks)
    assert len(sentences) == len({(s.chunk, s.start) for s in sentences})
    assert [s.text for s in sentences].count("Why Now?") == 1
    traffic = next(s for s in sentences if s.text.startswith("Traffic"))
    assert chunks[traffic.chunk].page_content[traffic.start : traffic.end] == traffic.text


def test_at_most_the_configured_number_and_no_near_copies() -> None:
    repeated = ARTICLE.replace(
        "Fishermen fear",
        "The council approved the new harbour bridge on Monday after a decade of debate. Fishermen fear",
    )
    texts = [s.text for s in summary_sentences([chunk(repeated)], SummaryConfig(max_sentences=4))]
    assert len(texts) == 4
    assert texts.count("The council approved the new harbour bridge on Monday after a decade of debate.") == 1


def test_an_article_without_headings_is_summarised_by_paragraphs() -> None:
    plain = "\n\n".join(
        [
            "A storm closed the airport for six hours on Friday night.",
            "About two hundred flights were cancelled and hundreds of travellers slept in the terminal.",
            "Airlines said most passengers would be rebooked by Sunday. Some were offered hotel rooms.",
            "Short line.",
        ]
    )
    texts = [s.text for s in summary_sentences([chunk(plain)])]
    assert texts[0] == "A storm closed the airport for six hours on Friday night."
    assert 2 <= len(texts) <= 5 and "Short line." not in texts


def test_the_seed_article_summary_leads_with_its_lede() -> None:
    doc = parse_text_article(SEED.read_text(encoding="utf-8"), SEED.stem, str(SEED))
    texts = [s.text for s in summary_sentences([chunk(doc.page_content)])]
    assert texts[0].startswith("Ukraine and Russia are set to hold their first direct peace talks")
    assert "Putin has decided not to attend" in texts[1]
    assert 2 <= len(texts) <= 5 and not any(t.endswith("?") for t in texts)


def test_nothing_to_summarise_gives_nothing() -> None:
    assert summary_sentences([chunk("Why Now?\n\nShort.")]) == []
    assert summary_sentences([]) == []


def test_page_furniture_never_summarises() -> None:
    page = (
        "Sign up to our free weekly newsletter for the best football writing. "
        "Football email {{ #verifyErrors }} {{ message }} Something went wrong.\n\n" + ARTICLE
    )
    texts = [s.text for s in summary_sentences([chunk(page)])]
    assert texts[0] == "The council approved the new harbour bridge on Monday after a decade of debate."
    assert not any("newsletter" in t or "{{" in t for t in texts)
