"""The question read once: everything the answerers, the LLM guidance, the "as of" note and the
records need to know about what the reader asked, as one frozen value.

Every rule here reads the reader's own words (``Question.text``, never the context a follow-up
adds): "how old was he" asks for an age whoever "he" is. ``read`` is the one place that runs
the rules; the rest of the bot reads ``Question.reading`` (made once per question value).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.language.patterns import about_the_present
from bot.reading.across import Across, Elsewhere, read_across, read_elsewhere
from bot.reading.forms import asks_list, asks_next, asks_why
from bot.reading.intents import Intent, asks_what_happened, intent_of
from bot.reading.kinds import RULES, Kind, asked_count, question_type
from bot.reading.speakers import Actor, asked_actor, asks_speaker
from bot.reading.yes_no import is_yes_no


@dataclass(frozen=True)
class Reading:
    """What a question asks for. Field by field, the rule that decides it is named."""

    intent: Intent  # summary, a fact about the article, or a question about the news (intents.py)
    kind: Kind | None  # the phrase it wants: a name for "who", a date for "when" (kinds.py)
    yes_no: bool  # "is Putin attending?" (yes_no.py)
    actor: Actor | None  # whose words or deeds it asks for: "what did the Kremlin say" (speakers.py)
    who_said: bool  # "who said Russia can win": the speaker is the answer (speakers.py)
    count: int  # "which four regions" → 4; 0 when no number of things is asked (kinds.py)
    lists: bool  # several things: "which games does Microsoft get" (forms.py)
    cause: bool  # "why": the reason, not the event restated (forms.py)
    future: bool  # "what's next": what will or may happen (forms.py)
    what_happened: bool  # "what happened in the final": the story's events (intents.py)
    present: bool  # how things stand now: the answer says when it was true (patterns.py)
    # Several reports at once: "does A suggest X while B says Y", "was the coverage consistent"
    # (across.py); None for a question about the news itself.
    across: Across | None = None
    # The story beyond the page it is asked on: "did anyone else report this", "anything newer"
    # (across.py); answered only when the question knows its page (``Question.page``).
    elsewhere: Elsewhere | None = None

    @property
    def strict(self) -> bool:
        """No sentence with a phrase of the asked kind → refuse (``KindRule.strict``)."""
        return self.kind is not None and RULES[self.kind].strict


def read(text: str) -> Reading:
    """The reading of a reader's question (its own words, cleaned: ``Question.text``)."""
    return Reading(
        intent=intent_of(text),
        kind=question_type(text),
        yes_no=is_yes_no(text),
        actor=asked_actor(text),
        who_said=asks_speaker(text),
        count=asked_count(text),
        lists=asks_list(text),
        cause=asks_why(text),
        future=asks_next(text),
        what_happened=asks_what_happened(text),
        present=about_the_present(text),
        across=read_across(text),
        elsewhere=read_elsewhere(text),
    )
