"""Fitting the reader on example groups: what it learns, its bar, the stored examples."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.answerers.reader import FEATURES
from bot.eval.train_reader import Group, fit, load_groups, model_card, save_groups

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
