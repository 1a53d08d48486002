"""A summary of one article from its own sentences: the lede, then the key point of its sections.

News is written lede-first, and the lead sentences are the strongest simple extractive
baseline for news summaries (Lead-3 on CNN/DailyMail). So: the first sentences of the body,
then the first sentence of each of the biggest sections (between headings such as "Why
Turkey?"; paragraphs when the article has no headings), shown in article order, no
near-duplicates. Headings, list items, list lead-ins ("…includes:"), questions,
sentences opening with a quote and page furniture (sign-up boxes, template markup) are not
summary sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.documents import Document

from bot.language.text import is_boilerplate, jaccard, shingles, words
from index.chunking import split_sentences


@dataclass(frozen=True)
class SummaryConfig:
    # A news lede is one or two sentences; Lead-3 is the baseline the issue starts from: two
    # lede sentences leave room for three section points within the 2-5 sentences asked for.
    lede_sentences: int = 2
    max_sentences: int = 5
    min_sentences: int = 2
    min_words: int = 6  # shorter lines are datelines, captions, list items
    max_heading_words: int = 12
    duplicate_jaccard: float = 0.5  # word-trigram overlap above which a sentence repeats another


@dataclass(frozen=True)
class Sentence:
    chunk: int  # which of the article's chunks holds it
    start: int  # offsets in that chunk's text
    end: int
    text: str
    unit: int  # section (between headings), or paragraph when the article has no headings
    usable: bool  # may stand in a summary


def summary_sentences(chunks: Sequence[Document], config: SummaryConfig | None = None) -> list[Sentence]:
    """The sentences of the summary of the article whose chunks (in reading order) are given."""
    cfg = config or SummaryConfig()
    sentences = [s for s in article_sentences(chunks, cfg) if s.usable]
    if not sentences:
        return []
    chosen = sentences[: cfg.lede_sentences]
    by_unit: dict[int, list[Sentence]] = {}
    for sentence in sentences:
        by_unit.setdefault(sentence.unit, []).append(sentence)
    lede_units = {s.unit for s in chosen}
    # Bigger sections carry more of the story; their first sentence states what they are about.
    ranked = sorted((u for u in by_unit if u not in lede_units), key=lambda u: (-len(by_unit[u]), u))
    for unit in ranked:
        if len(chosen) >= cfg.max_sentences:
            break
        _add_unless_repeated(chosen, by_unit[unit][0], cfg)
    for sentence in sentences:  # a short article: its next sentences
        if len(chosen) >= cfg.min_sentences:
            break
        _add_unless_repeated(chosen, sentence, cfg)
    return sorted(chosen, key=lambda s: (s.chunk, s.start))


def lede(chunks: Sequence[Document], config: SummaryConfig | None = None) -> Sentence | None:
    """The article's first summary sentence: what facts about the article cite."""
    return next((s for s in article_sentences(chunks, config) if s.usable), None)


def article_sentences(chunks: Sequence[Document], config: SummaryConfig | None = None) -> list[Sentence]:
    """Every sentence once (chunks overlap), with its section and whether it may summarise."""
    cfg = config or SummaryConfig()
    seen: set[int] = set()
    found: list[tuple[int, int, int, str, bool]] = []  # chunk, start, end, text, is heading
    for i, doc in enumerate(chunks):
        base = int(doc.metadata.get("start", 0))
        text = doc.page_content
        for start, end in split_sentences(text):
            if base + start in seen:
                continue
            seen.add(base + start)
            found.append((i, start, end, text[start:end], _is_heading(text, start, end, cfg)))
    has_headings = any(heading for *_, heading in found)
    sentences: list[Sentence] = []
    unit = 0
    for i, (chunk, start, end, text, heading) in enumerate(found):
        new_paragraph = i > 0 and "\n" in chunks[chunk].page_content[max(0, start - 2) : start]
        if heading or (not has_headings and new_paragraph):
            unit += 1
        usable = not heading and _summarises(text, cfg)
        sentences.append(Sentence(chunk, start, end, text, unit, usable))
    return sentences


def _is_heading(text: str, start: int, end: int, cfg: SummaryConfig) -> bool:
    """A whole short line in title case, or a short question line ("Why Turkey?")."""
    whole_line = (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end] == "\n")
    tokens = text[start:end].split()
    if not whole_line or not tokens or len(tokens) > cfg.max_heading_words:
        return False
    line = text[start:end].rstrip("\"'”’“ ")
    if line.endswith((".", "!", ",", ";")):
        return False
    capitalised = sum(1 for t in tokens if t[:1].isupper() or not t[:1].isalpha())
    return line.endswith("?") or capitalised * 2 >= len(tokens) + 1 or capitalised == len(tokens)


def _summarises(text: str, cfg: SummaryConfig) -> bool:
    """A full statement: long enough, ends like a sentence, not a question, lead-in or quote."""
    stripped = text.rstrip("\"'”’) ")
    return (
        len(words(text)) >= cfg.min_words
        and stripped.endswith((".", "!"))
        and not text.startswith(("“", '"', "‘", "'"))
        and not is_boilerplate(text)
    )


def _add_unless_repeated(chosen: list[Sentence], sentence: Sentence, cfg: SummaryConfig) -> None:
    grams = shingles(sentence.text)
    if sentence in chosen or any(jaccard(grams, shingles(s.text)) >= cfg.duplicate_jaccard for s in chosen):
        return
    chosen.append(sentence)
