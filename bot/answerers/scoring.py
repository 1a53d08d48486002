"""How the extractive answerer scores a sentence, and what an LLM is told of the same question form.

The one ordered list ``SCORERS``: each scorer has a name, the ``ExtractiveConfig`` weight it
uses, when it applies (read off the question's ``Reading``), how it scores a sentence (from
its words and the notes the index stored with it) and the line of the LLM prompt's "Answer
form" guidance that asks the model for the same (``bot/answerers/guidance.py`` writes the
prompt from this list, so the two cannot drift). Order matters twice: the scores are summed in
list order (floating point: the same order gives the same answers) and the guidance lines are
written in it.

A sentence's score: the scorers that apply, in order; then ``carry_over`` (a sentence
continuing its predecessor's match, which needs its neighbours); then, for the best
``embed_top`` only, the semantic similarity (``bot/answerers/extractive.py``, which owns the
encoder).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from bot.language.text import terms
from bot.reading.forms import states_cause, states_future
from bot.reading.kinds import Kind, answer_phrase, list_items
from bot.reading.reading import Reading
from bot.reading.speakers import Actor, named_in_role, named_speaker
from bot.reading.subject import Referent
from index.nlp import MIN_WORDS, SentenceNotes


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
    # (bot/reading/forms.py). Measured: 0.05 changes nothing, 0.1 and 0.15 win one reader-set
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
    # Word-piece encodings kept with the reader on: ~35 pieces × 384 floats, ~55 KB each, so
    # 2,000 ≈ 110 MB. Initial choice, not tuned.
    pieces_cache: int = 2_000
    # Initial choices, not tuned: shorter "sentences" are headings or fragments; a list after a
    # lead-in ending in ":" is shown up to this many lines of up to this many words each.
    min_sentence_words: int = MIN_WORDS  # the NLP pass notes exactly these (index/nlp.py)
    list_items: int = 8
    list_item_words: int = 20
    delta_words: int = 4  # words per streamed piece: initial choice, not tuned
    # The fitted reader (bot/answerers/reader.py): "refuse" lets it decide when the scope does
    # not answer, "rank" also orders the sentences by it; "off" is the rules alone.
    reader: Literal["off", "refuse", "rank"] = "off"
    # With "rank", extra sentences must have a probability within this of the best.
    reader_follow_within: float = 0.1


@dataclass
class Candidate:
    passage: int
    start: int  # offsets inside the passage text
    end: int
    text: str
    semantic: float = 0.0
    lexical: float = 0.0  # IDF-weighted share of the question's terms the sentence holds
    typed: bool = False  # it holds a phrase of the asked kind
    score: float = 0.0
    notes: SentenceNotes | None = None  # made at index time; None for older indexes
    lists: bool = False  # a lead-in ("…include:") with the list lines after it
    terms: frozenset[str] = frozenset()  # its content words, stemmed (set when scored)
    parts: dict[str, float] = field(default_factory=dict)  # what each scorer that applies added
    features: np.ndarray | None = None  # the reader's features (shortlisted sentences only)
    answers: float | None = None  # the reader's probability that it answers (when one is loaded)


@dataclass(frozen=True)
class Scored:
    """What each sentence is scored against: the question's reading and the passages' names."""

    reading: Reading
    query: str  # the question with its context: phrases it already holds are no answer
    actor: Actor | None  # the reading's actor as the passages name it ("US President Donald Trump")
    config: ExtractiveConfig

    @classmethod
    def of(cls, reading: Reading, query: str, texts: Sequence[str], config: ExtractiveConfig) -> Scored:
        """Against these sentences: the reading's actor as they name it ("the US president" →
        "US President Donald Trump")."""
        actor = reading.actor
        if actor is not None:
            actor = named_in_role(actor, list(dict.fromkeys(texts)))
        return cls(reading, query, actor, config)


ScoreFn = Callable[[Candidate, Scored], float]
GuidanceFn = Callable[[Reading], str | None]


@dataclass(frozen=True)
class Scorer:
    name: str
    weight: str  # the ``ExtractiveConfig`` field(s) it uses ("": none), for a reader of this list
    applies: Callable[[Reading], bool]
    # None: the form is answered after scoring (a yes/no question: a lower bar to answer and a
    # verdict, ``ExtractiveAnswerer._choose`` / ``_compose``); it still guides an LLM.
    score: ScoreFn | None
    guidance: GuidanceFn | None = None


_UNLESS = "if no passage gives one, reply exactly NOT_IN_ARTICLES"
KIND_GUIDANCE: dict[Kind, str] = {
    Kind.NAME: "It asks who: name the person or organisation the passages give.",
    Kind.DATE: "It asks when: give the date or time the passages give.",
    Kind.PLACE: "It asks where: name the place the passages give.",
    Kind.NUMBER: "It asks for an amount: give the figure the passages give, with its unit.",
    Kind.COUNT: f"It asks how many: give the number the passages give; {_UNLESS}.",
    Kind.MONEY: f"It asks for an amount of money: give the sum the passages give; {_UNLESS}.",
    Kind.AGE: f"It asks for an age: give the age the passages give for that person; {_UNLESS}.",
    Kind.TIME: f"It asks for a time of day: give the time the passages give; {_UNLESS}.",
    Kind.DURATION: f"It asks how long: give the length of time the passages give; {_UNLESS}.",
    Kind.SCORE: f"It asks for a score: give the score the passages give; {_UNLESS}.",
    Kind.BIRTH: f"It asks for a date of birth: give the one the passages give; {_UNLESS}.",
}


def _always(_reading: Reading) -> bool:
    return True


def _kind_line(reading: Reading) -> str | None:
    return KIND_GUIDANCE[reading.kind] if reading.kind is not None else None


def _actor_score(cand: Candidate, scored: Scored) -> float:
    """The actor's own words (or deeds) preferred, somebody else's words less so."""
    actor, notes, cfg = scored.actor, cand.notes, scored.config
    if actor is None or notes is None:
        return 0.0
    if actor.speaks_in(notes):
        return cfg.w_speaker if actor.asks_words else cfg.w_speaker_deeds
    if actor.acts_in(notes) and not actor.asks_words:
        return cfg.w_actor_subject
    return -cfg.other_speaker_penalty if actor.others_speak_in(notes) else 0.0


def _actor_line(reading: Reading) -> str | None:
    if reading.actor is not None and reading.actor.asks_words:
        return (
            "It asks for someone's own words or reaction: report only what they said or did, "
            "attributed to them, never words of somebody else."
        )
    return "It asks what someone wants or plans: give what the passages say they want or plan."


def _future_score(cand: Candidate, scored: Scored) -> float:
    # A question both why and what-next ("why will it happen next") is scored as a why.
    if scored.reading.cause or not states_future(cand.text):
        return 0.0
    return scored.config.w_form


def _strict(cand: Candidate, _scored: Scored) -> float:
    return 0.0 if cand.typed else float("-inf")  # "how old is X": a sentence without an age cannot answer


SCORERS: tuple[Scorer, ...] = (
    Scorer("words", "w_lexical", _always, lambda c, a: a.config.w_lexical * c.lexical),
    Scorer(
        "kind", "w_typed", lambda r: r.kind is not None, lambda c, a: a.config.w_typed * c.typed, _kind_line
    ),
    Scorer("rank", "w_rank", _always, lambda c, a: a.config.w_rank / (1 + c.passage)),
    Scorer(
        "yes/no",
        "refuse_below_yes_no",
        lambda r: r.yes_no,
        None,
        lambda _r: (
            "It is a yes/no question: begin with Yes or No only if a passage states the answer "
            "directly; otherwise say what the passages say, without concluding."
        ),
    ),
    Scorer(
        "actor",
        "w_speaker, w_speaker_deeds, w_actor_subject, other_speaker_penalty",
        lambda r: r.actor is not None,
        _actor_score,
        _actor_line,
    ),
    Scorer(
        "who said",
        "w_speaker",
        lambda r: r.who_said,
        lambda c, a: a.config.w_speaker if named_speaker(c.notes) else 0.0,
        lambda _r: (
            "It asks who said something: name the speaker the passages give for those words, "
            "as the passages name them."
        ),
    ),
    Scorer(
        "cause",
        "w_form",
        lambda r: r.cause,
        lambda c, a: a.config.w_form if states_cause(c.text) else 0.0,
        lambda _r: "It asks why: give the reason or cause a passage states, not the event itself.",
    ),
    Scorer(
        "future",
        "w_form",
        lambda r: r.future,
        _future_score,
        lambda _r: (
            "It asks what happens next: give only what a passage says will or may happen, "
            "keeping its hedging (may, would, expected to)."
        ),
    ),
    Scorer(
        "list",
        "w_list_lead",
        lambda r: r.lists,
        lambda c, a: a.config.w_list_lead if c.lists else 0.0,
        lambda _r: "It asks for several things: give each one the passages name, each cited.",
    ),
    Scorer(
        "count",
        "w_counted",
        lambda r: r.count > 0,
        lambda c, a: a.config.w_counted if list_items(c.text, c.notes) >= a.reading.count else 0.0,
        lambda r: f"It asks for {r.count} things: name that many, as the passages give them.",
    ),
    # Last: nothing another scorer adds may lift a sentence without the asked phrase.
    Scorer("strict kind", "", lambda r: r.strict, _strict),
)


def applying(reading: Reading) -> list[Scorer]:
    """The scorers that apply to a question read as ``reading``, in order."""
    return [s for s in SCORERS if s.applies(reading)]


def score_sentences(
    scored: Scored,
    candidates: Sequence[Candidate],
    idf: Callable[[str], float],
    referent: Referent | None = None,
) -> None:
    """Each candidate's score before the semantic stage: its word match and asked phrase, the
    scorers that apply in order, then the carry-over from the sentence before it."""
    q_terms = set(terms(scored.query))
    # "How old was he": a sentence calling the subject "he" is about it as much as one
    # naming it (news names a person once, then says "he"), so both match the name.
    named = set(terms(referent.name)) if referent is not None else set()
    q_weight = sum(idf(t) for t in q_terms) or 1.0
    scorers = [(s.name, s.score) for s in applying(scored.reading) if s.score is not None]
    kind = scored.reading.kind
    for cand in candidates:
        said = set(terms(cand.text))
        cand.terms = frozenset(said)
        if referent is not None and referent.mentioned_in(cand.text):
            said |= named
        cand.lexical = sum(idf(t) for t in q_terms & said) / q_weight
        cand.typed = answer_phrase(cand.text, kind, scored.query, cand.notes) is not None
        cand.score = 0.0
        cand.parts = {}
        for name, score in scorers:
            part = score(cand, scored)
            cand.parts[name] = part
            cand.score += part
    carry_over(candidates, scored.config)


def carry_over(candidates: Sequence[Candidate], cfg: ExtractiveConfig) -> None:
    """A sentence right after one that matches the question's words continues it ("Then,
    he tweaked the temperature"): it gets ``carry_over`` of that match when its own is less."""
    own = [c.lexical for c in candidates]
    for i in range(1, len(candidates)):
        cand, carried = candidates[i], cfg.carry_over * own[i - 1]
        if candidates[i - 1].passage == cand.passage and carried > own[i] and cand.score > float("-inf"):
            cand.score += cfg.w_lexical * (carried - own[i])
