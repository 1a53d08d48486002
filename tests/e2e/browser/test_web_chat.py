"""The web chat in a real headless chromium against the real server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import chromium, screenshot, watch_outside_requests

WHO = "Who leads Russia's delegation?"
BOT = "#chat [data-testid=bot]"

# Records each distinct text the latest bot message shows, to see the answer grow.
OBSERVE = """() => {
  window.__seen = [];
  const chat = document.querySelector('#chat');
  new MutationObserver(() => {
    const bots = chat.querySelectorAll('[data-testid=bot]');
    if (!bots.length) return;
    const text = bots[bots.length - 1].innerText;
    if (window.__seen[window.__seen.length - 1] !== text) window.__seen.push(text);
  }).observe(chat, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def ask(page: Any, question: str, count: int) -> str:
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length >= n && "
        "!document.querySelectorAll(sel)[n - 1].innerText.includes('▍')",
        arg=[BOT, count],
        timeout=60_000,
    )
    return str(page.locator(BOT).nth(count - 1).inner_text())


def test_ask_see_streamed_cited_answer_open_source_and_follow_up(browser: Any, app_server: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside = watch_outside_requests(page, (app_server,))
    page.goto(app_server)
    page.wait_for_selector("#question textarea", timeout=30_000)
    assert "extractive" in page.inner_text("#answerer")
    page.evaluate(OBSERVE)

    first = ask(page, WHO, 1)
    assert "Medinsky" in first and "[1]" in first
    seen = page.evaluate("window.__seen")
    assert any("▍" in text for text in seen), "the answer was not streamed"
    assert len(seen) >= 3

    page.locator(BOT).nth(0).locator("a.cite").first.click()
    active = page.locator("#sources .source.active")
    active.wait_for(timeout=5_000)
    highlighted = active.locator("mark").inner_text()
    assert "Vladimir Medinsky" in highlighted
    context = active.locator(".source-context").inner_text()
    assert len(context) > len(highlighted) + 100  # the quote sits in its surrounding text
    assert "Alisa Orlova" in active.inner_text()
    screenshot(page, "web-chat-desktop.png")

    second = ask(page, "What was his job before?", 2)
    assert "culture minister" in second
    assert page.locator("#sources details.sources-turn").count() == 2

    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "web-chat-phone.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= 400  # no sideways scrolling
    assert outside == [], f"the page fetched from outside: {outside[:5]}"
    page.close()


def test_html_in_questions_renders_as_text(browser: Any, app_server: str) -> None:
    page = browser.new_page()
    page.goto(app_server)
    page.wait_for_selector("#question textarea", timeout=30_000)
    attack = '<img src=x onerror="window.__xss=1"> Who leads the delegation?'
    ask(page, attack, 1)
    user = page.locator("#chat [data-testid=user]").first.inner_text()
    assert "<img src=x" in user
    assert page.evaluate("window.__xss") is None
    assert page.locator("#chat img[src=x]").count() == 0
    page.close()


def test_refusal_is_visible_and_new_chat_clears(browser: Any, app_server: str) -> None:
    page = browser.new_page()
    page.goto(app_server)
    page.wait_for_selector("#question textarea", timeout=30_000)
    ask(page, "Who won the 2030 football World Cup final?", 1)
    refusal = page.locator(f"{BOT} .refusal")
    assert "Not in the articles" in refusal.first.inner_text()
    assert "Related articles" in page.locator(BOT).first.inner_text()
    page.click("#new-chat")
    page.wait_for_function("(sel) => document.querySelectorAll(sel).length === 0", arg=BOT, timeout=10_000)
    page.close()


def test_suggested_questions_of_the_article_asked_about_are_buttons(browser: Any, app_server: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(app_server)
    page.wait_for_selector("#question textarea", timeout=30_000)
    assert page.locator("button.suggestion:visible").count() == 0  # no article asked about yet
    ask(page, WHO, 1)
    buttons = page.locator("button.suggestion:visible")
    buttons.first.wait_for(timeout=10_000)
    labels = buttons.all_inner_texts()
    assert labels[0] == "What is this story about?" and "Why Turkey?" in labels and len(labels) <= 5
    assert "EXPLAINED" in page.inner_text("#suggested-for")  # the cited article's title
    screenshot(page, "web-chat-suggestions.png")

    buttons.filter(has_text="Why Turkey?").click()
    page.wait_for_function(
        "(sel) => document.querySelectorAll(sel).length >= 2 && "
        "!document.querySelectorAll(sel)[1].innerText.includes('▍')",
        arg=BOT,
        timeout=60_000,
    )
    answer = page.locator(BOT).nth(1).inner_text()
    assert "neutral mediator" in answer and "[1]" in answer
    assert page.locator("#chat [data-testid=user]").nth(1).inner_text() == "Why Turkey?"
    page.wait_for_function(  # asked: no longer suggested
        "() => ![...document.querySelectorAll('button.suggestion')].some("
        "(b) => b.offsetParent && b.innerText === 'Why Turkey?')",
        timeout=10_000,
    )
    page.close()
