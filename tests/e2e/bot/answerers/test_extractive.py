"""The default answerer on the seed article: verbatim cited sentences, marked answers, refusals."""

from __future__ import annotations

from bot.drafting.draft import Delta, Draft
from bot.question import Question
from bot.schemas import Answer
from tests.corpus import SEED

SEED_BODY_SOURCE = SEED.read_text(encoding="utf-8")


def test_who_leads_the_delegation(seed_bot) -> None:
    answer = seed_bot.ask("Who leads Russia's delegation?")
    assert not answer.refused and answer.answerer == "extractive"
    assert "**Vladimir Medinsky**" in answer.text
    assert answer.text.rstrip().endswith("]")
    cite = answer.citations[0]
    assert cite.n == 1 and cite.author == "Alisa Orlova"
    assert "Medinsky" in cite.quote and cite.quote in SEED_BODY_SOURCE
    assert cite.end - cite.start == len(cite.quote)
    assert answer.timings.total_ms > 0


def test_citation_offsets_point_into_the_article_body(seed_bot, seed_store) -> None:
    from index.loaders import load_sources

    body = load_sources([SEED], 5_000_000, 1).documents[0].page_content
    answer = seed_bot.ask("How many people did the missile strike in Sumy kill?")
    assert "**three**" in answer.text or "**at least three**" in answer.text  # the pattern's / spaCy's phrase
    for cite in answer.citations:
        assert body[cite.start : cite.end] == cite.quote


def test_answer_is_verbatim_apart_from_marks(seed_bot) -> None:
    answer = seed_bot.ask("What does Russia want from Ukraine?")
    for piece in answer.text.replace("**", "").split("] "):
        sentence = piece.rsplit(" [", 1)[0].strip()
        assert sentence in SEED_BODY_SOURCE


def test_unanswerable_questions_are_refused_with_related_articles(seed_bot) -> None:
    for question in ("Who won the 2030 World Cup?", "What is the recipe for apple pie?"):
        answer = seed_bot.ask(question)
        assert answer.refused, question
        assert answer.text.startswith("The articles I have don't say")
        assert not answer.citations
        assert answer.related and answer.related[0].title.startswith("EXPLAINED")


def test_stream_deltas_add_up_to_the_answer(seed_bot) -> None:
    events = list(seed_bot.stream("Which city did Marco Rubio arrive in?"))
    assert isinstance(events[-1], Answer)
    deltas = [e.text for e in events[:-1]]
    assert all(isinstance(e, Delta) for e in events[:-1]) and len(deltas) > 1
    assert "".join(deltas) == events[-1].text
    assert "Antalya" in events[-1].text


def test_draft_is_the_last_answerer_event(seed_bot) -> None:
    passages = seed_bot.retriever.invoke("Why Turkey?")
    events = list(seed_bot.answerer.stream(Question("Why was Turkey chosen to host the talks?"), passages))
    assert isinstance(events[-1], Draft) and not any(isinstance(e, Draft) for e in events[:-1])
    assert "mediator" in events[-1].text or "neutral" in events[-1].text


def test_only_the_shortlist_is_embedded(seed_store, embeddings) -> None:
    """Embedding is the answer's cost: sentences outside the lexical shortlist are not encoded."""
    from dataclasses import replace

    from bot.answerers.extractive import ExtractiveAnswerer

    _, store = seed_store
    passages = store.vectorstore.similarity_search("Who leads Russia's delegation?", k=6)
    encoded: list[str] = []

    def recording(texts):
        encoded.extend(texts)
        return embeddings.encode_batch(texts)

    full = ExtractiveAnswerer(recording)
    full.answer("Who leads Russia's delegation?", passages)
    everything = len(encoded)
    encoded.clear()
    short = ExtractiveAnswerer(recording, config=replace(full.config, embed_top=5))
    draft = short.answer("Who leads Russia's delegation?", passages)
    assert everything > 6 and len(encoded) == 6  # the question and five sentences
    chosen = [c.quote for c in draft.citations]
    assert chosen and all(q in encoded for q in chosen)  # only embedded sentences are quoted


def test_bare_surname_answer_leads_with_the_cited_full_name(tmp_path, embeddings) -> None:
    from bot.factory import build_chatbot
    from index.store import open_store
    from tests.e2e.servers import build_index

    article = tmp_path / "docs" / "brackwater-bridge.txt"
    article.parent.mkdir()
    article.write_text(
        "Brackwater opens its new bridge\n\n"
        "Mayor Jane Holloway opened the new Brackwater bridge on Monday morning.\n\n"
        "The bridge took three years to build and carries two tram lines.\n\n"
        "Holloway said the bridge cost twelve million euros, less than planned.\n",
        encoding="utf-8",
    )
    settings = build_index(tmp_path / "data", [article], embeddings)
    bot = build_chatbot(settings, embeddings=embeddings, store=open_store(settings, embeddings))
    answer = bot.ask("Who said the bridge cost twelve million euros?")
    assert answer.text.startswith("**Jane Holloway** [1] —")
    assert "**Holloway** said the bridge cost" in answer.text
    assert "Jane Holloway" in answer.citations[0].quote
    assert answer.citations[1].quote.startswith("Holloway said")
