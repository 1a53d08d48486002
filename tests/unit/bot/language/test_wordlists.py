"""Word lists are data files: lowercase, sorted, no duplicates; a missing one is an error naming its path."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.language import wordlists
from bot.language.wordlists import phrase_pattern, word_list
from index import wordlists as index_wordlists
from index.errors import ConfigError
from index.wordlists import read_word_list

ROOT = Path(__file__).resolve().parents[4]
LIST_FILES = sorted((ROOT / "bot" / "language" / "data").glob("*.txt")) + sorted(
    (ROOT / "index" / "data").glob("*.txt")
)


def _entries(path: Path) -> list[str]:
    """The entries as written, in file order (duplicates kept, unlike the loader's set)."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def test_every_list_the_code_reads_is_there() -> None:
    names = {p.stem for p in LIST_FILES}
    assert {
        "sentence_start_words",
        "titles",
        "referring_words",
        "generic_outlet_words",
        "name_particles",
        "extra_stopwords",
        "abbreviations",
    } <= names


@pytest.mark.parametrize("path", LIST_FILES, ids=lambda p: p.name)
def test_lists_are_lowercase_sorted_and_without_duplicates(path: Path) -> None:
    entries = _entries(path)
    assert entries, f"{path} is empty"
    # A "*_phrases" list holds phrases ("due to"), read as whole words by phrase_pattern.
    words_only = not path.stem.endswith("_phrases")
    assert all(e == e.lower() and (" " not in e or not words_only) for e in entries), (
        f"{path}: one lowercase word (or phrase, in *_phrases lists) a line"
    )
    assert entries == sorted(entries), f"{path} is not sorted"
    assert len(entries) == len(set(entries)), f"{path} has duplicates"


@pytest.mark.parametrize("path", LIST_FILES, ids=lambda p: p.name)
def test_the_loader_reads_exactly_the_entries(path: Path) -> None:
    assert read_word_list(path) == frozenset(_entries(path))


def test_a_phrase_list_finds_its_phrases_as_whole_words_across_spacing() -> None:
    cause = phrase_pattern("cause_phrases")
    assert cause.search("It was triggered  by a storm") and cause.search("Due to the rain")
    assert not cause.search("a cause-free afternoon with aftereffects")  # "after" only as a word


def test_page_furniture_is_told_from_news_about_the_same_things() -> None:
    from bot.language.text import is_boilerplate

    assert is_boilerplate("Sign up to our free weekly newsletter sent straight to your inbox")
    assert is_boilerplate("Football email {{ #verifyErrors }} Something went wrong.")
    for news in ("Netflix asked users to subscribe to its ad tier.", "The bank changed its privacy policy."):
        assert not is_boilerplate(news)


def test_lists_hold_what_the_rules_need() -> None:
    assert {"president", "minister", "ceo"} <= word_list("titles")
    assert {"that", "former"} <= word_list("referring_words")
    assert {"however", "the", "monday"} <= word_list("sentence_start_words")
    assert {"bin", "van", "von"} <= word_list("name_particles")
    assert {"news", "sports", "the"} <= word_list("generic_outlet_words")
    assert {"according", "reported"} <= index_wordlists.word_list("extra_stopwords")
    assert {"mr", "jan", "u.s"} <= index_wordlists.word_list("abbreviations")


PRONOUNS = ROOT / "index" / "data" / "pronouns.tsv"


def test_the_pronoun_file_is_sorted_with_known_categories_one_tab_after_each_pronoun() -> None:
    lines = [ln for ln in PRONOUNS.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    words = [ln.split("\t")[0] for ln in lines]
    assert words == sorted(set(words)) and all(w == w.lower() and " " not in w for w in words)
    for line in lines:
        cats = line.partition("\t")[2].split()
        assert cats == sorted(cats) and set(cats) <= index_wordlists.PRONOUN_CATEGORIES, line


def test_each_category_of_pronouns_is_what_its_rule_needs() -> None:
    pronouns = index_wordlists.pronouns
    assert pronouns("personal") == {"he", "him", "his", "she", "her", "hers"}
    assert pronouns("group") == {"they", "them", "their", "it", "its"}
    assert pronouns("speaker") == {"he", "she"}
    assert {"his", "their", "theirs", "it"} <= pronouns("referring")
    assert pronouns("personal") | pronouns("group") | {"we", "you"} <= pronouns()
    with pytest.raises(ValueError, match="no pronoun category"):
        pronouns("plural")


def test_the_verbs_of_a_who_said_question_are_speech_verbs_of_the_index() -> None:
    # Two forms only a question uses; the rest must be verbs whose subject the notes make the speaker.
    asked = word_list("asked_speaker_phrases") - {"saying", "described"}
    assert asked <= index_wordlists.word_list("speech_verbs")


def test_a_list_is_read_once() -> None:
    assert word_list("titles") is word_list("titles")


def test_comments_blank_lines_and_spaces_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "words.txt"
    path.write_text("# a comment\n\n  alpha  \nbeta # why beta\n   # indented comment\n", encoding="utf-8")
    assert read_word_list(path) == {"alpha", "beta"}


def test_a_missing_list_names_its_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.txt"
    with pytest.raises(ConfigError) as err:
        read_word_list(missing)
    assert str(missing) in str(err.value)


def test_a_missing_bot_list_names_the_data_folder() -> None:
    with pytest.raises(ConfigError) as err:
        word_list("no_such_list")
    assert str(wordlists.DATA_DIR / "no_such_list.txt") in str(err.value)
