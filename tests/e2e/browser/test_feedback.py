"""Readers rate answers, in headless Debian chromium against the real app with recording on.

The widget on the demo news page (another origin): 👍 / 👎 by keyboard, "Report a problem"
with a reason and a comment, the server's refusals shown, the controls gone when feedback is
off. The Gradio chat: a thumb and the report form. Each vote is looked up in the app's own
records database (DATA_DIR/records.sqlite), written off the request path: polled.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from tests.browser import chromium, screenshot, watch_outside_requests
from tests.corpus import SEED
from tests.e2e.browser.test_widget import WIDGET, ask, demo, shadow
from tests.e2e.servers import build_index, eventually, free_port, run_module, start_app, stop_app

THANKS = "Thanks — your feedback was sent."
ADMIN = "editors-token-0123456789"
COMMENT = 'The date is <b>html</b> & "quoted" — wrong'
BOT = "#chat [data-testid=bot]"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Iterator[dict[str, Any]]:
    """The app (recording on, its own data folder) and the demo page allowed to embed it."""
    data = build_index(tmp_path_factory.mktemp("feedback-index"), [SEED], embeddings).data_dir
    port = free_port()
    allowed = f"http://127.0.0.1:{port}"
    env = {
        "NEWSBOT_ALLOWED_ORIGINS": json.dumps([allowed]),
        "NEWSBOT_RECORD": "true",
        "NEWSBOT_EDITOR_TOKEN": ADMIN,
    }
    app, bot = start_app(data, env)
    page = demo(port, bot)
    try:
        yield {"bot": bot, "demo": allowed, "records": data / "records.sqlite", "data": data}
    finally:
        page.terminate()
        page.wait(timeout=10)
        stop_app(app)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def vote_on(records: Path, question: str) -> tuple[Any, ...] | None:
    """(rating, reason, comment, session) of the vote on the answer to ``question``."""
    if not records.exists():
        return None
    with closing(sqlite3.connect(records, timeout=5)) as db:
        row = db.execute(
            "SELECT f.rating, f.reason, f.comment, q.session FROM feedback f "
            "JOIN questions q ON q.id = f.answer_id WHERE q.question = ?",
            (question,),
        ).fetchone()
    return tuple(row) if row else None


def recorded(
    records: Path, question: str, rating: str, reason: str | None, comment: str | None
) -> tuple[Any, ...]:
    """Waits (5 s at most) for that vote on the answer to ``question``; the row."""
    eventually(
        lambda: (vote_on(records, question) or ())[:3] == (rating, reason, comment),
        within_s=5,
        ignoring=(sqlite3.Error,),
    )
    row = vote_on(records, question)
    assert row is not None and row[:3] == (rating, reason, comment), row
    return row


def focused(page: Any) -> str:
    """The class (or, without one, the id) of what has the focus in the widget."""
    return str(shadow(page, "root.activeElement && (root.activeElement.className || root.activeElement.id)"))


def status(page: Any) -> str:
    return str(shadow(page, "root.querySelector('[role=status]').textContent"))


def until(page: Any, expression: str, timeout: int = 10_000) -> None:
    """Waits until ``expression`` (with ``root``, the widget's shadow root) is true."""
    page.wait_for_function(
        f"() => {{ const root = document.querySelector('{WIDGET}').shadowRoot; return {expression}; }}",
        timeout=timeout,
    )


def open_and_ask(page: Any, sites: dict[str, Any], question: str) -> Any:
    """The demo page's widget opened and ``question`` answered; the answer's element."""
    page.goto(sites["demo"])
    page.wait_for_selector(WIDGET, state="attached", timeout=15_000)
    page.locator(f"{WIDGET} .launcher").click()
    return ask(page, question)


def labelled(form: Any) -> None:
    """The report form: the API's reasons by name, a labelled comment of 1000 characters at most."""
    labels = form.locator("select option").all_inner_texts()
    assert labels == ["Wrong", "Not in the source", "Outdated", "Offensive", "Other"]
    assert form.locator("label").all_inner_texts() == [
        "What is wrong?",
        "Comment (optional, up to 1000 characters)",
    ]
    assert form.locator("textarea").get_attribute("maxlength") == "1000"


def fits_a_phone(page: Any, form: Any, buttons: tuple[Any, ...], width: int) -> None:
    """Every control a finger can hit (44 px) and inside the screen; no sideways scrolling."""
    for control in ("select", "textarea", ".fb-send", ".fb-cancel"):
        box = form.locator(control).bounding_box()
        assert box["height"] >= 44 and box["x"] >= 0 and box["x"] + box["width"] <= width, (control, box)
    for button in buttons:
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44 and box["x"] + box["width"] <= width, box
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_widget_votes_by_keyboard_and_reports_a_problem_on_a_phone(
    browser: Any, sites: dict[str, Any]
) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740}, has_touch=True)
    outside = watch_outside_requests(page, (sites["demo"], sites["bot"]))
    question = "Who leads the delegation?"
    answer = open_and_ask(page, sites, question)
    assert "Medinsky" in answer.inner_text()
    up, down, report = (
        answer.locator(".thumb").nth(0),
        answer.locator(".thumb").nth(1),
        answer.locator(".report"),
    )
    assert answer.locator(".rate button").count() == 3
    assert (up.get_attribute("aria-label"), down.get_attribute("aria-label")) == (
        "Helpful answer",
        "Not helpful",
    )
    assert up.get_attribute("aria-pressed") == down.get_attribute("aria-pressed") == "false"
    assert page.locator(f"{WIDGET} .rate").count() == 1  # under the answer only (not the greeting)

    down.focus()
    page.keyboard.press("Enter")
    until(page, f"root.querySelector('[role=status]').textContent === {json.dumps(THANKS)}")
    assert down.get_attribute("aria-pressed") == "true" and up.get_attribute("aria-pressed") == "false"
    assert answer.locator(".fb-note").inner_text() == THANKS  # seen too, not only announced
    row = recorded(sites["records"], question, "down", None, None)
    assert row[3]  # grouped by the widget's session (its hash)

    page.keyboard.press("Tab")
    assert focused(page) == "report" and report.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    form = answer.locator("form.fb-form")
    assert form.is_visible() and report.get_attribute("aria-expanded") == "true"
    assert str(shadow(page, "root.activeElement.tagName")) == "SELECT"
    page.keyboard.press("Escape")  # closes the form, not the chat
    assert not form.is_visible() and focused(page) == "report"
    assert shadow(page, "root.querySelector('.panel').hidden") is False

    page.keyboard.press("Space")
    assert form.is_visible()
    labelled(form)
    fits_a_phone(page, form, (up, down, report), 360)
    screenshot(page, "widget-report-phone.png", full_page=False)

    form.locator("select").select_option(label="Outdated")
    form.locator("textarea").focus()
    page.keyboard.type(COMMENT)
    page.keyboard.press("Tab")
    assert focused(page) == "fb-send"
    page.keyboard.press("Enter")
    form.wait_for(state="hidden", timeout=10_000)
    assert status(page) == THANKS and focused(page) == "report"
    assert down.get_attribute("aria-pressed") == "true"
    recorded(sites["records"], question, "down", "outdated", COMMENT)  # the text as typed
    assert shadow(page, "root.querySelectorAll('b').length") == 0

    up.click()  # a second vote replaces the first, and the buttons show it
    until(page, "root.querySelector('.thumb').getAttribute('aria-pressed') === 'true'")
    assert down.get_attribute("aria-pressed") == "false"
    recorded(sites["records"], question, "up", None, None)
    assert outside == []
    page.close()


def test_widget_shows_refusals_and_drops_its_controls_when_feedback_is_off(
    browser: Any, sites: dict[str, Any]
) -> None:
    """The server's own answers to a vote, played by the browser: 429, then feedback off."""
    page = browser.new_page()
    replies: list[tuple[int, dict[str, Any]]] = [
        (
            429,
            {
                "error": {
                    "type": "rate_limited",
                    "message": "Too many questions from your address; try again in 7 s.",
                }
            },
        ),
        (404, {"error": {"type": "feedback_off", "message": "Feedback is not recorded on this site."}}),
    ]
    sent: list[dict[str, Any]] = []

    def refuse(route: Any) -> None:
        cors = {
            "Access-Control-Allow-Origin": sites["demo"],
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Content-Type",
        }
        if route.request.method == "OPTIONS":
            route.fulfill(status=204, headers=cors)
            return
        sent.append({"headers": route.request.headers, "body": json.loads(route.request.post_data or "{}")})
        code, body = replies.pop(0)
        route.fulfill(status=code, headers=cors, content_type="application/json", body=json.dumps(body))

    page.route(f"{sites['bot']}/api/feedback", refuse)
    first = open_and_ask(page, sites, "Where are the talks being held?")
    first.locator(".thumb").nth(0).click()
    until(page, "root.querySelector('[role=status]').textContent.includes('7 s')")
    assert first.locator(".fb-note").inner_text() == "Too many questions from your address; try again in 7 s."
    assert first.locator(".thumb").nth(0).get_attribute("aria-pressed") == "false"  # not recorded: not shown
    assert sent[0]["body"]["rating"] == "up" and len(sent[0]["body"]["answer_id"]) == 32
    assert "x-newsbot-subscriber" not in sent[0]["headers"]

    first.locator(".thumb").nth(1).click()
    until(page, "root.querySelectorAll('.rate').length === 0")
    assert status(page) == "Feedback is not collected on this site."
    assert first.locator(".fb-note").inner_text() == "Feedback is not collected on this site."
    second = ask(page, "Why Turkey?")
    assert second.locator(".rate").count() == 0 and page.locator(f"{WIDGET} .fb-note").count() == 1
    assert len(sent) == 2
    page.close()


def test_web_chat_thumbs_and_report_are_recorded(browser: Any, sites: dict[str, Any]) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(sites["bot"])
    page.wait_for_selector("#question textarea", timeout=30_000)
    question = "Who leads Russia's delegation?"
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(
        "(sel) => document.querySelectorAll(sel).length >= 1 && "
        "!document.querySelectorAll(sel)[0].innerText.includes('▍')",
        arg=BOT,
        timeout=60_000,
    )
    message = page.locator(BOT).first
    message.hover()
    page.locator("#chat button[aria-label=Dislike]").first.click()
    page.wait_for_function(
        "(t) => (document.querySelector('#feedback-status') || {}).innerText?.includes(t)",
        arg=THANKS,
        timeout=10_000,
    )
    row = recorded(sites["records"], question, "down", None, None)
    assert row[3]  # grouped by the browser session (its hash)

    page.locator("#chat .extra-feedback").first.hover()  # the flag: the report reasons
    page.locator("#chat button.extra-feedback-option", has_text="Outdated").first.click()
    recorded(sites["records"], question, "down", "outdated", None)

    page.locator("#report").get_by_text("Report a problem").click()
    page.locator("#report-comment textarea").fill(COMMENT)
    page.locator("#report-send").click()
    page.wait_for_function(  # sent: the box is emptied
        "() => document.querySelector('#report-comment textarea').value === ''", timeout=10_000
    )
    recorded(sites["records"], question, "down", "wrong", COMMENT)
    assert THANKS in page.inner_text("#feedback-status")
    screenshot(page, "web-chat-feedback.png")
    page.close()


XSS = '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'


def test_the_editors_round_trip_from_a_readers_report_to_a_question_set(
    browser: Any, sites: dict[str, Any], tmp_path: Path
) -> None:
    """A reader reports an answer in the widget; the editor sees it on /admin (logged in with
    the form), downloads the CSV, exports the reported answers as a question set, fills in
    the expected answer and runs the evaluation on it."""
    reader = browser.new_page()
    question = "So where exactly are the talks being held?"  # asked by no other test here
    answer = open_and_ask(reader, sites, question)
    answer.locator(".report").click()
    form = answer.locator("form")
    form.locator("select").select_option(label="Wrong")
    form.locator("textarea").fill(XSS)
    form.locator(".fb-send").click()
    until(reader, f"root.querySelector('[role=status]').textContent === {json.dumps(THANKS)}")
    recorded(sites["records"], question, "down", "wrong", XSS)

    context = browser.new_context()
    editor = context.new_page()
    editor.goto(f"{sites['bot']}/admin")
    editor.fill("#token", "not-the-token")
    editor.click("button[type=submit]")
    assert "That is not the editors' token." in editor.inner_text("body")
    editor.fill("#token", ADMIN)
    editor.click("button[type=submit]")
    editor.wait_for_selector("text=Answers readers rated down")
    [cookie] = [c for c in context.cookies() if c["name"] == "newsbot_editor"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and ADMIN not in cookie["value"]
    rated = editor.locator("article.rated", has_text=question)
    assert XSS in rated.inner_text() and "Wrong" in rated.inner_text()  # the comment, as text
    assert editor.title() == "Newsroom insights" and editor.locator("article.rated img").count() == 0
    assert editor.locator("svg.chart").count() >= 1
    screenshot(editor, "admin-insights.png")
    with editor.expect_download() as download:
        editor.click("text=Download CSV")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    [row] = [r for r in rows if r["question"] == question]
    assert (row["rating"], row["reason"], row["article_id"]) == ("down", "wrong", SEED.stem)

    env = {**os.environ, "NEWSBOT_DATA_DIR": str(sites["data"])}
    exported = tmp_path / "reported.csv"
    done = run_module("bot.eval", ["export", "--from-feedback", str(exported)], env)
    assert done.returncode == 0, done.stderr
    cases = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8-sig"))))
    [case] = [c for c in cases if c["question"] == question]
    assert case["article"] == SEED.stem and case["answers"] == "" and "(wrong)" in case["note"]
    case["answers"] = "Istanbul"  # the editor's expected answer
    case["must_not_contain"] = "Geneva"  # and the wrong claim to keep out (the answer was right)
    completed = tmp_path / "completed.csv"
    with completed.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(case))
        writer.writeheader()
        writer.writerow(case)
    evaluated = run_module(
        "bot.eval",
        [
            str(completed),
            "--corpus",
            str(SEED.parent),
            "--only-used",
            "--quiet",
            "--report",
            str(tmp_path / "r"),
        ],
        {**env, "NEWSBOT_DATA_DIR": str(tmp_path / "eval-data")},
    )
    assert evaluated.returncode == 0, evaluated.stderr
    [result] = list(csv.DictReader((tmp_path / "r" / "results.csv").open(encoding="utf-8-sig")))
    assert (
        result["question"] == question and result["correct"] == "true" and result["violations"] in ("", "0")
    )
