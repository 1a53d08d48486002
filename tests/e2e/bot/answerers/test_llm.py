"""LLM answering on the seed index and the real model, with queued fake chat models.

The answerer's own logic (prompt, verification, fallbacks) is unit-tested on hand-made
passages in tests/unit/bot/answerers/test_llm.py; here retrieval finds the passages.
"""

from __future__ import annotations

from bot.factory import build_chatbot
from bot.question import Question
from tests.fakes import fake_model


def bot_with(seed_store, embeddings, model):
    settings, store = seed_store
    return build_chatbot(settings, embeddings=embeddings, store=store, chat_model=model)


def test_cited_llm_answer_is_verified_and_quoted(seed_store, embeddings) -> None:
    model = fake_model("Vladimir Medinsky, a former culture minister, leads the delegation [1].")
    answer = bot_with(seed_store, embeddings, model).ask("Who leads Russia's delegation?")
    assert answer.answerer == "llm" and not answer.refused and answer.notice is None
    assert answer.text == "Vladimir Medinsky, a former culture minister, leads the delegation. [1]"
    assert "Medinsky" in answer.citations[0].quote
    prompt = model.prompt_text()
    assert "Question: Who leads Russia's delegation?" in prompt
    assert '<passage n="1"' in prompt and "</passage>" in prompt
    assert "only the numbered passages" in prompt.lower() or "ONLY the numbered passages" in prompt


def test_unsupported_claim_falls_back_to_extractive(seed_store, embeddings) -> None:
    model = fake_model("Sergei Shoigu leads the delegation and flew in from Minsk [1].")
    answer = bot_with(seed_store, embeddings, model).ask("Who leads Russia's delegation?")
    assert "Shoigu" not in answer.text and "Medinsky" in answer.text
    assert answer.notice and "not supported" in answer.notice


def test_llm_error_falls_back_with_notice(seed_store, embeddings) -> None:
    model = fake_model("unused", errors={0: ConnectionError("connection refused")})
    answer = bot_with(seed_store, embeddings, model).ask("Who leads Russia's delegation?")
    assert "Medinsky" in answer.text
    assert answer.notice and "connection refused" in answer.notice


def test_follow_up_is_condensed_by_the_llm(seed_store, embeddings) -> None:
    from bot.schemas import ChatTurn

    model = fake_model(
        "What was Vladimir Medinsky's job before?", "Medinsky is a former culture minister [1]."
    )
    history = [ChatTurn(question="Who leads Russia's delegation?", answer="Vladimir Medinsky [1]")]
    answer = bot_with(seed_store, embeddings, model).ask(Question("What was his job before?", tuple(history)))
    assert answer.standalone_question == "What was Vladimir Medinsky's job before?"
    condense_prompt = model.prompt_text(0)
    assert (
        "User: Who leads Russia's delegation?" in condense_prompt
        and "What was his job before?" in condense_prompt
    )
    assert "former culture minister" in answer.text and answer.citations
