"""The article-disjoint split: fixed by the id alone, about one article in five held out."""

from __future__ import annotations

from bot.eval.splits import held_out


def test_about_one_article_in_five_is_held_out() -> None:
    ids = [f"mh{n:03d}_article-{n}" for n in range(2000)]
    assert 0.17 < sum(held_out(i) for i in ids) / len(ids) < 0.23


def test_known_ids_keep_their_part() -> None:
    # The part is a hash of the id: a change of the rule would silently move articles between
    # what a model was fitted on and what it is measured on.
    assert [held_out(f"a{n}") for n in range(8)] == [False, True, True, False, False, False, False, False]
    assert held_out("mh010_sbf-s-trial-starts-soon-but-how-did-he-and-ftx-get-here")
