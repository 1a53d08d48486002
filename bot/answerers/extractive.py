"""The default answerer, no LLM: the retrieved sentences that answer, verbatim, cited.

Every sentence of the best passages is scored by semantic similarity to the question
(the same packaged model), IDF-weighted overlap with the question's terms, the rank of
its passage and whether it holds a phrase of the asked kind (a name for "who", ...).
The best sentence leads; a few more follow when they score close to it, preferring
other articles when the question spans several. Weak evidence → a plain refusal.
"""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np
from langchain_core.documents import Document

from bot.answerers.about import chunks_of, fact_draft, latest_draft, summary_draft
from bot.answerers.answer_types import (
    RULES,
    Kind,
    answer_phrase,
    asked_count,
    full_names,
    list_items,
    question_type,
)
from bot.answerers.base import AnswerEvent, Delta, Draft, citation_for, related_articles
from bot.answerers.citations import specifics
from bot.answerers.forms import asks_list, form_cue
from bot.answerers.intents import Intent, asks_what_happened, intent_of
from bot.answerers.speakers import Actor, asked_actor, asks_speaker, named_in_role, named_speaker
from bot.answerers.subject import Referent, story_subject
from bot.answerers.yes_no import NOT_DIRECT, is_yes_no, verdict
from bot.language.text import is_boilerplate, terms
from bot.question import Question
from index.chunking import split_sentences
from index.nlp import MIN_WORDS, SentenceNotes, notes_of

Encoder = Callable[[Sequence[str]], np.ndarray]


@dataclass
class Candidate:
    passage: int
    start: int  # offsets inside the passage text
    end: int
    text: str
    semantic: float = 0.0
    lexical: float = 0.0
    typed: bool = False
    score: float = 0.0
    notes: SentenceNotes | None = None  # made at index time; None for older indexes
    lists: bool = False  # a lead-in ("…include:") with the list lines after it


@dataclass(frozen=True)
class ExtractiveConfig:
    passages: int = 6
    # On an article's page every chunk of it is a candidate, up to this many (news articles
    # are 2-20 chunks; the cap bounds a very long one). Initial choice, not tuned.
    scope_chunks: int = 40
    max_sentences: int = 3
    refuse_below: float = 0.38
    # A yes/no answer says when the articles do not state it ("don't say this in so many
    # words"), so weaker evidence may stand. Measured: 0.30 wins one reader-set and one held-out
    # answer, refuses no unanswerable question less.
    refuse_below_yes_no: float = 0.30
    # Extra sentences must score within this of the best. Measured: 0.08 → 0.12 wins one
    # reader-set and two held-out answers and loses none (0.16 wins one more, citation
    # precision 0.486 → 0.461): the reader gets the runner-up when it is nearly as good.
    follow_within: float = 0.12
    w_semantic: float = 0.6
    # The share of the previous sentence's word match a sentence inherits. Measured: 0.5 wins
    # one reader-set answer and loses none (held-out unchanged); 0.7 wins two and loses one.
    carry_over: float = 0.5
    w_lexical: float = 0.4
    w_typed: float = 0.08
    w_rank: float = 0.05
    # "What did X say": a sentence reporting X's words is preferred, one quoting somebody else
    # is not; "what does X want": a sentence with X as its subject, or X's words. Measured on
    # eval/readers.jsonl: 0.15 for X's words left "how did Njoku react" with a sentence about
    # his reaction over his quote; 0.25 answers it, and changes no other answer.
    w_speaker: float = 0.25
    # Initial choices, not tuned (the reader set has few "what does X want" questions).
    w_speaker_deeds: float = 0.1
    w_actor_subject: float = 0.1
    other_speaker_penalty: float = 0.1
    # "Which four regions": a sentence naming that many things is preferred. Measured on
    # eval/readers.jsonl: a bonus for naming several things on every list-like question
    # ("who's on the team") lost an answer and won none; tied to an asked number, it wins.
    w_counted: float = 0.2
    # "Why": a sentence stating a cause; "what's next": one saying what will happen
    # (bot/answerers/forms.py). Measured: 0.05 changes nothing, 0.1 and 0.15 win one reader-set
    # answer and lose one held-out answer; kept at 0.1 for what the form asks for.
    w_form: float = 0.1
    # "Which games…": a lead-in with its list ("…the big names include:" + lines) is the
    # answer's natural form. Measured: 0.15 wins no list answer, 0.3 wins one (reader set;
    # held-out unchanged); judging a lead-in together with its list won another.
    w_list_lead: float = 0.3
    unknown_names_penalty: float = 0.15
    # ...only when at least this share of the question's names is missing ("any one missing"
    # refused answerable MultiHop-RAG questions, which name many things).
    unknown_names_share: float = 0.5
    # Only this many sentences (best by the cheap lexical/type/rank score) are embedded:
    # embedding is most of the answer time, and low-overlap sentences rarely win (32 changed
    # no answer on the MultiHop-RAG dev set; 5 loses answers that only say "led", not "leads").
    embed_top: int = 32
    # Sentences per encode call (bot/factory.py builds the encoder): a few long sentences padded
    # a bigger batch to their length (64 → 16: answer p50 377 → 271 ms, bench/RESULTS.md).
    encode_batch: int = 16
    vector_cache: int = 20_000  # sentence embeddings kept (passages recur): initial choice, not tuned
    # Initial choices, not tuned: shorter "sentences" are headings or fragments; a list after a
    # lead-in ending in ":" is shown up to this many lines of up to this many words each.
    min_sentence_words: int = MIN_WORDS  # the NLP pass notes exactly these (index/nlp.py)
    list_items: int = 8
    list_item_words: int = 20
    delta_words: int = 4  # words per streamed piece: initial choice, not tuned


class ExtractiveAnswerer:
    name = "extractive"
    deltas_are_final = True

    def __init__(
        self,
        encode: Encoder,
        idf: Callable[[str], float] = lambda _t: 1.0,
        config: ExtractiveConfig | None = None,
        articles: Callable[[str, bool], list[Document]] = lambda _a, _s: [],
    ) -> None:
        """``articles(article_id, subscriber)`` gives an article's chunks in reading order
        (summaries need all of them), subscriber-only ones for a subscriber only."""
        self._encode = encode
        self._idf = idf
        self._articles = articles
        self.config = config or ExtractiveConfig()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def stream(self, question: Question, passages: Sequence[Document]) -> Iterator[AnswerEvent]:
        draft = self.answer(question, passages)
        words = re.findall(r"\S+\s*", draft.text)
        step = self.config.delta_words
        for i in range(0, len(words), step):  # the deltas concatenate to exactly draft.text
            yield Delta("".join(words[i : i + step]))
        yield draft

    def answer(self, question: Question | str, passages: Sequence[Document]) -> Draft:
        # Sentences are scored against the question with its context (what a follow-up
        # refers to); the kind of answer and the names asked about come from the question alone.
        question = Question.of(question)
        about = self._about_article(question, passages)
        if about is not None:
            return about
        question, passages, referent = self._in_scope(question, passages)
        candidates = self._candidates(passages)
        if not candidates:
            return refusal(passages)
        self._score(question, candidates, referent)
        chosen = self._choose(candidates, passages, question)
        if not chosen:
            return self._broad_summary(question, passages) or refusal(passages)
        return self._compose(question, chosen, passages)

    def _broad_summary(self, question: Question, passages: Sequence[Document]) -> Draft | None:
        """On an article's page, "what happened in the final" that no one sentence answers is
        asking for the story: its summary rather than a refusal."""
        if not question.article_id or not asks_what_happened(question.text):
            return None
        if self._unknown_names_penalty(question, passages):
            return None  # "what happened to Joe Biden" on a page that never names him
        chunks = chunks_of(question.article_id, passages, self._reader(question))
        return summary_draft(chunks, scoped=True) if chunks else None

    def _reader(self, question: Question) -> Callable[[str], list[Document]]:
        """An article's chunks as this question's reader may see them."""
        return lambda article_id: self._articles(article_id, question.subscriber)

    def _about_article(self, question: Question, passages: Sequence[Document]) -> Draft | None:
        """A summary or a fact about the article itself, when that is what is asked."""
        intent = intent_of(question.text)
        article_id = question.article_id or (str(passages[0].metadata.get("article_id")) if passages else "")
        if intent is Intent.FACTS or not article_id:
            return None
        if intent is Intent.LATEST and not question.article_id:
            return latest_draft(passages, self._reader(question))
        chunks = chunks_of(article_id, passages, self._reader(question))
        if not chunks:  # an article not in the index: nothing to say about it
            return None
        if intent in (Intent.SUMMARY, Intent.LATEST):  # the latest on this very story: its summary
            return summary_draft(chunks, scoped=question.article_id is not None)
        return fact_draft(intent, chunks)

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
        self, question: Question, candidates: list[Candidate], referent: Referent | None = None
    ) -> None:
        query = question.standalone
        q_terms = set(terms(query))
        # "How old was he": a sentence calling the subject "he" is about it as much as one
        # naming it (news names a person once, then says "he"), so both match the name.
        named = set(terms(referent.name)) if referent is not None else set()
        q_weight = sum(self._idf(t) for t in q_terms) or 1.0
        kind = question_type(question.text)
        strict = kind is not None and RULES[kind].strict
        actor = asked_actor(question.text)
        if actor is not None:  # "the US president" → "US President Donald Trump" in the passages
            actor = named_in_role(actor, list(dict.fromkeys(c.text for c in candidates)))
        count = asked_count(question.text)
        who_said = asks_speaker(question.text)
        cfg = self.config
        for cand in candidates:
            said = set(terms(cand.text))
            if referent is not None and referent.mentioned_in(cand.text):
                said |= named
            overlap = q_terms & said
            cand.lexical = sum(self._idf(t) for t in overlap) / q_weight
            cand.typed = answer_phrase(cand.text, kind, query, cand.notes) is not None
            cand.score = (
                cfg.w_lexical * cand.lexical
                + cfg.w_typed * cand.typed
                + cfg.w_rank / (1 + cand.passage)
                + self._actor_score(actor, cand.notes)
            )
            if who_said and named_speaker(cand.notes):
                cand.score += cfg.w_speaker
            if form_cue(question.text, cand.text):
                cand.score += cfg.w_form
            if cand.lists and asks_list(question.text):
                cand.score += cfg.w_list_lead
            if count and list_items(cand.text, cand.notes) >= count:
                cand.score += cfg.w_counted
            if strict and not cand.typed:
                cand.score = float("-inf")  # "how old is X": a sentence without an age cannot answer
        self._carry_over(candidates)
        shortlist = [
            c for c in sorted(candidates, key=lambda c: -c.score)[: cfg.embed_top] if c.score > float("-inf")
        ]
        if not shortlist:
            return
        # Only a context this answerer added for a pronoun (a conversation's context stays whole).
        guessed = referent is not None and query != question.text
        asked = [query, question.text] if guessed else [query]
        vectors = self._vectors(asked + [c.text for c in shortlist])
        # With a resolved pronoun, the mean of the question's similarity with and without the
        # name: the name alone pulls towards sentences that name the subject but answer nothing
        # (held-out reader set, eval/RESULTS.md: with it 0.621, without 0.653, the mean 0.642 —
        # and the mean keeps the reader set's 0.783, without it 0.753).
        sims = (vectors[len(asked) :] @ vectors[: len(asked)].T).mean(axis=1)
        for cand, sim in zip(shortlist, sims, strict=True):
            cand.semantic = float(sim)
            cand.score += cfg.w_semantic * cand.semantic
        embedded = {id(c) for c in shortlist}
        for cand in candidates:
            if id(cand) not in embedded:
                cand.score = float("-inf")  # not embedded: never chosen

    def _carry_over(self, candidates: list[Candidate]) -> None:
        """A sentence right after one that matches the question's words continues it ("Then,
        he tweaked the temperature"): it gets ``carry_over`` of that match when its own is less."""
        own = [c.lexical for c in candidates]
        for i in range(1, len(candidates)):
            cand, carried = candidates[i], self.config.carry_over * own[i - 1]
            if candidates[i - 1].passage == cand.passage and carried > own[i] and cand.score > float("-inf"):
                cand.score += self.config.w_lexical * (carried - own[i])

    def _actor_score(self, actor: Actor | None, notes: SentenceNotes | None) -> float:
        if actor is None or notes is None:
            return 0.0
        cfg = self.config
        if actor.speaks_in(notes):
            return cfg.w_speaker if actor.asks_words else cfg.w_speaker_deeds
        if actor.acts_in(notes) and not actor.asks_words:
            return cfg.w_actor_subject
        return -cfg.other_speaker_penalty if actor.others_speak_in(notes) else 0.0

    def _vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised embeddings, with an LRU cache: passages recur across questions."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for text, vector in zip(missing, self._encode(missing), strict=True):
                self._cache[text] = vector
            while len(self._cache) > self.config.vector_cache:
                self._cache.popitem(last=False)
        for t in texts:
            self._cache.move_to_end(t)
        return np.stack([self._cache[t] for t in texts])

    def _choose(
        self, candidates: list[Candidate], passages: Sequence[Document], question: Question
    ) -> list[Candidate]:
        ranked = sorted(candidates, key=lambda c: -c.score)
        if ranked[0].score == float("-inf"):
            return []
        base = self.config.refuse_below_yes_no if is_yes_no(question.text) else self.config.refuse_below
        bar = base + self._unknown_names_penalty(question, passages)
        if ranked[0].score < bar:
            return []
        close = [c for c in ranked if c.score >= ranked[0].score - self.config.follow_within]
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
        return chosen[: self.config.max_sentences]

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
        if is_yes_no(question.text):
            # A sentence that settles the question leads, else one the article states itself
            # rather than someone's quoted words (stable sort: score order otherwise).
            chosen = sorted(
                chosen,
                key=lambda c: (
                    verdict(question.text, c.text, c.notes) is None,
                    c.text.startswith(_QUOTE_MARKS),
                ),
            )
        kind = question_type(question.text)
        query = question.standalone
        numbers: dict[tuple[int, int], int] = {}
        citations = []
        parts = []
        lead, marked = None, ""
        if kind == Kind.NAME:
            said_by = _speaker_lead(question.text, chosen[0], passages)
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
        if is_yes_no(question.text):
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
    question: str, best: Candidate, passages: Sequence[Document]
) -> tuple[str, Candidate | None, str] | None:
    """For "who said X": (the best sentence's speaker as the articles introduce them, the
    sentence to cite for that name — None when the best sentence itself gives it —, the part of
    the name to mark in the best sentence). A quote often goes on after the sentence that says
    who is speaking, and "Holloway said" is introduced earlier as "Mayor Jane Holloway"."""
    speaker = named_speaker(best.notes) if asks_speaker(question) else ""
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


def refusal(passages: Sequence[Document]) -> Draft:
    """A plain "not in the articles". The question is not echoed: it is untrusted text."""
    related = related_articles(passages)
    text = "The articles I have don't say. Nothing I found in them answers this question."
    if related:
        text += " The closest related articles are listed below."
    return Draft(text=text, refused=True, related=related)
