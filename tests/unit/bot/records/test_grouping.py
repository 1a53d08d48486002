"""Near-duplicate questions counted as one; different names kept apart."""

from __future__ import annotations

from bot.records.grouping import group_questions


def test_rephrasings_are_one_group_with_the_commonest_phrasing_first() -> None:
    asked = [
        ("Who leads Russia's delegation?", None),
        ("who is leading the russian delegation", "talks"),
        ("WHO LEADS RUSSIA'S DELEGATION", None),
        ("Who leads Russia's delegation?", None),
    ]
    [group] = group_questions(asked)
    assert group.text == "Who leads Russia's delegation?" and group.count == 4
    assert set(group.variants) == {"who is leading the russian delegation", "WHO LEADS RUSSIA'S DELEGATION"}
    assert group.articles == ["talks"]


def test_questions_about_different_names_stay_apart() -> None:
    groups = group_questions(
        [("Who leads Russia's delegation?", None), ("Who leads Ukraine's delegation?", None)]
    )
    assert [g.count for g in groups] == [1, 1]


def test_groups_are_ranked_by_count_and_limited() -> None:
    asked = [("What did Zelensky say?", None)] * 3 + [("When are the talks?", None)] * 2 + [("Why?", None)]
    groups = group_questions(asked, limit=2)
    assert [(g.text, g.count) for g in groups] == [("What did Zelensky say?", 3), ("When are the talks?", 2)]


def test_questions_of_stopwords_only_are_grouped_by_their_text() -> None:
    groups = group_questions([("Why?", None), ("why?", None), ("How?", None)])
    assert sorted(g.count for g in groups) == [1, 2]
