"""``python -m bot``: how an answer is printed and the terminal chat keeps its history.

The commands as users run them (subprocess, real index): tests/e2e/bot/test_cli.py.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pytest
from langchain_core.documents import Document

from bot.__main__ import _chat, render
from bot.chatbot import Chatbot
from bot.question import Question
from bot.schemas import Answer, ArticleRef, Citation


def answer(**kw: object) -> Answer:
    values: dict[str, object] = {
        "text": "Led by **Medinsky** [1].",
        "answerer": "extractive",
        "question": "q",
    }
    values.update(standalone_question="q", **kw)
    return Answer.model_validate(values)


def test_answer_then_numbered_sources_with_quotes() -> None:
    cite = Citation(
        n=1,
        article_id="a",
        title="Talks explained",
        source="Kyiv Post",
        author="Alisa Orlova",
        published_at="2025-05-15T10:00:00Z",
        chunk_id="a#1",
        quote="Medinsky leads.",
        start=0,
        end=15,
    )
    out = render(answer(citations=[cite], notice="Citations checked."))
    assert out == (
        "Led by **Medinsky** [1].\n(Citations checked.)\n\nSources:\n"
        "[1] Talks explained (Kyiv Post, Alisa Orlova, 2025-05-15)\n    “Medinsky leads.”"
    )


def test_a_refusal_lists_related_articles() -> None:
    related = [
        ArticleRef(article_id="a", title="Talks", source="Kyiv Post"),
        ArticleRef(article_id="b", title="B"),
    ]
    out = render(answer(text="The articles I have don't say.", refused=True, related=related))
    assert out == "The articles I have don't say.\n\nRelated articles:\n- Talks (Kyiv Post)\n- B"


@dataclass
class AskedBot(Chatbot):
    """The seed bot, remembering the questions (with their history) it was asked."""

    asked: list[Question] = field(default_factory=list)

    def ask(self, question: Question | str, passages_out: list[Document] | None = None) -> Answer:
        self.asked.append(Question.of(question))
        return super().ask(question, passages_out)


def test_terminal_chat_keeps_history_and_survives_bad_input(
    seed_bot: Chatbot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bot = AskedBot(seed_bot.retriever, seed_bot.answerer, seed_bot.condenser)
    first = "How many people did the missile strike in Sumy kill?"
    lines = iter([first, "x" * 3000, "Where was that?", ""])
    monkeypatch.setattr("builtins.input", lambda _prompt: next(lines))
    assert _chat(bot) == 0
    assert [q.text for q in bot.asked] == [first, "x" * 3000, "Where was that?"]
    assert [t.question for t in bot.asked[2].turns] == [first]  # the failed question left no turn
    out, err = capsys.readouterr()
    assert "**three**" in out and "Sources:" in out
    assert "error: The question is too long" in err
    assert out.count("Sources:") + out.count("The articles I have don't say") == 2


def test_terminal_chat_ends_on_end_of_input(seed_bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert _chat(seed_bot) == 0
