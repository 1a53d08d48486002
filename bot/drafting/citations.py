"""Citation mapping in one place: parse [n], check support, repair or drop, renumber.

An LLM's answer is split into sentences. Each marker must name an existing passage, and
the passage must support the sentence (enough of the sentence's content terms occur in
it). A sentence whose cited passage does not support it is re-pointed at the passage that
does; a factual sentence no passage supports makes the answer unverified, so the caller
falls back to the extractive answer. Quotes are the passage sentences that best match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from langchain_core.documents import Document

from bot.drafting.draft import citation_for
from bot.language.patterns import LEADING_LLM_CITATIONS, LLM_CITATIONS, SPECIFIC
from bot.language.text import hedged, is_stopword, negated, terms
from bot.schemas import Citation
from index.chunking import split_sentences

_NUMBER = re.compile(r"\d+")
# Where one statement of a sentence ends and the next begins.
_CLAUSE_BREAK = re.compile(
    r"[.!?;:,–—]\s+|\s*\n\s*|\s+(?:but|while|whereas|although|and then|and instead)\s+", re.I
)


@dataclass(frozen=True)
class CitationConfig:
    # Share of a claim's content terms the sentence it restates must contain. 0.5 was the
    # initial choice when claims were judged against whole passages; judged per sentence, 0.5
    # let "Putin accepted the ceasefire proposal" through on "...challenged Putin – who
    # initially proposed holding them" (2 of 4 terms), 0.6 does not.
    min_support: float = 0.6
    min_matched_terms: int = 2  # a one-word "claim" (e.g. an injected code word) proves nothing
    # A shared name counts as this many shared words when finding the clause a claim restates
    # ("Putin accepted…" restates "…but Putin rejected it", not "Zelensky accepted…"): initial choice.
    name_weight: int = 3


_DEFAULTS = CitationConfig()


@dataclass
class Verified:
    text: str
    citations: list[Citation] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    repaired: int = 0
    dropped: int = 0


def support(claim: str, passage_text: str) -> float:
    """How well the passage's best sentence supports the claim (0..1).

    Judged against a sentence, not the whole passage: a claim that takes its names from one
    sentence and its verb from another ("Zhao is the former CEO of Voyager Digital", from a
    passage naming both) is not supported. Per sentence: 0 when fewer than two terms match,
    when a name or number of the claim is missing from it ("Alexander Kuznetsov leads the
    delegation" shares most words with a sentence about the delegation, but the name that
    matters is invented) or when the claim drops its negation or hedging; else the share of
    the claim's content terms the sentence holds.
    """
    claim_terms = set(terms(claim))
    if not claim_terms:
        return 1.0
    # Not two sentences joined either: that let "Putin will attend the talks in Istanbul" through
    # on Lula's "go to Istanbul" followed by Trump's "would consider attending the talks".
    sentences = [passage_text[s:e] for s, e in split_sentences(passage_text)] or [passage_text]
    return max(_sentence_support(claim, claim_terms, sentence) for sentence in sentences)


def _sentence_support(claim: str, claim_terms: set[str], sentence: str) -> float:
    if not specifics(claim) <= specifics(sentence, everywhere=True):
        return 0.0
    # The whole sentence restated (a verbatim quote), or the one clause of it the claim restates.
    if not (
        same_modality(claim, sentence) or same_modality(claim, _closest_clause(claim, claim_terms, sentence))
    ):
        return 0.0
    matched = len(claim_terms & set(terms(sentence)))
    return matched / len(claim_terms) if matched >= _DEFAULTS.min_matched_terms else 0.0


def same_modality(claim: str, sentence: str) -> bool:
    """The claim keeps its sentence's negation and hedging: "Putin would not go" does not
    support "Putin is going", "he would consider attending" does not support "he is attending",
    and "the war will continue" is not supported by a sentence that predicts nothing."""
    return _marks(claim) == _marks(sentence)


def _marks(text: str) -> tuple[bool, bool]:
    return negated(text), hedged(text)


def _closest_clause(claim: str, claim_terms: set[str], text: str) -> str:
    """The clause of ``text`` the claim restates: news sentences join several statements
    ("Putin would not go, and instead named a delegation led by…"), and the claim must keep the
    modality of its own. Shared names weigh most: they say whose statement it is."""
    names = specifics(claim, everywhere=True)
    clauses = [c for c in _CLAUSE_BREAK.split(text) if c.strip()] or [text]

    def overlap(clause: str) -> int:
        shared_names = len(names & specifics(clause, everywhere=True))
        return len(claim_terms & set(terms(clause))) + _DEFAULTS.name_weight * shared_names

    return max(clauses, key=overlap)


def _opens_sentence(text: str, start: int) -> bool:
    """Is the word at ``start`` the first of its sentence (so capitalised anyway)?"""
    before = text[:start].rstrip()
    return not before or before[-1] in '.!?:"“'


def specifics(text: str, everywhere: bool = False) -> set[str]:
    """Names and numbers: capitalised words not opening a sentence, and digits (lowercased)."""
    found = set()
    for match in SPECIFIC.finditer(text):
        word = match.group()
        if is_stopword(word):
            continue  # "Where", "The": capitalised, but not a name
        if word[0].isdigit() or everywhere or not _opens_sentence(text, match.start()):
            found.add(word.lower().replace("’", "'").removesuffix("'s").rstrip(".,"))
    return found


def split_claims(text: str) -> list[tuple[str, list[int]]]:
    """Sentences of an answer, each with the passage numbers cited in or right after it."""
    claims: list[tuple[str, list[int]]] = []
    for start, end in split_sentences(text):
        for part in _CITED_LEAD.split(text[start:end]):
            _add_claim(claims, part)
    return claims


# "**Stephen Twitty** [1] — "Russia can win the war…" [2]": a cited lead, then a dash, then the
# sentence it introduces. Each half is its own claim with its own source.
_CITED_LEAD = re.compile(r"(?<=\])\s+(?=[—–]\s)")


def _add_claim(claims: list[tuple[str, list[int]]], sentence: str) -> None:
    leading = LEADING_LLM_CITATIONS.match(sentence)
    if leading and claims:  # "Claim. [1] Next claim" splits before "[1]": it cites the claim before
        claims[-1][1].extend(int(n) for n in _NUMBER.findall(leading.group()))
        sentence = sentence[leading.end() :]
    numbers = [int(n) for group in LLM_CITATIONS.findall(sentence) for n in _NUMBER.findall(group)]
    claim = LLM_CITATIONS.sub("", sentence).strip()
    if claim:
        claims.append((claim, numbers))
    elif numbers and claims:  # a marker split off as its own "sentence": attach to previous
        claims[-1][1].extend(numbers)


def verify(text: str, passages: Sequence[Document], min_support: float = _DEFAULTS.min_support) -> Verified:
    """Check and repair every citation; renumber cited passages 1..m in order of use."""
    result = Verified(text="")
    order: dict[int, int] = {}  # passage index → new number
    quotes: dict[int, list[str]] = {}
    sentences = []
    for claim, cited in split_claims(text):
        if claim.endswith("?"):  # a question (often the prompt echoed back) asserts nothing
            result.dropped += len(cited)
            continue
        chosen = _supported(claim, cited, passages, min_support, result)
        if not chosen:
            sentences.append(claim)
            continue
        for p in chosen:
            order.setdefault(p, len(order) + 1)
            quotes.setdefault(p, []).append(claim)
        sentences.append(claim + " " + "".join(f"[{order[p]}]" for p in chosen))
    result.text = " ".join(sentences)
    result.citations = [_quote(order[p], passages[p], quotes[p]) for p in order]
    return result


def _supported(
    claim: str, cited: list[int], passages: Sequence[Document], min_support: float, result: Verified
) -> list[int] | None:
    """Passages (0-based) that support ``claim``; ``None`` for a claim without content."""
    if not terms(claim):
        return None
    valid = [n - 1 for n in dict.fromkeys(cited) if 1 <= n <= len(passages)]
    result.dropped += len(cited) - len(valid)
    good = [p for p in valid if support(claim, passages[p].page_content) >= min_support]
    result.dropped += len(valid) - len(good)
    if good:
        return good
    scores = [support(claim, p.page_content) for p in passages]
    best = max(range(len(passages)), key=scores.__getitem__, default=None)
    if best is not None and scores[best] >= min_support:
        result.repaired += 1
        return [best]
    result.unsupported.append(claim)
    return []


def _quote(n: int, passage: Document, claims: list[str]) -> Citation:
    """Quote the passage sentence that best matches what the answer says about it."""
    spans = split_sentences(passage.page_content) or [(0, len(passage.page_content))]
    joined = " ".join(claims)
    claim_terms = set(terms(joined))
    start, end = max(spans, key=lambda s: len(claim_terms & set(terms(passage.page_content[s[0] : s[1]]))))
    return citation_for(n, passage, start, end)
