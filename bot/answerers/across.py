"""Answers about several reports at once (``bot/reading/across.py``): each report's claim is
checked against that report, and the verdict is composed from what was found, every side cited.

The steps, in order (``answer_across``): ``claims_of`` cuts the question into one claim per report
it names (by the outlets it names, else by its dates, else at "while") → each claim is checked
against the passages of its outlet, those of its date first (``check``: the best sentence by the
answerer's own scoring; supported when it scores over the bar) → ``decide`` gives the verdict
the relation asks for → ``compose`` writes it, each report's sentence dated and cited.
Questions that name fewer than two reports go back to the sentence answer (None).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from langchain_core.documents import Document

from bot.answerers.scoring import Candidate, ExtractiveConfig
from bot.drafting.draft import Draft, citation_for, related_articles
from bot.language.mentions import DateHint, SourceMatcher, date_mentions
from bot.language.patterns import OPENER, display_date
from bot.language.text import words
from bot.reading.across import Across, Elsewhere, Relation
from bot.schemas import Citation
from index.chunking import split_sentences
from index.nlp import notes_of

# The best sentence of these passages for this text, scored as the answerer scores (None: none).
BestSentence = Callable[[str, Sequence[Document]], Candidate | None]

# A report named without its outlet: "the same source", "the subsequent report", "another
# TechCrunch article" (its outlet, when named, is a mention of its own).
_ANOTHER_REPORT = re.compile(
    r"\b(?:the\s+same\s+(?:source|publication|outlet|newspaper|news\s+source|site)|"
    r"(?:the|a|an)\s+(?:subsequent|later|earlier|previous|following|latter|former|second|other|another)\s+"
    r"(?:report|article|piece|one|story|coverage))\b",
    re.IGNORECASE,
)
# Where one claim ends and the next begins when the question names one report only: "Does the
# Herald suggest X, *while* also reporting Y".
_CLAIM_BREAK = re.compile(r",?\s+\b(?:while|whereas)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Claim:
    text: str  # the question's words for this report, with what is asked of every report
    sources: frozenset[str]  # the outlets it names (empty: any outlet)
    dates: tuple[DateHint, ...]  # the dates it names


@dataclass(frozen=True)
class Finding:
    claim: Claim
    sentence: Candidate | None  # the best sentence of the claim's reports; None: no such report
    passage: Document | None  # the passage holding it
    supported: bool


@dataclass(frozen=True)
class AcrossConfig:
    # A claim is supported when its best sentence scores at least this (the extractive
    # answerer's own score, against the claim's words without its outlet, dates and framing).
    # Measured on the tuning part of MultiHop-RAG dev (eval/RESULTS.md): with the question's
    # words as they are, 0.0 and 0.2 gave the same verdicts on "both" questions (83 of 133 right),
    # 0.3 → 81, 0.4 → 79, 0.5 → 76 — a sentence of the named report is nearly always found, and
    # its score does not tell a true claim from a false one. 0.0: a sentence found, unless
    # penalised (names the question asks about that the report never mentions).
    support: float = 0.0
    # Another article tells the same story when its best sentence for the page's title and lede
    # scores at least this. Initial choice, not tuned: the extractive answerer's bar to answer.
    same_story: float = ExtractiveConfig.refuse_below
    reports: int = 3  # other reports shown at most: as many sentences as an answer quotes
    # "Who, according to A and B, …": names are counted in each report's passages closest to its
    # claim, this many. Swept on the tuning part (multi-hop, 131 questions, 30 passages): 1 → 0.588,
    # 2 → 0.695, 3 → 0.695, 5 → 0.718, 8 → 0.702, 12 → 0.725, all → 0.695: noise above 2.
    named_passages: int = 5


def answer_across(
    across: Across,
    question: str,
    passages: Sequence[Document],
    best: BestSentence,
    outlets: SourceMatcher | None = None,
    config: AcrossConfig | None = None,
) -> Draft | None:
    """The verdict on the reports the question names, or None when it names fewer than two.
    ``outlets`` finds the index's outlets in the question (default: the passages' outlets)."""
    config = config or AcrossConfig()
    claims = claims_of(question, across, outlets or passages_outlets(passages))
    if len(claims) < 2 or not any(c.sources or c.dates for c in claims):
        return None  # no outlet or date named: a question about the news, not about reports
    findings = check(claims, passages, best, config)
    found = sum(1 for f in findings if f.sentence is not None)
    if found == 0 or (across.relation is not Relation.BOTH and found < 2):
        return None  # agreeing, changing or coming first takes two reports: found, not assumed
    return compose(decide(across, findings), across, findings, passages)


def passages_outlets(passages: Sequence[Document]) -> SourceMatcher:
    """The outlets of these passages, found by their aliases: without the index's list (tests)."""
    return SourceMatcher({str(p.metadata.get("source", "")) for p in passages})


def claims_of(question: str, across: Across, outlets: SourceMatcher) -> list[Claim]:
    """One claim per report the question names: cut where it names an outlet or "the same
    source"; with one outlet named, where it names a date, else at "while"."""
    named = question[: across.topic_at]
    topic = across.topic
    mentions = outlets.mentions(named)
    starts: list[tuple[int, frozenset[str]]] = [(m.start, frozenset({m.source})) for m in mentions]
    starts += [(m.start(), frozenset()) for m in _ANOTHER_REPORT.finditer(named)]
    starts.sort(key=lambda s: s[0])
    if len(starts) < 2:
        cuts = [start for start, _end, _hint in date_mentions(named)][1:] or [
            m.start() for m in _CLAIM_BREAK.finditer(named)
        ]
        named_outlets = starts[0][1] if starts else frozenset()
        starts = [(0, named_outlets)] + [(cut, frozenset()) for cut in cuts]
    claims: list[Claim] = []
    for i, (start, own) in enumerate(starts):
        begin = 0 if i == 0 else start
        end = starts[i + 1][0] if i + 1 < len(starts) else len(named)
        words = named[begin:end]
        inherited = own or (claims[-1].sources if claims else frozenset())
        dates = tuple(hint for _s, _e, hint in date_mentions(words))
        claims.append(Claim(_claimed(f"{words} {topic}", outlets), inherited, dates))
    return claims


def check(
    claims: Sequence[Claim], passages: Sequence[Document], best: BestSentence, config: AcrossConfig
) -> list[Finding]:
    """Each claim against its reports: the passages of its outlet (any, when it names none),
    those of a date it names when there are such."""
    findings = []
    for claim in claims:
        scope = reports_of(claim, passages)
        found = best(claim.text, scope) if scope else None
        passage = scope[found.passage] if found is not None else None
        findings.append(Finding(claim, found, passage, found is not None and found.score >= config.support))
    return findings


# Words that name a report or frame a claim about it ("the TechCrunch article suggests that"),
# not what the claim says: left out of what each report's sentences are scored against.
_FRAMING = re.compile(
    r"\b(?:articles?|reports?|reported|reporting|coverage|piece|publication|published|source|"
    r"suggest(?:s|ed)?|indicat(?:e|es|ed)|impl(?:y|ies|ied)|claim(?:s|ed)?|alleg(?:e|es|ed)|"
    r"mention(?:s|ed)?|state(?:s|d)?|according\s+to|while|whereas|does|did|do|also|both|that|"
    r"between|after|before|on|the\s+same\s+(?:source|publication|outlet|news\s+source))\b",
    re.IGNORECASE,
)


def _claimed(text: str, outlets: SourceMatcher) -> str:
    """What a claim says: its words without the outlets, dates and framing that name its report."""
    for mention in reversed(outlets.mentions(text)):
        text = text[: mention.start] + text[mention.end :]
    for start, end, _hint in reversed(date_mentions(text)):
        text = text[:start] + text[end:]
    return " ".join(_FRAMING.sub(" ", text).split())


def reports_of(claim: Claim, passages: Sequence[Document]) -> list[Document]:
    """The passages a claim is checked in: those of its outlet (any, when it names none), of a
    date it names when there are such."""
    own = [p for p in passages if not claim.sources or p.metadata.get("source") in claim.sources]
    dated = [p for p in own if any(d.matches(_published(p)) >= 1.0 for d in claim.dates)]
    return dated or own


def decide(across: Across, findings: Sequence[Finding]) -> bool:
    """Whether the answer is "yes" to what the relation asks, from the reports found: a report
    not found among the passages is not checked (said so in the answer), not counted as
    contradicting — on the tuning part, 4 of 4 questions with a report not found were "yes"."""
    supported = all(f.supported for f in findings if f.sentence is not None)
    if across.relation is Relation.ORDER:
        return supported and _in_order(findings, across.before)
    if across.relation in (Relation.DIFFERENT, Relation.CHANGED):
        return not supported
    return supported


def _in_order(findings: Sequence[Finding], before: bool) -> bool:
    dates = [_published(f.passage) if f.passage is not None else "" for f in findings]
    if not all(dates):
        return False
    return dates[0] < dates[-1] if before else dates[0] > dates[-1]


def compose(yes: bool, across: Across, findings: Sequence[Finding], passages: Sequence[Document]) -> Draft:
    """ "**Yes** — Outlet, date [1] — sentence [1] Outlet, date [2] — sentence [2]": each report
    named and dated as its citation's byline gives them, then its sentence verbatim (both cited,
    so each can be checked against what it cites). What could not be found or is not said in
    so many words follows, uncited: it is the answerer's own note. The verdict word is the one
    asked for ("consistent or inconsistent?") when there is one."""
    word = ("Yes" if yes else "No") if across.choice is None else _agreeing(across, yes)
    unchecked = any(f.sentence is None for f in findings)
    parts = [
        f"**{word.capitalize()}**, from the reports I found —" if unchecked else f"**{word.capitalize()}** —"
    ]
    notes: list[str] = []
    citations: list[Citation] = []
    for finding in findings:
        if finding.sentence is None or finding.passage is None:
            outlets = " or ".join(sorted(finding.claim.sources)) or "any outlet"
            notes.append(f"I found no report from {outlets} on this: that side is not checked.")
            continue
        n = len(citations) + 1
        sentence = finding.sentence
        citations.append(citation_for(n, finding.passage, sentence.start, sentence.end))
        where = _where(finding.passage)
        parts.append(f"{where} [{n}] — {sentence.text} [{n}]")
        if not finding.supported:
            notes.append(
                f"The report of {where} does not say this in so many words; its sentence is the closest."
            )
    return Draft(text=" ".join(parts + notes), citations=citations, related=related_articles(passages))


def _published(passage: Document) -> str:
    return str(passage.metadata.get("published_at", ""))


def _agreeing(across: Across, yes: bool) -> str:
    """The asked word: "consistent" when the reports agree, else "inconsistent"."""
    assert across.choice is not None
    same, different = across.choice
    agree = yes if across.relation in (Relation.SAME, Relation.BOTH, Relation.ORDER) else not yes
    return same if agree else different


def answer_elsewhere(
    asked: Elsewhere,
    page: Sequence[Document],
    passages: Sequence[Document],
    best: BestSentence,
    config: AcrossConfig | None = None,
) -> Draft:
    """Other reports of the story of ``page`` (its chunks): one per other outlet for
    ``OTHERS``; those published after it, newest first, for ``NEWER``. Each is dated and cited
    with the sentence closest to the page's title and lede."""
    config = config or AcrossConfig()
    meta = page[0].metadata
    page_id, outlet, published = meta.get("article_id"), meta.get("source") or None, _published(page[0])
    story = " ".join([str(meta.get("title", "")), *_lede(page)])
    by_article: dict[object, list[Document]] = {}
    for p in passages:
        if p.metadata.get("article_id") == page_id:
            continue
        if asked is Elsewhere.NEWER and not (published and _published(p) > published):
            continue
        if asked is Elsewhere.OTHERS and outlet is not None and p.metadata.get("source") == outlet:
            continue
        by_article.setdefault(p.metadata.get("article_id"), []).append(p)
    findings: list[Finding] = []
    outlets: set[object] = set()
    articles = list(by_article.values())
    if asked is Elsewhere.NEWER:  # the newest reports, not the first retrieved, when there are many
        articles.sort(key=lambda docs: _published(docs[0]), reverse=True)
    for docs in articles:
        source = docs[0].metadata.get("source")
        if asked is Elsewhere.OTHERS and source in outlets:
            continue  # one report per outlet: "who else" asks for outlets
        found = best(story, docs)
        if found is None or found.score < config.same_story:
            continue  # an article on something else
        claim = Claim(story, frozenset({str(source or "")}), ())
        findings.append(Finding(claim, found, docs[found.passage], True))
        outlets.add(source)
        if len(findings) == config.reports:
            break
    return _reports_draft(asked, findings, passages, published)


def _lede(page: Sequence[Document]) -> list[str]:
    """The page's first sentence (its lede), from its first chunk."""
    spans = split_sentences(page[0].page_content)
    return [page[0].page_content[s:e] for s, e in spans[:1]]


def _reports_draft(
    asked: Elsewhere, findings: Sequence[Finding], passages: Sequence[Document], published: str
) -> Draft:
    if not findings:
        when = f" (published {display_date(published)})" if published else ""
        text = (
            "I found no other outlet's report of this story among the articles I have."
            if asked is Elsewhere.OTHERS
            else f"I found no report on this story newer than this article{when} among the articles I have."
        )
        return Draft(text=text, related=related_articles(passages))
    parts: list[str] = []
    citations: list[Citation] = []
    for n, finding in enumerate(findings, start=1):
        assert finding.sentence is not None and finding.passage is not None
        citations.append(citation_for(n, finding.passage, finding.sentence.start, finding.sentence.end))
        parts.append(f"{_where(finding.passage)} [{n}] — {finding.sentence.text} [{n}]")
    return Draft(text=" ".join(parts), citations=citations, related=related_articles(passages))


def _where(passage: Document) -> str:
    """ "Outlet, Month D, YYYY": the report as its citation's byline names it."""
    meta = passage.metadata
    return ", ".join(x for x in (str(meta.get("source", "")), display_date(_published(passage))) if x)


# Entities that can be the answer to "who" / "which company" asked across reports; "who" asks
# for a person. spaCy's OntoNotes labels, as the index's notes store them.
_NAMED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "PRODUCT", "FAC", "WORK_OF_ART", "EVENT"})
_ASKS_WHO = re.compile(rf"^\s*(?:{OPENER})?who\b", re.IGNORECASE)


def answer_named_across(
    question: str,
    passages: Sequence[Document],
    best: BestSentence,
    outlets: SourceMatcher | None = None,
    config: AcrossConfig | None = None,
) -> Draft | None:
    """ "Who, according to TechCrunch and The Verge, …?": the name every named report mentions
    (the most of them; then the most often), as its fullest form; each report's sentence that
    names it cited. None when the question names fewer than two reports or no name is shared.
    ``outlets`` as for ``answer_across``."""
    config = config or AcrossConfig()
    asked_of = Across(Relation.BOTH, "", len(question))
    claims = [c for c in claims_of(question, asked_of, outlets or passages_outlets(passages)) if c.sources]
    if len(claims) < 2:
        return None
    person = _ASKS_WHO.match(question) is not None
    asked = _spaced(question)
    votes: dict[str, set[int]] = {}
    mentions: dict[str, int] = {}
    forms: dict[str, dict[str, int]] = {}
    people: set[str] = set()
    scopes = [reports_of(claim, passages) for claim in claims]  # each claim's reports, found once
    for i, claim in enumerate(claims):
        for name, label in _names(_closest(claim, scopes[i], best, config.named_passages)):
            key = name.split()[-1].lower()
            if f" {key} " in asked or _spaced(name) in asked:
                continue  # named in the question: not what it asks for
            votes.setdefault(key, set()).add(i)
            mentions[key] = mentions.get(key, 0) + 1
            forms.setdefault(key, {})[name] = forms.get(key, {}).get(name, 0) + 1
            if label == "PERSON":
                people.add(key)
    if person:  # a person's name: spaCy's small model tags "Bankman-Fried" alone as an ORG
        votes = {k: v for k, v in votes.items() if k in people}
    if not votes:
        return None
    key = max(votes, key=lambda k: (len(votes[k]), mentions[k]))
    if len(votes[key]) < 2:
        return None  # no name shared by two reports: the sentence answer instead
    # Its usual full form: "Sam Bankman-Fried", not a relative's "Gabe Bankman-Fried" once.
    name = max(forms[key], key=lambda f: (len(f.split()) > 1, forms[key][f], len(f)))
    findings = []
    for i in sorted(votes[key]):
        named = re.compile(rf"(?<!\w){re.escape(key)}(?!\w)", re.IGNORECASE)
        scope = [p for p in scopes[i] if named.search(p.page_content)]
        found = best(f"{claims[i].text} {name}", scope) if scope else None
        if found is not None:
            findings.append(Finding(claims[i], found, scope[found.passage], True))
    return _named_draft(name, findings, passages)


def _spaced(text: str) -> str:
    """The text's words, lower-case, possessives dropped, between spaces: " sam altman " is in
    " who is sam altman " as whole words, and "li" is not in "policy"."""
    plain = text.lower().replace("’s", "").replace("'s", "")
    return f" {' '.join(words(plain))} "


def _closest(claim: Claim, reports: Sequence[Document], best: BestSentence, keep: int) -> list[Document]:
    """The passages of the claim's reports whose best sentence matches it most closely, ``keep``."""
    scored = []
    for doc in reports:
        found = best(claim.text, [doc])
        if found is not None:
            scored.append((found.score, doc))
    scored.sort(key=lambda s: -s[0])
    return [doc for _score, doc in scored[:keep]]


def _names(passages: Sequence[Document]) -> list[tuple[str, str]]:
    """The names the index's notes found in these passages, each with its entity label."""
    found = []
    for doc in passages:
        text = doc.page_content
        for notes in notes_of(doc.metadata) or []:
            for entity in notes.entities:
                if entity.label in _NAMED_LABELS:
                    name = text[notes.start + entity.start : notes.start + entity.end].strip()
                    name = name.removesuffix("’s").removesuffix("'s")
                    if len(name) > 2 and name[0].isupper():
                        found.append((name, entity.label))
    return found


def _named_draft(name: str, findings: Sequence[Finding], passages: Sequence[Document]) -> Draft:
    """ "**Sam Bankman-Fried** [1] — TechCrunch, date [1] — … [1] Fortune, date [2] — … [2]": the
    name cited where a report gives it in full, then each report's sentence (one number per
    sentence: the name's sentence is often a report's own)."""
    numbers: dict[tuple[object, int], int] = {}
    citations: list[Citation] = []

    def cite(doc: Document, start: int, end: int) -> int:
        key = (doc.id or doc.metadata.get("article_id"), int(doc.metadata.get("start", 0)) + start)
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            citations.append(citation_for(numbers[key], doc, start, end))
        return numbers[key]

    # The reports' own passages first, then any retrieved: one of them gives the name whole.
    cited = [f.passage for f in findings if f.passage is not None]
    introduced = _sentence_naming(name, [*cited, *(p for p in passages if p not in cited)])
    parts = [f"**{name}** [{cite(*introduced)}] —" if introduced is not None else f"**{name}** —"]
    for finding in findings:
        assert finding.sentence is not None and finding.passage is not None
        n = cite(finding.passage, finding.sentence.start, finding.sentence.end)
        parts.append(f"{_where(finding.passage)} [{n}] — {finding.sentence.text} [{n}]")
    return Draft(text=" ".join(parts), citations=citations, related=related_articles(passages))


def _sentence_naming(name: str, passages: Sequence[Document]) -> tuple[Document, int, int] | None:
    """The first sentence of these passages that gives ``name`` whole, with its offsets."""
    for doc in passages:
        text = doc.page_content
        for start, end in split_sentences(text):
            if name in text[start:end]:
                return doc, start, end
    return None
