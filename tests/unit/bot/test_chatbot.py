"""The pipeline (condense → retrieve → answer → Answer) with a fake retriever and answerer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda
from pydantic import Field

from bot.chatbot import Chatbot
from bot.conversation import Condenser
from bot.drafting.draft import AnswerEvent, Delta, Draft
from bot.question import Question
from bot.schemas import Answer, ChatTurn, Citation
from index.errors import IndexUnavailableError, InputError, NotFoundError

PASSAGES = [
    Document(page_content="The talks are held in Istanbul.", metadata={"article_id": "a"}, id="a#1"),
    Document(page_content="Medinsky leads the delegation.", metadata={"article_id": "b"}, id="b#1"),
]
CITATION = Citation(
    n=1, article_id="a", title="T", source="Wire", published_at="2025-05-15T09:00:00Z", chunk_id="a#1",
    quote="The talks", start=0, end=9,
)  # fmt: skip


class ListRetriever(BaseRetriever):
    """Returns ``docs`` for any query (or raises ``error``); records what it was asked."""

    docs: list[Document]
    calls: list[tuple[str, dict[str, Any]]] = Field(default_factory=list)
    error: Exception | None = None
    log: Any = None  # a shared list (Any: pydantic would copy a list[str])

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        self.calls.append((query, kwargs))
        if self.log is not None:
            self.log.append("retrieve")
        if self.error is not None:
            raise self.error
        return list(self.docs)


class ScriptedAnswerer:
    """Streams two deltas and a draft; records the question and passages it got."""

    name = "scripted"
    deltas_are_final = True

    def __init__(self, end_with_draft: bool = True, log: list[str] | None = None) -> None:
        self.end_with_draft = end_with_draft
        self.log = log
        self.seen: list[tuple[Question, list[Document]]] = []

    def stream(self, question: Question, passages: Sequence[Document]) -> Iterator[AnswerEvent]:
        if self.log is not None:
            self.log.append("answer")
        self.seen.append((question, list(passages)))
        yield Delta("The talks ")
        yield Delta("are in Istanbul. [1]")
        if self.end_with_draft:
            yield Draft(
                text="The talks are in Istanbul. [1]", citations=[CITATION], notice="checked", fallback=True
            )


def make_bot(**kwargs: Any) -> tuple[Chatbot, ListRetriever, ScriptedAnswerer]:
    log = kwargs.pop("log", None)
    retriever = ListRetriever(docs=PASSAGES, error=kwargs.pop("error", None), log=log)
    answerer = ScriptedAnswerer(kwargs.pop("end_with_draft", True), log)
    condenser = kwargs.pop("condenser", Condenser())
    return Chatbot(retriever, answerer, condenser, **kwargs), retriever, answerer


def test_stream_yields_the_answerers_deltas_then_the_answer() -> None:
    bot, _, _ = make_bot()
    events = list(bot.stream("Where are the talks held?"))
    assert [e.text for e in events[:-1] if isinstance(e, Delta)] == ["The talks ", "are in Istanbul. [1]"]
    answer = events[-1]
    assert isinstance(answer, Answer) and len(events) == 3
    assert answer.text == "The talks are in Istanbul. [1]" and answer.citations == [CITATION]
    assert (
        answer.answerer == "scripted"
        and answer.notice == "checked"
        and not answer.refused
        and answer.fallback
    )
    t = answer.timings
    assert t.retrieve_ms >= 0 and t.answer_ms >= 0 and t.total_ms >= max(t.retrieve_ms, t.answer_ms)


def test_an_answer_about_the_present_says_when_it_was_true_and_streams_it() -> None:
    bot, _, _ = make_bot()
    events = list(bot.stream("Where are the talks held now?"))
    answer = events[-1]
    assert isinstance(answer, Answer)
    assert answer.text == "The talks are in Istanbul. [1]\n\nAs of May 15, 2025, per Wire."
    assert "".join(e.text for e in events if isinstance(e, Delta)) == answer.text


def test_answer_carries_the_cleaned_question_and_what_was_searched() -> None:
    bot, retriever, answerer = make_bot()
    history = (ChatTurn(question="Who leads Russia's delegation?", answer="**Vladimir Medinsky** [1]"),)
    answer = bot.ask(Question("  What was\x00 his   job before? ", history, article_id="b"))
    assert answer.question == "What was his job before?"
    assert answer.standalone_question == "What was his job before? — context: Vladimir Medinsky"
    assert retriever.calls == [(answer.standalone_question, {"article_id": "b", "subscriber": False})]
    [(question, passages)] = answerer.seen
    assert question.standalone == answer.standalone_question and question.turns == history
    assert passages == PASSAGES


def test_the_question_is_read_once_and_the_answer_carries_its_intent() -> None:
    bot, _, answerer = make_bot()
    answer = bot.ask(Question("  So what's this story about? ", ()))
    [(question, _)] = answerer.seen
    assert question.reading.intent == answer.intent == "summary"
    assert bot.ask("Where are the talks held?").intent == "facts"


def test_pipeline_order_is_condense_retrieve_answer() -> None:
    log: list[str] = []

    def condense(inputs: dict[str, str]) -> str:
        log.append("condense")
        assert "User: Who leads?" in inputs["history"] and inputs["question"] == "And his job?"
        return "What was Medinsky's job?"

    bot, retriever, _ = make_bot(log=log, condenser=Condenser(RunnableLambda(condense)))
    history = (ChatTurn(question="Who leads?", answer="Medinsky [1]"),)
    answer = bot.ask(Question("And his job?", history))
    assert log == ["condense", "retrieve", "answer"]
    assert retriever.calls[0][0] == "What was Medinsky's job?" == answer.standalone_question
    assert answer.question == "And his job?"


def test_passages_out_receives_the_retrieved_passages() -> None:
    bot, _, _ = make_bot()
    passages: list[Document] = []
    bot.ask("Where are the talks held?", passages_out=passages)
    assert passages == PASSAGES


def test_history_is_bounded_before_the_answerer_sees_it() -> None:
    bot, _, answerer = make_bot(history_turns=2)
    turns = tuple(ChatTurn(question=f"Question number {i}?", answer="x" * 900) for i in range(5))
    bot.ask(Question("Where are the talks held?", turns))
    seen = answerer.seen[0][0].turns
    assert [t.question for t in seen] == ["Question number 3?", "Question number 4?"]
    assert all(len(t.answer) == 600 for t in seen)


def test_bad_question_is_rejected_before_any_retrieval() -> None:
    bot, retriever, _ = make_bot(max_question_chars=10)
    with pytest.raises(InputError):
        bot.ask("   ")
    with pytest.raises(InputError, match="too long"):
        bot.ask("Where are the talks held?")
    assert retriever.calls == []


def test_a_failing_store_becomes_index_unavailable() -> None:
    bot, _, answerer = make_bot(error=ConnectionError("chroma server gone"))
    with pytest.raises(IndexUnavailableError, match="ConnectionError") as raised:
        bot.ask("Where are the talks held?")
    assert isinstance(raised.value.__cause__, ConnectionError)
    assert "chroma server gone" not in str(raised.value)  # internal detail: logged, not shown
    assert answerer.seen == []


def test_the_bots_own_errors_pass_unchanged() -> None:
    bot, _, _ = make_bot(error=NotFoundError("No article with id 'x'."))
    with pytest.raises(NotFoundError, match="No article"):
        bot.ask(Question("Where are the talks held?", article_id="x"))


def test_an_answerer_must_end_with_a_draft() -> None:
    bot, _, _ = make_bot(end_with_draft=False)
    with pytest.raises(AssertionError, match="must end with a Draft"):
        bot.ask("Where are the talks held?")


def test_any_language_is_accepted(seed_bot) -> None:
    answer = seed_bot.ask("Хто очолює російську делегацію?")
    assert answer.question == "Хто очолює російську делегацію?"
    assert answer.text  # an answer or a refusal, never an error


def test_the_answers_intent_field_names_every_intent() -> None:
    from bot.reading.intents import Intent

    described = Answer.model_fields["intent"].description or ""
    assert all(intent.value in described for intent in Intent)
    assert Answer.model_fields["intent"].default == Intent.FACTS.value


ACROSS = (
    "Does the Fortune article suggest that the talks are held in Istanbul, while the TechCrunch "
    "article says that Medinsky leads the delegation?"
)


def test_a_question_about_several_reports_retrieves_more_passages() -> None:
    """Each report it names is checked in its own outlet's passages: those must be among them."""
    bot, retriever, _ = make_bot(k_across=25)
    bot.ask(ACROSS)
    bot.ask(Question(ACROSS, article_id="a"))  # on an article's page: that article only, as before
    bot.ask("Where are the talks held?")
    assert [kwargs.get("k") for _q, kwargs in retriever.calls] == [25, None, None]


def test_a_question_about_the_pages_story_searches_for_its_title() -> None:
    bot, retriever, _ = make_bot(
        k_across=25, title_of=lambda a, _s: "Talks open in Istanbul" if a == "a" else None
    )
    answer = bot.ask(Question("did anyone else report this?", page="a"))
    assert answer.standalone_question == "did anyone else report this? — context: Talks open in Istanbul"
    assert retriever.calls[-1] == (
        answer.standalone_question,
        {"article_id": None, "subscriber": False, "k": 25},
    )
    unknown = bot.ask(Question("did anyone else report this?", page="gone"))
    assert unknown.standalone_question == "did anyone else report this?"
