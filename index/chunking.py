"""Sentence-aware chunks that fit the embedding model's window, with char offsets.

Each chunk is a run of whole sentences of one article, ``body[start:end]``; consecutive
chunks share whole trailing sentences (overlap). The token budget counts everything the
model will see: ``[CLS]`` + contextual header + chunk text + ``[SEP]``; the final texts
are re-checked with the real tokenizer so nothing is ever silently truncated.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.documents import Document

from index.nlp import NOTES_KEY, Annotator, encode_notes
from index.wordlists import word_list

TokenCounter = Callable[[Sequence[str]], list[int]]
"""Counts tokens per text, special tokens excluded."""

SPECIAL_TOKENS = 2  # [CLS] and [SEP]
CHUNKER_VERSION = 1  # bump when the algorithm changes: every chunk id changes with it
HEADER_SEPARATOR = "\n"
ARTICLE_FIELDS = ("title", "source", "author", "published_at", "url", "category")
# Kept with the chunks and in the fingerprint only when an article has them (a correction's
# date, a subscriber-only article): articles without them keep their fingerprints and ids.
OPTIONAL_FIELDS = ("updated_at", "access")

# "Mr." or "Jan." ends a word, not the sentence.
_ABBREVIATIONS = word_list("abbreviations")
# A candidate boundary: sentence punctuation, optional closing quotes/brackets, spaces,
# then something that can open a sentence.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?…]+[\"'”’)\]]*\s*$")


@dataclass(frozen=True)
class Chunk:
    id: str
    article_id: str
    index: int
    start: int
    end: int
    text: str
    header: str
    embed_text: str
    token_count: int
    metadata: dict[str, Any]


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``; line breaks always end one."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        base = line.start()
        segment = line.group()
        cursor = 0
        for boundary in _BOUNDARY.finditer(segment):
            if _is_abbreviation(segment[cursor : boundary.end()]):
                continue
            _add_span(spans, segment, base, cursor, boundary.end())
            cursor = boundary.end()
        _add_span(spans, segment, base, cursor, len(segment))
    return spans


def _is_abbreviation(candidate: str) -> bool:
    match = _WORD_BEFORE.search(candidate)
    if not match or not candidate.rstrip().endswith("."):
        return False
    word = match.group(1).lower().rstrip(".")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _add_span(spans: list[tuple[int, int]], segment: str, base: int, start: int, end: int) -> None:
    piece = segment[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((base + start + lead, base + start + lead + len(stripped)))


def article_header(metadata: dict[str, Any]) -> str:
    """The short context line embedded with every chunk: title · outlet · date."""
    date = str(metadata.get("published_at") or "")[:10]
    parts = [str(metadata.get("title") or ""), str(metadata.get("source") or ""), date]
    return " · ".join(part for part in parts if part)


class SentenceChunker:
    """Packs whole sentences into chunks within ``max_tokens``, overlapping by sentences."""

    def __init__(
        self,
        count_tokens: TokenCounter,
        max_tokens: int = 256,
        overlap_tokens: int = 48,
        use_header: bool = True,
        model_tag: str = "",
        annotator: Annotator | None = None,
    ) -> None:
        """``annotator`` (index/nlp.py) adds sentence notes to each chunk; without one, none."""
        if overlap_tokens >= max_tokens // 2:
            raise ValueError("overlap must be under half the chunk budget")
        self.count_tokens = count_tokens
        self.max_tokens = max_tokens
        self.overlap_tokens = overlap_tokens
        self.use_header = use_header
        self.model_tag = model_tag
        self.annotator = annotator
        self.config_tag = (
            f"v{CHUNKER_VERSION}-{max_tokens}-{overlap_tokens}-{'h' if use_header else 'n'}-{model_tag}"
        ) + (f"-{annotator.tag}" if annotator else "")

    def fingerprint(self, doc: Document) -> str:
        """Same fingerprint ⇔ same chunks: body, displayed metadata and chunking config."""
        return article_fingerprint(doc.metadata, self.config_tag)

    def split(self, doc: Document) -> list[Chunk]:
        """Chunks of one article, each verified to fit the model window."""
        body = doc.page_content
        header = article_header(doc.metadata) if self.use_header else ""
        prefix = header + HEADER_SEPARATOR if header else ""
        budget = self.max_tokens - SPECIAL_TOKENS - (self.count_tokens([prefix])[0] if prefix else 0)
        if budget < 32:
            raise ValueError(f"header leaves only {budget} tokens for text: {header!r}")
        for _attempt in range(4):
            spans = self._pack(body, budget)
            texts = [prefix + body[s:e] for s, e in spans]
            counts = [n + SPECIAL_TOKENS for n in self.count_tokens(texts)]
            excess = max(counts) - self.max_tokens if counts else 0
            if excess <= 0:
                return self._annotated(body, self._make_chunks(doc, spans, header, texts, counts))
            budget -= excess  # token sums of parts can differ slightly from the whole
        raise ValueError(f"could not fit article {doc.metadata.get('article_id')} into chunks")

    def _annotated(self, body: str, chunks: list[Chunk]) -> list[Chunk]:
        """Each chunk with the notes of the whole sentences inside it, chunk-relative."""
        if self.annotator is None or not chunks:
            return chunks
        spans = split_sentences(body)
        notes = self.annotator.annotate([body[s:e] for s, e in spans])
        placed = [n.shifted(s) for (s, _e), n in zip(spans, notes, strict=True) if n is not None]
        for chunk in chunks:
            inside = [
                n.shifted(-chunk.start) for n in placed if chunk.start <= n.start and n.end <= chunk.end
            ]
            chunk.metadata[NOTES_KEY] = encode_notes(inside)
        return chunks

    def _pack(self, body: str, budget: int) -> list[tuple[int, int]]:
        units = self._units(body, budget)
        chunks: list[tuple[int, int]] = []
        first = 0
        while first < len(units):
            last, used = first, units[first][2]
            while last + 1 < len(units) and used + units[last + 1][2] <= budget:
                last += 1
                used += units[last][2]
            chunks.append((units[first][0], units[last][1]))
            if last + 1 >= len(units):
                break
            first = self._overlap_start(units, first, last)
        return chunks

    def _overlap_start(self, units: list[tuple[int, int, int]], first: int, last: int) -> int:
        """First unit of the next chunk: whole trailing sentences within the overlap budget."""
        start, used = last + 1, 0
        while start - 1 > first and used + units[start - 1][2] <= self.overlap_tokens:
            start -= 1
            used += units[start][2]
        return start

    def _units(self, body: str, budget: int) -> list[tuple[int, int, int]]:
        """Sentences with token counts; a sentence over budget is cut at word boundaries."""
        spans = split_sentences(body)
        counts = self.count_tokens([body[s:e] for s, e in spans])
        units: list[tuple[int, int, int]] = []
        for (start, end), count in zip(spans, counts, strict=True):
            if count <= budget:
                units.append((start, end, count))
            else:
                units.extend(self._split_long(body, start, end, budget))
        return units

    def _split_long(self, body: str, start: int, end: int, budget: int) -> list[tuple[int, int, int]]:
        words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", body[start:end])]
        counts = self.count_tokens([body[s:e] for s, e in words])
        pieces: list[tuple[int, int, int]] = []
        piece_start, used, piece_end = words[0][0], 0, words[0][0]
        for (w_start, w_end), count in zip(words, counts, strict=True):
            if used and used + count > budget:
                pieces.append((piece_start, piece_end, used))
                piece_start, used = w_start, 0
            used += min(count, budget)
            piece_end = w_end
        pieces.append((piece_start, piece_end, used))
        return pieces

    def _make_chunks(
        self, doc: Document, spans: list[tuple[int, int]], header: str, texts: list[str], counts: list[int]
    ) -> list[Chunk]:
        meta = doc.metadata
        fingerprint = self.fingerprint(doc)
        chunks = []
        for index, ((start, end), embed_text, count) in enumerate(zip(spans, texts, counts, strict=True)):
            digest = hashlib.sha256(
                f"{meta['article_id']}\x1f{fingerprint}\x1f{start}:{end}\x1f{embed_text}".encode()
            ).hexdigest()[:20]
            chunk_id = f"{meta['article_id']}#{digest}"
            chunk_meta = {
                **{key: meta.get(key, "") for key in ("article_id", *ARTICLE_FIELDS)},
                "origin": meta.get("origin", ""),
                "origin_kind": meta.get("origin_kind", "file"),
                "article_fingerprint": fingerprint,
                "content_hash": meta.get("content_hash", ""),
                "chunk_id": chunk_id,
                "chunk_index": index,
                "chunk_total": len(spans),
                "start": start,
                "end": end,
                "header": header,
                "token_count": count,
                **{key: meta[key] for key in OPTIONAL_FIELDS if meta.get(key)},
            }
            chunks.append(
                Chunk(
                    chunk_id,
                    meta["article_id"],
                    index,
                    start,
                    end,
                    doc.page_content[start:end],
                    header,
                    embed_text,
                    count,
                    chunk_meta,
                )
            )
        return chunks


def article_fingerprint(metadata: dict[str, Any], config_tag: str) -> str:
    """Changes whenever the body, a displayed metadata field or the chunking config changes."""
    parts = [config_tag, str(metadata.get("content_hash", ""))]
    parts += [str(metadata.get(k, "")) for k in ARTICLE_FIELDS]
    parts += [f"{k}={metadata[k]}" for k in OPTIONAL_FIELDS if metadata.get(k)]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]
