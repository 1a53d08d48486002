"""The default answerer, no LLM: the retrieved sentences that answer, verbatim, cited.

``answer`` runs the steps in order: route (a summary or a fact about the article: ``routing.py``)
→ scope (the best passages; on a page, the whole article) → candidate sentences → score (the
scorers of ``scoring.py``, then the semantic similarity of the best, by the same packaged model)
→ choose (weak evidence → a plain refusal; the best sentence, then those close to it, preferring
other articles when the question spans several) → compose (verdict, names, bold, citations).
Everything about the question comes from its one ``Reading``.
"""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TypeVar

import numpy as np
from langchain_core.documents import Document

from bot.answerers.across import answer_across, answer_elsewhere, answer_named_across
from bot.answerers.reader import ReaderModel, alignment, feature_rows, scope_facts
from bot.answerers.routing import route
from bot.answerers.scoring import Candidate, ExtractiveConfig, Scored, score_sentences
from bot.drafting.about import chunks_of, summary_draft
from bot.drafting.citations import specifics
from bot.drafting.draft import AnswerEvent, Delta, Draft, citation_for, related_articles
from bot.language.mentions import SourceMatcher
from bot.language.text import is_boilerplate
from bot.question import Question
from bot.reading.kinds import Kind, answer_phrase, full_names
from bot.reading.reading import Reading
from bot.reading.speakers import named_speaker
from bot.reading.subject import Referent, story_subject
from bot.reading.yes_no import NOT_DIRECT, verdict
from index.chunking import split_sentences
from index.encoder import TokenEncoding
from index.errors import ConfigError
from index.nlp import notes_of

T = TypeVar("T")
Encoder = Callable[[Sequence[str]], np.ndarray]
TokenEncoder = Callable[[Sequence[str]], list[TokenEncoding]]


class ExtractiveAnswerer:
    name = "extractive"
    deltas_are_final = True

    def __init__(
        self,
        encode: Encoder,
        idf: Callable[[str], float] = lambda _t: 1.0,
        config: ExtractiveConfig | None = None,
        articles: Callable[[str, bool], list[Document]] = lambda _a, _s: [],
        reader: ReaderModel | None = None,
        tokens: TokenEncoder | None = None,
        outlets: Callable[[], SourceMatcher] | None = None,
    ) -> None:
        """``articles(article_id, subscriber)`` gives an article's chunks in reading order
        (summaries need all of them), subscriber-only ones for a subscriber only; ``reader``
        judges the shortlisted sentences as ``config.reader`` says (``reader.py``); ``tokens``
        encodes texts with their word pieces (one pass for both: the reader aligns the
        question's words with each sentence's), else ``encode`` alone is used; ``outlets``
        finds the index's outlets in a question about several reports (default: the
        passages' outlets)."""
        if reader is not None and tokens is None:
            # Its alignment features would read 0 where it was fitted on real values.
            raise ConfigError("The reader needs the model's word pieces: pass a token encoder.")
        self._tokens = tokens
        self._outlets = outlets
        self._encode = encode
        self._idf = idf
        self._articles = articles
        self.config = config or ExtractiveConfig()
        # The reader in use: none when the config switches it off.
        self._judge = reader if self.config.reader != "off" else None
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._pieces: OrderedDict[str, TokenEncoding] = OrderedDict()

    def stream(self, question: Question, passages: Sequence[Document]) -> Iterator[AnswerEvent]:
        yield from self.streamed(self.answer(question, passages))

    def streamed(self, draft: Draft) -> Iterator[AnswerEvent]:
        """A finished draft as deltas of a few words (they concatenate to exactly its text),
        then the draft."""
        words = re.findall(r"\S+\s*", draft.text)
        step = self.config.delta_words
        for i in range(0, len(words), step):
            yield Delta("".join(words[i : i + step]))
        yield draft

    def answer(self, question: Question | str, passages: Sequence[Document]) -> Draft:
        # Sentences are scored against the question with its context (what a follow-up
        # refers to); the kind of answer and the names asked about come from the question alone.
        question = Question.of(question)
        beyond = self._beyond_page(question, passages)
        if beyond is not None:
            return beyond
        about = route(question, passages, self._reader(question))
        if about is not None:
            return about
        several = self.across_reports(question, passages)
        if several is not None:
            return several
        question, passages, referent = self._in_scope(question, passages)
        candidates = self._candidates(passages)
        if not candidates:
            return refusal(passages)
        self._score(question, candidates, referent, passages, read=self._judge is not None)
        chosen = self._choose(candidates, passages, question)
        if not chosen:
            return self._broad_summary(question, passages) or refusal(passages)
        return self._compose(question, chosen, passages)

    def ranked(self, question: Question | str, passages: Sequence[Document]) -> list[Candidate]:
        """Every candidate sentence of the question's scope, best first, scored as ``answer``
        scores them (no route, no bar), each shortlisted one with the reader's features: what a
        benchmark of sentence selection and the reader's training read."""
        question, passages, referent = self._in_scope(Question.of(question), passages)
        candidates = self._candidates(passages)
        if candidates:
            self._score(question, candidates, referent, passages, read=True)
        return sorted(candidates, key=lambda c: -c.score)

    def _beyond_page(self, question: Question, passages: Sequence[Document]) -> Draft | None:
        """ "Did anyone else report this?", "anything newer?" asked on an article's page with
        every article searched: the other reports of its story (``across.answer_elsewhere``)."""
        if question.elsewhere is None or question.page is None:
            return None
        page = self._reader(question)(question.page)
        return answer_elsewhere(question.elsewhere, page, passages, self._best_sentence) if page else None

    def across_reports(self, question: Question, passages: Sequence[Document]) -> Draft | None:
        """A question about the reports it names, off any page: a verdict on them ("does A say X
        while B says Y"), or the name they share ("who, according to A and B, …")."""
        if question.article_id:
            return None
        outlets = self._outlets() if self._outlets is not None else None
        if question.across is not None:
            return answer_across(question.across, question.text, passages, self._best_sentence, outlets)
        if question.reading.kind is Kind.NAME:
            return answer_named_across(question.text, passages, self._best_sentence, outlets)
        return None

    def _best_sentence(self, text: str, passages: Sequence[Document]) -> Candidate | None:
        """The best sentence of ``passages`` for ``text`` (a claim about one report), scored as
        answers are; None when they hold no candidate."""
        candidates = self._candidates(passages)
        if not candidates:
            return None
        self._score(Question(text), candidates, None, passages, read=False)
        best = max(candidates, key=lambda c: c.score)
        return best if best.score > float("-inf") else None

    def _broad_summary(self, question: Question, passages: Sequence[Document]) -> Draft | None:
        """On an article's page, "what happened in the final" that no one sentence answers is
        asking for the story: its summary rather than a refusal."""
        if not question.article_id or not question.reading.what_happened:
            return None
        if self._unknown_names_penalty(question, passages):
            return None  # "what happened to Joe Biden" on a page that never names him
        chunks = chunks_of(question.article_id, passages, self._reader(question))
        return summary_draft(chunks, scoped=True) if chunks else None

    def _reader(self, question: Question) -> Callable[[str], list[Document]]:
        """An article's chunks as this question's reader may see them."""
        return lambda article_id: self._articles(article_id, question.subscriber)

    def _in_scope(
        self, question: Question, passages: Sequence[Document]
    ) -> tuple[Question, list[Document], Referent | None]:
        """The passages to answer from, and the question as they should read it.

        Asked on an article's page, the whole article is searched (retrieved passages first,
        so their rank still counts): a short question like "how old was he" retrieves poorly,
        and its answer may sit in a passage ranked below the cut. A pronoun there with no
        conversation before it stands for the story's subject, which becomes its context.
        """
        top = list(passages)[: self.config.passages]
        if not question.article_id:
            return question, top, None
        chunks = self._reader(question)(question.article_id)
        seen = {_chunk_key(p) for p in top}
        rest = [c for c in chunks if _chunk_key(c) not in seen]
        scoped = (top + rest)[: max(self.config.scope_chunks, len(top))]
        if question.context or question.turns:
            return question, scoped, None
        referent = story_subject(question.text, chunks)
        if referent is not None and referent.pronouns:  # a pronoun's subject: searched as context
            return question.with_context([referent.name]), scoped, referent
        return question, scoped, referent

    def _candidates(self, passages: Sequence[Document]) -> list[Candidate]:
        seen: set[tuple[str, int]] = set()
        found = []
        for i, doc in enumerate(passages):
            base = int(doc.metadata.get("start", 0))
            notes = {(n.start, n.end): n for n in notes_of(doc.metadata) or []}
            for start, end in split_sentences(doc.page_content):
                text = doc.page_content[start:end]
                key = (str(doc.metadata.get("article_id")), base + start)
                if (
                    key in seen
                    or len(text.split()) < self.config.min_sentence_words
                    or text.endswith("?")
                    or is_boilerplate(text)
                ):
                    continue  # overlap duplicates, headings, questions and page furniture answer nothing
                seen.add(key)
                cand = Candidate(i, start, end, text, notes=notes.get((start, end)))
                # A lead-in is judged with its list ("…include:" + the names after it).
                found.append(_with_list(cand, doc.page_content, self.config))
        return found

    def _score(
        self,
        question: Question,
        candidates: list[Candidate],
        referent: Referent | None,
        passages: Sequence[Document],
        read: bool,
    ) -> None:
        """The scorers of ``bot/answerers/scoring.py``, then the semantic similarity of the best,
        then, when ``read``, the reader's features (and, with a reader, its probability) for
        those: without a reader answers skip them (and the word pieces they need)."""
        query = question.standalone
        scored = Scored.of(question.reading, query, [c.text for c in candidates], self.config)
        score_sentences(scored, candidates, self._idf, referent)
        shortlist = [
            c
            for c in sorted(candidates, key=lambda c: -c.score)[: self.config.embed_top]
            if c.score > float("-inf")
        ]
        if not shortlist:
            return
        rules = [c.score for c in shortlist]
        # Only a context this answerer added for a pronoun (a conversation's context stays whole).
        guessed = referent is not None and query != question.text
        questions = [query, question.text] if guessed else [query]
        vectors = self._vectors(questions + [c.text for c in shortlist], pieces=read)
        # With a resolved pronoun, the mean of the question's similarity with and without the
        # name: the name alone pulls towards sentences that name the subject but answer nothing
        # (held-out reader set, eval/RESULTS.md: with it 0.621, without 0.653, the mean 0.642 —
        # and the mean keeps the reader set's 0.783, without it 0.753).
        sims = (vectors[len(questions) :] @ vectors[: len(questions)].T).mean(axis=1)
        for cand, sim in zip(shortlist, sims, strict=True):
            cand.semantic = float(sim)
            cand.score += self.config.w_semantic * cand.semantic
        embedded = {id(c) for c in shortlist}
        for cand in candidates:
            if id(cand) not in embedded:
                cand.score = float("-inf")  # not embedded: never chosen
        if read:
            self._read(question, scored, candidates, shortlist, rules, passages)

    def _read(
        self,
        question: Question,
        scored: Scored,
        candidates: list[Candidate],
        shortlist: list[Candidate],
        rules: list[float],
        passages: Sequence[Document],
    ) -> None:
        """The reader's features for the shortlist; with a reader, its probabilities, and with
        ``reader="rank"`` those are the scores."""
        missing = self._unknown_names_penalty(question, passages) > 0
        titles = list(dict.fromkeys(str(p.metadata.get("title", "")) for p in passages))
        scope = scope_facts(question.standalone, titles, candidates, shortlist, self._idf, missing)
        place = {id(c): i for i, c in enumerate(candidates)}
        positions = [place[id(c)] for c in shortlist]
        aligned = [(0.0, 0.0)] * len(shortlist)  # without a token encoder: only in ``ranked`` (tests)
        if self._tokens is not None:
            asked, *said = self._pieces_of([question.standalone, *(c.text for c in shortlist)])
            aligned = [alignment(asked, s) for s in said]
        rows = feature_rows(shortlist, positions, candidates, rules, aligned, scored, scope)
        for cand, row in zip(shortlist, rows, strict=True):
            cand.features = row
        if self._judge is None:
            return
        for cand, p in zip(shortlist, self._judge.probabilities(rows), strict=True):
            cand.answers = float(p)
            if self.config.reader == "rank":
                cand.score = float(p)

    def _vectors(self, texts: Sequence[str], pieces: bool) -> np.ndarray:
        """Normalised embeddings: from the word-piece encodings when ``pieces`` (one model pass
        gives both), else from ``encode``. Two caches, never mixed: the two paths differ in the
        last float bits, and answers must not depend on which ran first."""
        if pieces and self._tokens is not None:
            return np.stack([e.vector for e in self._pieces_of(texts)])
        vectors: list[np.ndarray] = _cached(self._cache, texts, self._encode, self.config.vector_cache)
        return np.stack(vectors)

    def _pieces_of(self, texts: Sequence[str]) -> list[TokenEncoding]:
        """Each text's word pieces and vectors (an LRU cache: passages recur across questions)."""
        assert self._tokens is not None
        return _cached(self._pieces, texts, self._tokens, self.config.pieces_cache)

    def _choose(
        self, candidates: list[Candidate], passages: Sequence[Document], question: Question
    ) -> list[Candidate]:
        ranked = sorted(candidates, key=lambda c: -c.score)
        if ranked[0].score == float("-inf"):
            return []
        if self._refused(ranked, passages, question):
            return []
        within = self.config.reader_follow_within if self._ranks() else self.config.follow_within
        close = [c for c in ranked if c.score >= ranked[0].score - within]
        # A list line is quoted with its lead-in already: never twice.
        close = [c for c in close if not any(o is not c and _inside(c, o) for o in close)]
        chosen: list[Candidate] = []
        articles: set[object] = set()
        for cand in close:  # the best sentence of each article first: questions span articles
            article = passages[cand.passage].metadata.get("article_id")
            if article not in articles:
                chosen.append(cand)
                articles.add(article)
        chosen += [c for c in close if c not in chosen]
        if question.reading.yes_no and not self._ranks():
            chosen = self._settled_first(question, ranked, chosen, passages)
        return chosen[: self.config.max_sentences]

    def _settled_first(
        self,
        question: Question,
        ranked: list[Candidate],
        chosen: list[Candidate],
        passages: Sequence[Document],
    ) -> list[Candidate]:
        """A yes/no question none of the chosen sentences settles leads with the best sentence
        above the bar that does ("Will Putin attend?" — the lede's "Putin has decided not to
        attend", below a quote of Trump's that holds the same words)."""
        if any(verdict(question.text, c.text, c.notes) is not None for c in chosen):
            return chosen
        bar = self._rules_bar(question, passages)
        for cand in ranked:
            if cand.score < bar:
                break
            if verdict(question.text, cand.text, cand.notes) is not None:
                return [cand, *(c for c in chosen if c is not cand and not _inside(c, cand))]
        return chosen

    def _ranks(self) -> bool:
        return self._judge is not None and self.config.reader == "rank"

    def _refused(self, ranked: list[Candidate], passages: Sequence[Document], question: Question) -> bool:
        """Too weak to answer: with ``reader="rank"``, the reader's best probability under its
        bar; else the best rules score under the rules' bar, or with ``reader="refuse"`` also
        the reader's best probability under its bar."""
        best = max((c.answers or 0.0 for c in ranked), default=0.0)
        doubted = self._judge is not None and best < self._judge.bar
        if self._ranks():
            return doubted
        return doubted or ranked[0].score < self._rules_bar(question, passages)

    def _rules_bar(self, question: Question, passages: Sequence[Document]) -> float:
        base = self.config.refuse_below_yes_no if question.reading.yes_no else self.config.refuse_below
        return base + self._unknown_names_penalty(question, passages)

    def _unknown_names_penalty(self, question: Question, passages: Sequence[Document]) -> float:
        """Names/numbers the question asks about that no passage mentions: likely not covered."""
        asked = specifics(question.text)
        if not asked:
            return 0.0
        seen: set[str] = set()
        for doc in passages:
            meta = doc.metadata
            seen |= specifics(
                f"{meta.get('title', '')} {meta.get('source', '')} {doc.page_content}", everywhere=True
            )
        missing = len(asked - seen) / len(asked)
        # Long multi-article questions name many things; only a question whose names are
        # mostly absent is probably about something the articles don't cover.
        return self.config.unknown_names_penalty if missing >= self.config.unknown_names_share else 0.0

    def _compose(self, question: Question, chosen: list[Candidate], passages: Sequence[Document]) -> Draft:
        reading = question.reading
        if reading.yes_no:
            # A sentence that settles the question leads, else one the article states itself
            # rather than someone's quoted words (stable sort: score order otherwise).
            chosen = sorted(
                chosen,
                key=lambda c: (
                    verdict(question.text, c.text, c.notes) is None,
                    c.text.startswith(_QUOTE_MARKS),
                ),
            )
        kind = reading.kind
        query = question.standalone
        numbers: dict[tuple[int, int], int] = {}
        citations = []
        parts = []
        lead, marked = None, ""
        if kind == Kind.NAME:
            said_by = _speaker_lead(reading, chosen[0], passages)
            if said_by is not None:  # the speaker is the answer: no other name in the quote is marked
                kind, (name, where, marked) = None, said_by
                lead = (name, where) if where is not None else None
            else:
                lead = _full_name_lead(query, kind, chosen, passages)
        if lead is not None:  # the name as the articles introduce it, cited where they do
            name, sentence = lead
            numbers[(sentence.passage, sentence.start)] = 1
            citations.append(citation_for(1, passages[sentence.passage], sentence.start, sentence.end))
            parts.append(f"**{name}** [1] —")
        for cand in chosen:
            key = (cand.passage, cand.start)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                citations.append(citation_for(numbers[key], passages[cand.passage], cand.start, cand.end))
            parts.append(f"{_mark(cand, kind, query, marked if cand is chosen[0] else '')} [{numbers[key]}]")
        if reading.yes_no:
            said = verdict(question.text, chosen[0].text, chosen[0].notes)
            if said is None:
                parts.append(NOT_DIRECT)
            else:
                parts.insert(0, f"**{said}** —")
        return Draft(text=" ".join(parts), citations=citations, related=related_articles(passages))


_QUOTE_MARKS = ("“", '"', "‘", "'")


def _whole_words(sentence: str, start: int, end: int) -> bool:
    """The span starts and ends at word boundaries."""
    before = sentence[start - 1] if start > 0 else " "
    after = sentence[end] if end < len(sentence) else " "
    return not (before.isalnum() and sentence[start].isalnum()) and not (
        after.isalnum() and sentence[end - 1].isalnum()
    )


def _inside(cand: Candidate, other: Candidate) -> bool:
    return cand.passage == other.passage and other.start <= cand.start and cand.end <= other.end


def _chunk_key(doc: Document) -> tuple[object, int, str]:
    """One chunk, however it was fetched (retrieved or read from the lexical index)."""
    return doc.metadata.get("article_id"), int(doc.metadata.get("start", 0)), doc.page_content


def _speaker_lead(
    reading: Reading, best: Candidate, passages: Sequence[Document]
) -> tuple[str, Candidate | None, str] | None:
    """For "who said X": (the best sentence's speaker as the articles introduce them, the
    sentence to cite for that name — None when the best sentence itself gives it —, the part of
    the name to mark in the best sentence). A quote often goes on after the sentence that says
    who is speaking, and "Holloway said" is introduced earlier as "Mayor Jane Holloway"."""
    speaker = named_speaker(best.notes) if reading.who_said else ""
    if not speaker:
        return None
    texts = [p.page_content for p in passages]
    name = (
        next((found[0] for found in full_names(speaker, texts)), speaker) if " " not in speaker else speaker
    )
    shown = name if name in best.text else speaker if speaker in best.text else ""
    if name in best.text:
        return name, None, shown
    article = passages[best.passage].metadata.get("article_id")
    found: list[tuple[int, Candidate]] = []
    for i, doc in enumerate(passages):
        if doc.metadata.get("article_id") != article:
            continue
        for start, end in split_sentences(texts[i]):
            sentence = texts[i][start:end]
            if name in sentence:  # the sentence of the same passage nearest the quote first
                rank = (i != best.passage) * 1_000_000 + abs(start - best.start)
                found.append((rank, Candidate(i, start, end, sentence)))
    if not found:
        return (name, None, shown) if shown else None
    return name, min(found, key=lambda f: f[0])[1], shown


def _full_name_lead(
    question: str, kind: Kind | None, chosen: list[Candidate], passages: Sequence[Document]
) -> tuple[str, Candidate] | None:
    """When the answer is a bare surname, the full name from the passages and its sentence."""
    span = answer_phrase(chosen[0].text, kind, question, chosen[0].notes)
    if span is None:
        return None
    short = chosen[0].text[span[0] : span[1]]
    if len(short.split()) != 1:
        return None
    shown = " ".join(c.text for c in chosen).lower()
    for name, i, start, _end in full_names(short, [p.page_content for p in passages]):
        if name.lower() in question.lower() or name.lower() in shown:
            return None  # already there: nothing to add
        text = passages[i].page_content
        for s_start, s_end in split_sentences(text):
            if s_start <= start < s_end:
                return name, Candidate(i, s_start, s_end, text[s_start:s_end])
    return None


def _with_list(cand: Candidate, text: str, cfg: ExtractiveConfig) -> Candidate:
    """A lead-in ending in ':' ("The team includes:") answers only with the list after it."""
    if not cand.text.endswith(":"):
        return cand
    end = cand.end
    for line in itertools.islice(re.finditer(r"[^\n]+", text[cand.end :]), cfg.list_items):
        item = line.group().strip()
        if len(item.split()) > cfg.list_item_words or item.endswith(":"):
            break  # a paragraph or the next lead-in: the list is over
        end = cand.end + line.end()
    return replace(cand, end=end, text=text[cand.start : end], lists=end > cand.end)


def _mark(cand: Candidate, kind: Kind | None, question: str, phrase: str = "") -> str:
    """The sentence with its answer phrase in bold: ``phrase`` when given, else the phrase of
    the asked kind."""
    sentence = cand.text
    at = sentence.find(phrase) if phrase else -1
    span = (at, at + len(phrase)) if at >= 0 else answer_phrase(sentence, kind, question, cand.notes)
    if span is None or not _whole_words(sentence, *span):
        return sentence  # never bold inside a word ("PWNE**D.**")
    start, end = span
    return f"{sentence[:start]}**{sentence[start:end]}**{sentence[end:]}"


def _cached(
    cache: OrderedDict[str, T],
    texts: Sequence[str],
    encode: Callable[[Sequence[str]], Iterable[T]],
    limit: int,
) -> list[T]:
    """Each text's encoding from an LRU ``cache`` of at most ``limit`` entries, encoding the
    missing ones in one call. The texts asked for are kept for this call even when the cache
    evicts them (a call may ask for more texts than it holds)."""
    found: dict[str, T] = {}
    for text in dict.fromkeys(texts):
        if text in cache:
            cache.move_to_end(text)
            found[text] = cache[text]
    missing = [t for t in dict.fromkeys(texts) if t not in found]
    if missing:
        for text, encoded in zip(missing, encode(missing), strict=True):
            cache[text] = found[text] = encoded
        while len(cache) > limit:
            cache.popitem(last=False)
    return [found[t] for t in texts]


def refusal(passages: Sequence[Document]) -> Draft:
    """A plain "not in the articles". The question is not echoed: it is untrusted text."""
    related = related_articles(passages)
    text = "The articles I have don't say. Nothing I found in them answers this question."
    if related:
        text += " The closest related articles are listed below."
    return Draft(text=text, refused=True, related=related)
