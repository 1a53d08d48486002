"""Fitting the reader on example groups: what it learns, its bar, the stored examples."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.answerers.reader import FEATURES
from bot.eval.train_reader import Group, fit, load_groups, model_card, save_groups
from tests.fakes import HashEmbeddings

WORDS = FEATURES.index("words")


def groups(rng: np.random.Generator, n: int) -> list[Group]:
    """Answerable groups whose one positive has the highest word match; unanswerable ones whose
    sentences all match few words."""
    made = []
    for i in range(n):
        rows = rng.normal(0.0, 0.1, size=(5, len(FEATURES)))
        rows[:, WORDS] = rng.uniform(0.0, 0.3, size=5)
        answerable = i % 2 == 0
        labels = np.zeros(5)
        if answerable:
            rows[2, WORDS] = rng.uniform(0.6, 1.0)
            labels[2] = 1.0
        made.append(Group(rows, labels, rows[:, WORDS].copy(), answerable))
    return made


def test_the_fitted_reader_finds_the_positive_and_refuses_the_groups_without_one() -> None:
    rng = np.random.default_rng(0)
    model, figures = fit(groups(rng, 80), {"synthetic": groups(rng, 40)})
    assert model.coef[WORDS] > 0
    assert figures["synthetic, held-out top-1, reader"] == 1.0
    assert figures["synthetic, held-out answerability AUC"] == 1.0
    assert figures["synthetic, held-out answered (answerable)"] == 1.0
    assert figures["synthetic, held-out refused (not answerable)"] == 1.0
    assert 0.0 < model.bar < 1.0
    assert "synthetic, held-out top-1" in model_card(figures, per_article=3)


def test_stored_examples_come_back_as_they_were(tmp_path: Path) -> None:
    data = {"dev train": groups(np.random.default_rng(1), 6)}
    save_groups(tmp_path / "groups.npz", data, 12.5)
    back, seconds = load_groups(tmp_path / "groups.npz")
    assert seconds == 12.5
    assert len(back["dev train"]) == 6 and back["generated train"] == []
    for a, b in zip(data["dev train"], back["dev train"], strict=True):
        assert np.array_equal(a.rows, b.rows) and np.array_equal(a.labels, b.labels)
        assert a.answerable == b.answerable


def test_a_reader_style_set_gives_positive_evidence_and_all_negative_refusals(
    tmp_path: Path, encoder: HashEmbeddings
) -> None:
    """``--readers``: each question on its own article; the evidence sentence is the positive,
    an unanswerable question's shortlist is all negative; articles outside the part are skipped."""
    import json

    from bot.answerers.extractive import ExtractiveAnswerer
    from bot.eval.dataset import load_questions
    from bot.eval.splits import held_out
    from bot.eval.train_reader import collect_asked
    from tests.unit.bot.answerers.test_extractive import PASSAGES

    article = "brackwater-bridge"
    assert not held_out(article)  # the training part
    fact = "The bridge took three years to build and carries two tram lines."
    rows = [
        {"id": "t1", "question": "how long did it take", "type": "how", "article": article,
         "answers": ["three years"], "gold": [["three years"]],
         "evidence_facts": [{"article": f"{article}.txt", "fact": fact}]},
        {"id": "t2", "question": "how much are tickets", "type": "unanswerable", "article": article,
         "answers": [], "gold": [], "evidence_facts": []},
    ]  # fmt: skip
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    answerer = ExtractiveAnswerer(encoder.encode_batch, articles=lambda _a, _s: PASSAGES)
    answerable, refused = collect_asked(answerer, load_questions(path), "train")
    assert answerable.answerable and answerable.labels.sum() == 1
    assert not refused.answerable and refused.labels.sum() == 0 and len(refused.labels) > 0
    assert collect_asked(answerer, load_questions(path), "held-out") == []
