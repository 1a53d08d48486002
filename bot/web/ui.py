"""The web chat (Gradio): streamed answers, [n] links into a sources panel, refusals, examples,
and buttons under the chat that ask the suggested questions of the article being asked about
(the last answer's first source), scoped to that article. When recording is on, readers rate
each answer (thumbs, or a problem from the flag menu) and report a problem with the latest
answer, with a comment, from the "Report a problem" section.

Part of the web layer; only this module and :mod:`bot.web.app` (which mounts it) import Gradio.
The conversation lives in the browser session (``gr.State``), so the chat needs no
server-side session; all text shown is escaped by :mod:`bot.web.render`.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from bot.drafting.draft import Delta
from bot.question import Question, well_formed
from bot.records.recorder import MAX_COMMENT_CHARS, REASON_LABELS, Rating, Reason, Vote
from bot.schemas import Answer, ChatTurn
from bot.suggestions import DEFAULTS as SUGGESTIONS
from bot.web.ratelimit import client_key
from bot.web.render import SourcesTurn, answer_md, pending_md, sources_html, text_md
from bot.web.service import ChatService
from index.errors import NewsbotError, TooLargeError

ANSWERERS = {
    "extractive": "quotes sentences from the articles (no language model)",
    "openai": "a language model behind an OpenAI-compatible endpoint; claims checked against sources",
    "llamacpp": "a local language model; claims checked against sources",
}

CSS = """
.refusal { border-left: 4px solid #b45309; background: #fff7ed; color: #7c2d12;
  padding: 4px 10px; border-radius: 4px; }
a.cite { font-weight: 600; text-decoration: none; padding: 0 1px; color: #1d4ed8; cursor: pointer; }
.sources { padding-left: 0; list-style: none; margin: 4px 0; }
.source { border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px 10px; margin: 8px 0; }
.source.active { border-color: #2563eb; box-shadow: 0 0 0 2px #bfdbfe; }
.source-title { font-weight: 600; }
.source-meta { color: #6b7280; font-size: 0.9em; margin: 2px 0 6px; }
.source-context { margin: 0; font-size: 0.95em; line-height: 1.5; border-left: 3px solid #d1d5db;
  white-space: pre-line;
  padding-left: 8px; }
.source-context mark { background: #fde68a; color: inherit; padding: 0 1px; }
.sources-turn > summary { cursor: pointer; font-size: 0.9em; color: #374151; }
.answerer-badge { font-size: 0.9em; color: #4b5563; }
.index-missing { border-left: 4px solid #b91c1c; background: #fef2f2; padding: 8px 12px; }
#suggestions { gap: 6px; flex-wrap: wrap; }
#suggestions button { flex: 0 1 auto; min-width: 0; white-space: normal; text-align: left; }
"""
# What readers see of the report reasons (the API's values are the keys).
REASON_OF_LABEL: dict[str, Reason] = {label: reason for reason, label in REASON_LABELS.items()}
# "Like" and "Dislike" are the chat's thumbs; the others are under its flag icon.
FEEDBACK_OPTIONS = ("Like", "Dislike", *REASON_LABELS.values())
THANKS = "Thanks — your feedback was sent."
NOT_AN_ANSWER = "Only answers can be rated."
KEPT = "Your last rating stays recorded; choose another one to change it."
NOTHING_TO_REPORT = "Ask a question first: there is no answer to report yet."
CHOOSE_REASON = "Choose what is wrong with the answer."
# Buttons under the chat: the library's own caps, applied again where the page is built.
MAX_SUGGESTIONS = SUGGESTIONS.limit
SUGGESTION_CHARS = SUGGESTIONS.max_chars

# Clicking [n] opens and highlights the matching source instead of navigating.
HEAD = """<script>
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a.cite") : null;
  if (!link) { return; }
  event.preventDefault();
  event.stopPropagation();
  var item = document.getElementById(link.getAttribute("href").slice(1));
  if (!item) { return; }
  var folded = item.closest("details");
  if (folded) { folded.open = true; }
  document.querySelectorAll(".source.active").forEach(function (el) { el.classList.remove("active"); });
  item.classList.add("active");
  item.scrollIntoView({ behavior: "smooth", block: "center" });
}, true);
</script>"""


def theme() -> gr.themes.Base:
    # System fonts only: nothing is fetched from a font CDN, and the platform's fonts cover
    # the glyphs Gradio's bundled semibold face lacks.
    stack = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Noto Sans", "DejaVu Sans", "sans-serif"]
    mono = ["ui-monospace", "SFMono-Regular", "DejaVu Sans Mono", "monospace"]
    return gr.themes.Soft(font=stack, font_mono=mono)


@dataclass
class UiState:
    """One browser conversation: turns for the bot, sources for the panel."""

    history: list[ChatTurn] = field(default_factory=list)
    sources: list[SourcesTurn] = field(default_factory=list)
    article_id: str | None = None  # the article being asked about: its questions are suggested
    # The chat's message index of each answer → its ``answer_id`` (what a vote names). Errors
    # take a message too, so the indexes are counted in the chat, not in ``history``.
    answer_ids: dict[int, str] = field(default_factory=dict)


def build_ui(service: ChatService) -> gr.Blocks:
    blocks: gr.Blocks
    with gr.Blocks(title="News Q&A", fill_height=True) as blocks:
        gr.Markdown("## News Q&A — answers with sources from the articles")
        gr.Markdown(_badge(service), elem_classes=["answerer-badge"], elem_id="answerer")
        banner = gr.Markdown(
            _missing_index(service),
            visible=service.chatbot is None,
            elem_classes=["index-missing"],
            elem_id="index-missing",
        )
        state = gr.State(UiState())
        feedback = service.recorder.enabled  # off: votes are refused, so none are offered
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=300):
                chat = gr.Chatbot(
                    elem_id="chat",
                    label="Conversation",
                    height=520,
                    buttons=["copy"],
                    feedback_options=FEEDBACK_OPTIONS if feedback else None,
                )
                feedback_status = gr.Markdown("", elem_id="feedback-status", visible=feedback)
                question = gr.Textbox(
                    placeholder="Ask about the articles…",
                    show_label=False,
                    elem_id="question",
                    max_length=service.settings.max_question_chars,
                    interactive=service.chatbot is not None,
                    submit_btn="Ask",
                )
                suggested_for = gr.Markdown("", visible=False, elem_id="suggested-for")
                with gr.Row(elem_id="suggestions"):
                    chips = [
                        gr.Button(
                            "", visible=False, size="sm", variant="secondary", elem_classes=["suggestion"]
                        )
                        for _ in range(MAX_SUGGESTIONS)
                    ]
                if feedback:
                    with gr.Accordion("Report a problem", open=False, elem_id="report"):
                        reason = gr.Dropdown(
                            choices=list(REASON_LABELS.values()),
                            value=REASON_LABELS["wrong"],
                            label="What is wrong with the latest answer?",
                            elem_id="report-reason",
                        )
                        comment = gr.Textbox(
                            label=f"Comment (optional, up to {MAX_COMMENT_CHARS} characters)",
                            lines=3,
                            max_length=MAX_COMMENT_CHARS,
                            elem_id="report-comment",
                        )
                        send_report = gr.Button("Send report", elem_id="report-send", size="sm")
                with gr.Row():
                    new_chat = gr.Button("New chat", elem_id="new-chat", size="sm", variant="secondary")
                gr.Examples(examples=[[q] for q in service.settings.examples], inputs=[question])
            with gr.Column(scale=2, min_width=280):
                gr.Markdown("### Sources")
                sources = gr.HTML(sources_html([], None), elem_id="sources")

        def respond(
            message: str, messages: list[dict[str, Any]], ui: UiState, request: gr.Request
        ) -> Iterator[tuple[Any, ...]]:
            steps = _respond(service, message, messages, ui, _client(request), visit=_visit(request))
            yield from _with_suggestions(service, ui, steps)

        def ask_suggestion(
            message: str, messages: list[dict[str, Any]], ui: UiState, request: gr.Request
        ) -> Iterator[tuple[Any, ...]]:
            client, visit = _client(request), _visit(request)
            steps = _respond(service, message, messages, ui, client, article_id=ui.article_id, visit=visit)
            yield from _with_suggestions(service, ui, steps)

        outputs = [question, chat, sources, state, suggested_for, *chips]
        # Gradio runs one event at a time by default; answers from a remote LLM take seconds.
        question.submit(respond, [question, chat, state], outputs, concurrency_limit=8)
        for chip in chips:  # a button's input is its label: the suggested question
            chip.click(ask_suggestion, [chip, chat, state], outputs, concurrency_limit=8)

        def reset() -> tuple[Any, ...]:
            ui = UiState()
            return "", [], sources_html([], None), ui, *_suggestion_updates(service, ui)

        new_chat.click(reset, None, outputs)
        chat.clear(reset, None, outputs)
        if feedback:

            def rate(ui: UiState, like: gr.LikeData, request: gr.Request) -> str:
                return rate_message(service, ui, like.index, like.liked, _client(request))

            def report(label: str, text: str, ui: UiState, request: gr.Request) -> tuple[str, Any]:
                shown = report_latest(service, ui, label, text, _client(request))
                return shown, gr.update(value="") if shown == THANKS else gr.update()

            chat.like(rate, [state], [feedback_status])  # a like listener is what shows the buttons
            send_report.click(report, [reason, comment, state], [feedback_status, comment])
            for cleared in (new_chat.click, chat.clear):
                cleared(lambda: "", None, [feedback_status])
        # The index may be loading or missing when the app starts: each page load shows how it is now.
        blocks.load(lambda: _index_status(service), None, [banner, question])
    return blocks


def _respond(
    service: ChatService,
    message: str,
    messages: list[dict[str, Any]],
    ui: UiState,
    client: str,
    article_id: str | None = None,
    visit: str = "",
) -> Iterator[tuple[Any, ...]]:
    """The updates of one turn: (textbox, messages, sources panel, state); ``article_id``
    restricts the search to that article (a suggested question); ``visit`` (the browser
    session) groups the recorded questions of one conversation."""
    if not (message or "").strip():
        return
    # What is shown back is well-formed: Gradio cannot send a lone surrogate to the browser (a
    # 500); the question itself still reaches the service as typed, which refuses it.
    shown = well_formed(message)
    turn = len(ui.sources) + 1
    messages = [
        *messages,
        {"role": "user", "content": text_md(shown)},
        {"role": "assistant", "content": pending_md("")},
    ]
    panel = sources_html(ui.sources, service.library)
    yield "", messages, panel, ui
    streamed = ""
    try:
        service.limiter.check(client)  # the same per-address limit as the API
        question = Question(message, tuple(ui.history), article_id)
        _, events = service.start(question, remember=False, visit=visit)
        for event in events:
            if isinstance(event, Delta):
                streamed += event.text
                messages[-1] = {"role": "assistant", "content": pending_md(streamed)}
                yield "", messages, panel, ui
            elif isinstance(event, Answer):
                ui.history.append(ChatTurn(question=event.question, answer=event.text))
                ui.sources.append(SourcesTurn(turn, event.question, event.citations))
                ui.answer_ids[len(messages) - 1] = event.answer_id
                if article_id or event.citations:
                    ui.article_id = article_id or event.citations[0].article_id
                messages[-1] = {"role": "assistant", "content": answer_md(event, turn)}
                yield "", messages, sources_html(ui.sources, service.library), ui
    except NewsbotError as err:
        messages[-1] = {"role": "assistant", "content": f'<div class="refusal">{html.escape(str(err))}</div>'}
        yield shown, messages, panel, ui


def _client(request: gr.Request | None) -> str:
    return client_key(request.client if request else None)


def _visit(request: gr.Request | None) -> str:
    return str(getattr(request, "session_hash", None) or "") if request else ""


def rate_message(
    service: ChatService,
    ui: UiState,
    index: int | tuple[int, int] | list[int],
    liked: bool | str,
    client: str,
) -> str:
    """A like event of the chat → a vote on that message's answer; what the page then says
    (Markdown). ``liked``: True (👍), False (👎), a reason's label (the flag menu) or "" (the
    reader took the vote back: the recorded one stays, there is no "no vote")."""
    at = index[0] if isinstance(index, list | tuple) else index
    answer_id = ui.answer_ids.get(int(at))
    if answer_id is None:
        return NOT_AN_ANSWER
    reason: Reason | None = None
    if liked is True or liked == "Like":
        rating: Rating = "up"
    elif liked is False or liked == "Dislike":
        rating = "down"
    elif isinstance(liked, str) and liked in REASON_OF_LABEL:
        rating, reason = "down", REASON_OF_LABEL[liked]
    else:
        return KEPT
    return _send(service, client, answer_id, rating, reason, None)


def report_latest(
    service: ChatService, ui: UiState, label: str | None, comment: str | None, client: str
) -> str:
    """The "Report a problem" form → a 👎 vote with its reason and comment on the latest answer."""
    if not ui.answer_ids:
        return NOTHING_TO_REPORT
    reason = REASON_OF_LABEL.get(label or "")
    if reason is None:
        return CHOOSE_REASON
    return _send(service, client, list(ui.answer_ids.values())[-1], "down", reason, comment)


def _send(
    service: ChatService,
    client: str,
    answer_id: str,
    rating: Rating,
    reason: Reason | None,
    comment: str | None,
) -> str:
    try:
        if comment is not None and len(comment) > MAX_COMMENT_CHARS:  # as the API: before any limit is used
            raise TooLargeError(f"The comment is over {MAX_COMMENT_CHARS} characters.")
        service.limiter.check(client)  # votes count with questions, as on the API
        service.rate(Vote(answer_id, rating, reason, (comment or "").strip() or None))
    except NewsbotError as err:
        return text_md(str(err))
    return THANKS


def suggestions_for(service: ChatService, ui: UiState) -> tuple[str, list[str]]:
    """The title of the article being asked about and its suggested questions not asked yet."""
    if ui.article_id is None or service.library is None:
        return "", []
    try:
        article = service.library.get(ui.article_id)
    except NewsbotError:  # gone from the index since
        return "", []
    asked = {turn.question.casefold() for turn in ui.history}
    return article.title, [q for q in article.suggested_questions if q.casefold() not in asked]


def _with_suggestions(
    service: ChatService, ui: UiState, steps: Iterator[tuple[Any, ...]]
) -> Iterator[tuple[Any, ...]]:
    """Each step of a turn with the buttons' updates, worked out again only when the article
    or the history changed (not on every streamed piece)."""
    shown: tuple[str | None, int] | None = None
    updates: list[Any] = []
    for step in steps:
        if (ui.article_id, len(ui.history)) != shown:
            shown = (ui.article_id, len(ui.history))
            updates = _suggestion_updates(service, ui)
        yield (*step, *updates)


def _suggestion_updates(service: ChatService, ui: UiState) -> list[Any]:
    """The label and the buttons under the chat for the article being asked about."""
    return suggestion_view(*suggestions_for(service, ui))


def suggestion_view(title: str, questions: list[str]) -> list[Any]:
    """Updates of the label (Markdown, escaped) and of the buttons (their labels are text):
    at most ``MAX_SUGGESTIONS``, none over ``SUGGESTION_CHARS`` characters."""
    questions = [q for q in questions if 0 < len(q) <= SUGGESTION_CHARS][:MAX_SUGGESTIONS]
    label = f"Suggested questions about *{text_md(title)}*" if questions else ""
    updates: list[Any] = [gr.update(value=label, visible=bool(questions))]
    for i in range(MAX_SUGGESTIONS):
        shown = i < len(questions)
        updates.append(gr.update(value=questions[i] if shown else "", visible=shown))
    return updates


def _badge(service: ChatService) -> str:
    name = service.answerer
    return f"Answerer: **{text_md(name)}** — {text_md(ANSWERERS.get(name, 'a language model'))}"


def _missing_index(service: ChatService) -> str:
    how = "Build it with `make index` (or `python -m index build`): this page answers once it is built."
    if service.loading:
        return f"**The article index is loading.** Reload this page in a moment. (No index yet? {how})"
    return f"**The article index is not available.** {text_md(service.unavailable)}\n\n{how}"


def _index_status(service: ChatService) -> tuple[Any, Any]:
    """The banner and the question box as the index is now (loading, missing or ready)."""
    ready = service.chatbot is not None
    return gr.update(value=_missing_index(service), visible=not ready), gr.update(interactive=ready)
