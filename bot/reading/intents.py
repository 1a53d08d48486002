"""What a reader wants from a question, beyond its words: a summary, or a fact about the article.

Readers on an article page type "what's this about", "tl;dr", "key points", "who wrote this",
"when was it published": these are not answered by the sentence that best matches their words
(there is none), so they get their own way of answering. Everything else is a question about
the news itself (``Intent.FACTS``) and goes to the sentence-matching answerer. Rules, in any
case, with or without a question mark; a few common typos ("sumary", "summerize") pass.
"""

from __future__ import annotations

import re
from enum import StrEnum

from bot.language.patterns import OPENER


class Intent(StrEnum):
    SUMMARY = "summary"  # what the story is about, its key points
    LATEST = "latest"  # what the newest articles on a topic say
    AUTHOR = "author"  # who wrote the article
    PUBLISHED = "published"  # when it was published
    OUTLET = "outlet"  # which outlet published it
    LINK = "link"  # the original article's address
    FACTS = "facts"  # anything else: answered from the articles' sentences


_STORY = r"(?:this|that|it|the|here|these)?\s*(?:story|article|piece|news|report|post|page|item)?"
_SUMMARY = re.compile(
    r"\b(?:su+m+[ae]r+(?:y|i[sz]e|i[sz]ing|i[sz]ed)|tl\s*;?\s*dr|gist|recap|overview|nutshell|"
    r"key\s+(?:points?|facts|takeaways?|details)|main\s+(?:points?|takeaways?|idea)|"
    r"break\s+(?:it|this)\s+down|brief\s+me|catch\s+me\s+up|fill\s+me\s+in|rundown|run\s+down|"
    r"short\s+version|bottom\s+line|in\s+a\s+few\s+words)\b"
    # Optional tails as "(?:\s+tail)?[\s?.!]*$", not "\s*(?:tail)?\s*…\s*$": no backtracking on
    # long runs of spaces.
    r"|\bwhat(?:'s|’s|s|\s+is)\s+(?:going\s+on|happening|up\s+with\s+(?:this|that|it))(?:\s+here|\s+in\s+"
    rf"{_STORY})?[\s?.!]*$"
    r"|\bwhat(?:'s|’s|s|\s+is)\s+the\s+(?:story|deal|beef|situation|big\s+deal|headline|news|point|"
    r"main\s+point|backstory|background)(?:\s+here|\s+with\s+(?:this|that|it))?[\s?.!]*$"
    rf"|\bwhat(?:'s|’s|s|\s+is|\s+was)\s+{_STORY}\s*(?:all\s+)?about\b"
    rf"|\bexplain\s+{_STORY}\s*$"
    rf"|\bwhat\s+(?:do|should)\s+i\s+(?:need\s+to\s+)?know\b"
    rf"|^\s*{OPENER}what\s+happened\s*(?:here|in\s+{_STORY})?\s*[?.!]*\s*$",
    re.IGNORECASE,
)
_THE_ARTICLE = r"(?:this|it|the\s+(?:story|article|piece|report|post)|this\s+(?:story|article|piece|report))"
_OUTLET = r"(?:outlet|publication|newspaper|paper|site|website|news\s+source|source|publisher)"
# "link pls", "author please": a bare request with a courtesy word.
_POLITE = r"(?:\s*,?\s*(?:pls|plz|please|thanks|thx|ty))?"
_FACTS: list[tuple[Intent, re.Pattern[str]]] = [
    (
        Intent.AUTHOR,
        re.compile(
            rf"\bwho\s+(?:wrote|writes|authored|reported|reviewed|penned)\s+(?:{_THE_ARTICLE}|that)?\s*[?.!]*\s*$"
            rf"|\bwho(?:'s|’s|s|\s+is|\s+was)\s+the\s+(?:author|writer|reporter|journalist)\b"
            rf"(?!\s+of\s+(?!{_THE_ARTICLE}))|\b(?:author|writer|byline)\s+of\s+{_THE_ARTICLE}"
            rf"|^\s*{OPENER}(?:the\s+)?(?:author|byline|writer){_POLITE}\s*[?.!]*\s*$",
            re.IGNORECASE,
        ),
    ),
    (
        Intent.PUBLISHED,
        re.compile(
            rf"\bwhen\s+(?:was|is)\s+{_THE_ARTICLE}\s+(?:published|written|posted|released|out|from|dated|updated)\b"
            rf"|\bwhen\s+did\s+{_THE_ARTICLE}\s+(?:come\s+out|appear|go\s+(?:up|live|online))\b"
            rf"|\b(?:publication|publish(?:ed|ing)?)\s+date\b|\bhow\s+old\s+is\s+{_THE_ARTICLE}"
            rf"|\bwhat\s+(?:date|day)\s+(?:is|was)\s+{_THE_ARTICLE}",
            re.IGNORECASE,
        ),
    ),
    (
        Intent.OUTLET,
        re.compile(
            # Only about this article: "which news source reported X" compares articles.
            rf"\b(?:which|what)\s+{_OUTLET}\s+(?:is|was)\s+{_THE_ARTICLE}\b"
            rf"|\b(?:which|what)\s+{_OUTLET}\s+(?:published|ran|wrote|posted)\s+{_THE_ARTICLE}"
            rf"|^\s*{OPENER}(?:which|what)\s+{_OUTLET}{_POLITE}\s*[?.!]*\s*$"
            rf"|\bwho\s+(?:published|publishes|runs|ran)\s+{_THE_ARTICLE}"
            rf"|\bwhere\s+(?:was|is)\s+{_THE_ARTICLE}\s+(?:published|from)\b",
            re.IGNORECASE,
        ),
    ),
    (
        Intent.LINK,
        re.compile(
            rf"\b(?:link|url|address)\s+(?:to|of|for)\s+(?:the\s+)?(?:original|{_THE_ARTICLE})"
            rf"|\boriginal\s+(?:article|story|source|version|link)\b"
            rf"|^\s*{OPENER}(?:(?:the|a)\s+)?(?:link|url|source\s+link){_POLITE}\s*[?.!]*\s*$"
            r"|\b(?:get|have|see|share|send)\s+(?:me\s+)?(?:the|a|that)\s+(?:link|url)\b(?!\s+between)"
            r"|\bwhere\s+can\s+i\s+(?:read|find)\s+(?:the\s+)?(?:full|original|whole)\b",
            re.IGNORECASE,
        ),
    ),
]


_LATEST = re.compile(
    # Asked of the bot, not part of a longer question ("an article discussing the latest…").
    r"\bwhat(?:'s|’s|s|\s+is|\s+are)\s+(?:the\s+)?(?:latest|newest)\b"
    r"|\bwhat(?:'s|’s|s|\s+is)\s+new\s+(?:with|on|about)\b"
    rf"|^\s*{OPENER}(?:the\s+)?(?:latest|newest)\b"
    rf"|^\s*{OPENER}(?:are\s+there\s+)?any\s+(?:news|updates?|developments?)\s+(?:on|about|with)\b",
    re.IGNORECASE,
)


# First match wins: a fact about the article ("who wrote this summary?") before the latest news
# on a topic, before a summary. A question none of them matches asks about the news itself.
INTENTS: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    *_FACTS,
    (Intent.LATEST, _LATEST),
    (Intent.SUMMARY, _SUMMARY),
)


def intent_of(question: str) -> Intent:
    """The intent of the reader's own words (not the context added to a follow-up)."""
    return next((intent for intent, pattern in INTENTS if pattern.search(question)), Intent.FACTS)


# "What happened in the final", "what's going on with the talks": the story's events, which a
# page's summary answers when no single sentence does (bot/answerers/extractive.py).
_WHAT_HAPPENED = re.compile(
    rf"^\s*{OPENER}what(?:'s|’s|s|\s+is|\s+was)?\s+(?:happened|happening|going\s+on|went\s+on)\b",
    re.I,
)


def asks_what_happened(question: str) -> bool:
    return _WHAT_HAPPENED.search(question) is not None
