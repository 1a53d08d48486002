"""Reader intents from the question's own words: summaries and facts about the article."""

from __future__ import annotations

import pytest

from bot.reading.intents import Intent, asks_what_happened, intent_of


@pytest.mark.parametrize(
    "question",
    [
        "what's this story about?",
        "whats this about",
        "What is the article about",
        "summarize",
        "summarise the article pls",
        "sumary?",
        "tl;dr",
        "TLDR",
        "key points?",
        "what are the main takeaways",
        "give me the gist",
        "explain this",
        "what happened",
        "so what happened here?",
        "what do I need to know",
        "catch me up",
        "what's going on here",
        "whats the beef",
        "what is the story",
        "whats up with this",
        "give me the rundown",
    ],
)
def test_summary_requests(question: str) -> None:
    assert intent_of(question) is Intent.SUMMARY


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("who wrote this", Intent.AUTHOR),
        ("who's the author?", Intent.AUTHOR),
        ("whos the reporter", Intent.AUTHOR),
        ("author?", Intent.AUTHOR),
        ("who is the author of this article", Intent.AUTHOR),
        ("when was this published", Intent.PUBLISHED),
        ("When was the article written?", Intent.PUBLISHED),
        ("publication date", Intent.PUBLISHED),
        ("which outlet is this from", Intent.OUTLET),
        ("what newspaper published this", Intent.OUTLET),
        ("who published this story?", Intent.OUTLET),
        ("link to the original", Intent.LINK),
        ("original article?", Intent.LINK),
        ("when did this come out", Intent.PUBLISHED),
        ("can i get the link", Intent.LINK),
        ("where can I read the full story", Intent.LINK),
        ("link pls", Intent.LINK),
        ("the url please", Intent.LINK),
        ("author pls", Intent.AUTHOR),
        ("who reviewed it", Intent.AUTHOR),
        ("what's the latest on the ferry strike?", Intent.LATEST),
        ("any updates on Binance", Intent.LATEST),
        ("latest news about the talks", Intent.LATEST),
    ],
)
def test_facts_about_the_article(question: str, intent: Intent) -> None:
    assert intent_of(question) is intent


@pytest.mark.parametrize(
    "question",
    [
        "Who leads Russia's delegation?",
        "What happened in Sumy?",
        "Who was the author of the Ukrainian proposal?",
        "who wrote the letter to Putin",
        "Is Putin going to Istanbul?",
        "explain the ceasefire proposal",
        "Is there a link between the strike and the talks?",
        "can you share a link between the two",
        "who reviewed the case",
        "When was the ceasefire proposed?",
        # About one thing in the story, not the story: answered from its sentences.
        "what's going on with the talks",
        "whats the deal with putin",
        "what is the point of nato",
        # MultiHop-RAG questions that compare articles (none of its 734 is about "this" article):
        "Which news source reported the injury first?",
        "Did the reporting style of score updates and highlights from NFL games change?",
        "Based on an article discussing the latest developments in the financial district, who moved?",
    ],
)
def test_questions_about_the_news_stay_facts(question: str) -> None:
    assert intent_of(question) is Intent.FACTS


@pytest.mark.parametrize(
    ("question", "expected"),
    [("what happened in the final", True), ("so what's going on with the talks", True), ("who won", False)],
)
def test_what_happened_questions(question: str, expected: bool) -> None:
    assert asks_what_happened(question) is expected
