"""The widget on a news page of another origin, in headless Debian chromium.

Origin A (the demo news site, ``python -m widget.demo``) embeds the widget from origin B (the
app). A third origin, not in the allowlist, is refused. The index holds the seed article and
an article whose text (a sentence and a question heading) carries an HTML injection.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser import chromium, screenshot, watch_outside_requests
from tests.corpus import ROOT, SEED
from tests.e2e.servers import build_index, free_port, start_app, stop_app

XSS = '<img src=x onerror="window.__xss=1">'
HACK_ARTICLE = f"""Hackers deface the Brackwater council website

Source: Brackwater Courier
Published: 2026-03-02

Hackers defaced the Brackwater council website on Monday night.
The attackers left the message {XSS} Pay the ransom on the homepage for six hours.
Council staff restored the website on Tuesday morning and reported the attack to the police.

Who hacked the council {XSS} website?

Police have not said who hacked the council website.
"""

# Two other outlets' reports of the seed article's story (written for these tests).
OTHER_REPORTS = {
    "istanbul-gazette.txt": """Russia sends Medinsky to the first Ukraine-Russia peace talks in Istanbul
Source: Harbour Gazette
Published: 2025-05-15

Ukraine and Russia held their first direct peace talks in over three years in Istanbul, Turkey, while
Russian President Vladimir Putin stayed away.
Presidential aide Vladimir Medinsky led the Russian delegation.
""",
    "istanbul-times.txt": """Peace talks between Ukraine and Russia end in Istanbul without a ceasefire
Source: Kestrel Times
Published: 2025-05-16

The first direct peace talks between Ukraine and Russia since 2022 ended in Istanbul, Turkey, after
less than two hours and without a ceasefire.
Both sides agreed to exchange prisoners of war.
""",
}
HOSTILE_CSS = """
* { color: rgb(255, 0, 0) !important; font-family: "Courier New", monospace !important;
    letter-spacing: 4px !important; }
button { background: rgb(0, 255, 0) !important; border: 5px dashed red !important; }
textarea, div, section { padding: 30px !important; }
newsbot-widget { font-size: 40px; line-height: 4; }
"""

WIDGET = "newsbot-widget"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Iterator[dict[str, str]]:
    docs = tmp_path_factory.mktemp("widget-docs")
    (docs / "brackwater-hack.txt").write_text(HACK_ARTICLE, encoding="utf-8")
    for name, text in OTHER_REPORTS.items():
        (docs / name).write_text(text, encoding="utf-8")
    files = [docs / "brackwater-hack.txt", *(docs / name for name in OTHER_REPORTS), SEED]
    data = build_index(tmp_path_factory.mktemp("widget-index"), files, embeddings).data_dir

    demo_port, other_port = free_port(), free_port()
    allowed = f"http://127.0.0.1:{demo_port}"
    app, bot = start_app(data, {"NEWSBOT_ALLOWED_ORIGINS": json.dumps([allowed])})
    demos = [demo(port, bot) for port in (demo_port, other_port)]
    try:
        yield {"bot": bot, "demo": allowed, "other": f"http://127.0.0.1:{other_port}"}
    finally:
        for proc in demos:
            proc.terminate()
            proc.wait(timeout=10)
        stop_app(app)


def demo(port: int, bot: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "widget.demo", "--port", str(port), "--bot", bot],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("demo server did not start")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def shadow(page: Any, expression: str) -> Any:
    """Evaluate ``expression`` with ``root`` bound to the widget's shadow root."""
    return page.evaluate(
        f"() => {{ const root = document.querySelector('{WIDGET}').shadowRoot; return {expression}; }}"
    )


def open_by_keyboard(page: Any) -> None:
    page.wait_for_selector(WIDGET, state="attached", timeout=15_000)
    for _ in range(15):
        page.keyboard.press("Tab")
        if shadow(page, "root.activeElement && root.activeElement.className") == "launcher":
            break
    else:
        pytest.fail("the launcher cannot be reached with Tab")
    assert shadow(page, "root.querySelector('.launcher').getAttribute('aria-expanded')") == "false"
    page.keyboard.press("Enter")
    assert shadow(page, "root.activeElement.id") == "nb-q"  # focus moved into the panel
    assert shadow(page, "root.querySelector('.launcher').getAttribute('aria-expanded')") == "true"


def ask(page: Any, question: str) -> Any:
    """Type into the widget and wait until the answer is complete; returns the answer element."""
    count = page.locator(f"{WIDGET} .msg.bot").count()
    page.locator(f"{WIDGET} #nb-q").fill(question)
    page.locator(f"{WIDGET} #nb-q").press("Enter")
    return answer_after(page, count)


def answer_after(page: Any, count: int) -> Any:
    """The bot message after the first ``count`` ones, once complete."""
    page.wait_for_function(
        f"""(n) => {{ const m = document.querySelector('{WIDGET}').shadowRoot.querySelectorAll('.msg.bot')[n];
            return m && !m.hasAttribute('aria-busy'); }}""",
        arg=count,
        timeout=60_000,
    )
    return page.locator(f"{WIDGET} .msg.bot").nth(count)


COUNT_DELTAS = f"""() => {{
  window.__deltas = 0;
  const log = document.querySelector('{WIDGET}').shadowRoot.querySelector('.log');
  new MutationObserver((records) => {{
    for (const r of records) for (const n of r.addedNodes) if (n.nodeType === 3) window.__deltas++;
  }}).observe(log, {{subtree: true, childList: true}});
}}"""


def test_demo_page_widget_answers_about_its_article_by_keyboard(browser: Any, sites: dict[str, str]) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    outside = watch_outside_requests(page, (sites["demo"], sites["bot"]))
    page.goto(sites["demo"])
    open_by_keyboard(page)
    page.evaluate(COUNT_DELTAS)

    answer = ask(page, "Who leads the delegation?")
    text = answer.inner_text()
    assert "Medinsky" in text
    assert page.evaluate("window.__deltas") >= 3, "the answer was not streamed"
    cites = answer.locator("a.cite")
    assert cites.count() >= 1
    href = cites.first.get_attribute("href")
    assert href.startswith(f"{sites['bot']}/read/{SEED.stem}?start=")
    assert shadow(page, "root.querySelector('[role=status]').textContent").startswith("New answer:")
    source = httpx.get(href.split("#")[0], timeout=10).text
    assert (
        '<mark id="quote">' in source
        and "Medinsky" in source.split('<mark id="quote">')[1].split("</mark>")[0]
    )
    screenshot(page, "widget-desktop.png", full_page=False)

    summary = ask(page, "What is this article about?")  # the page's own article, summarised
    assert summary.inner_text().startswith(
        "Ukraine and Russia are set to hold their first direct peace talks"
    )
    assert 2 <= summary.locator("a.cite").count() <= 5
    assert all(
        (summary.locator("a.cite").nth(i).get_attribute("href") or "").startswith(
            f"{sites['bot']}/read/{SEED.stem}?"
        )
        for i in range(summary.locator("a.cite").count())
    )
    screenshot(page, "widget-summary.png", full_page=False)

    page.keyboard.press("Escape")
    assert shadow(page, "root.querySelector('.panel').hidden") is True
    assert shadow(page, "root.activeElement && root.activeElement.className") == "launcher"
    assert outside == []
    page.close()


def test_suggested_questions_are_chips_that_ask_about_the_article(
    browser: Any, sites: dict[str, str]
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(sites["demo"])
    page.wait_for_selector(WIDGET, state="attached", timeout=15_000)
    page.locator(f"{WIDGET} .launcher").click()
    chips = page.locator(f"{WIDGET} .chips .chip")
    chips.first.wait_for(timeout=15_000)  # fetched from /api/articles/ID when the panel opens
    labels = chips.all_inner_texts()
    assert labels[0] == "What is this story about?" and "Why Turkey?" in labels
    assert 3 <= len(labels) <= 5 and all(len(label) <= 80 for label in labels)
    assert shadow(page, "root.querySelector('.chips').getAttribute('aria-label')") == "Suggested questions"
    screenshot(page, "widget-suggestions.png", full_page=False)

    count = page.locator(f"{WIDGET} .msg.bot").count()
    chips.filter(has_text="Why Turkey?").click()
    answer = answer_after(page, count)
    assert page.locator(f"{WIDGET} .msg.user").last.inner_text() == "Why Turkey?"
    assert "neutral mediator" in answer.inner_text()
    cites = answer.locator("a.cite")
    assert cites.count() >= 1
    assert (cites.first.get_attribute("href") or "").startswith(f"{sites['bot']}/read/{SEED.stem}?start=")
    assert chips.count() == 0  # gone once a question is asked
    page.close()


def test_suggested_questions_from_article_text_stay_text(browser: Any, sites: dict[str, str]) -> None:
    page = browser.new_page()
    page.goto(f"{sites['bot']}/embed?article_id=brackwater-hack")  # the iframe page, opened alone
    chip = page.locator(f"{WIDGET} .chip").last
    chip.wait_for(timeout=15_000)
    assert chip.inner_text() == f"Who hacked the council {XSS} website?"
    assert shadow(page, "root.querySelectorAll('img').length") == 0
    chip.click()
    answer = answer_after(page, 1)  # after the greeting
    assert "who hacked the council website" in answer.inner_text()
    assert answer.locator("a.cite").count() >= 1
    assert shadow(page, "root.querySelectorAll('img').length") == 0
    assert page.evaluate("window.__xss") is None
    page.close()


def test_widget_fills_a_phone_screen(browser: Any, sites: dict[str, str]) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(sites["demo"])
    page.wait_for_selector(WIDGET, state="attached", timeout=15_000)
    page.locator(f"{WIDGET} .launcher").click()
    box = page.locator(f"{WIDGET} .panel").bounding_box()
    assert box["width"] == 390 and box["height"] >= 800 and box["x"] == 0
    ask(page, "Where are the talks being held?")
    screenshot(page, "widget-phone.png", full_page=False)
    page.close()


def test_switch_searches_all_articles_and_injected_html_stays_text(
    browser: Any, sites: dict[str, str]
) -> None:
    page = browser.new_page()
    page.goto(sites["demo"])
    page.wait_for_selector(WIDGET, state="attached", timeout=15_000)
    page.locator(f"{WIDGET} .launcher").click()
    scoped = ask(page, "What message did the attackers leave on the council homepage?")
    assert "ransom" not in scoped.inner_text()  # restricted to the page's article
    page.locator(f"{WIDGET} .switch").click()
    assert shadow(page, "root.querySelector('.switch').getAttribute('aria-checked')") == "false"
    answer = ask(page, f"{XSS} What message did the attackers leave on the council homepage?")
    assert "Pay the ransom" in answer.inner_text() and "<img src=x" in answer.inner_text()
    user = page.locator(f"{WIDGET} .msg.user").last.inner_text()
    assert user.startswith("<img src=x")
    assert shadow(page, "root.querySelectorAll('img').length") == 0
    assert page.evaluate("window.__xss") is None
    page.close()


def test_with_the_switch_off_anyone_else_gets_the_other_outlets_reports(
    browser: Any, sites: dict[str, str]
) -> None:
    """ "Did anyone else report this?" on the seed article's page, every article searched: one
    dated, cited sentence from each other outlet's report of the story."""
    page = browser.new_page()
    page.goto(sites["demo"])
    page.wait_for_selector(WIDGET, state="attached", timeout=15_000)
    page.locator(f"{WIDGET} .launcher").click()
    page.locator(f"{WIDGET} .switch").click()
    answer = ask(page, "did anyone else report this?")
    text = answer.inner_text()
    assert "Harbour Gazette, May 15, 2025" in text and "Kestrel Times, May 16, 2025" in text
    hrefs = [
        answer.locator("a.cite").nth(i).get_attribute("href") or ""
        for i in range(answer.locator("a.cite").count())
    ]
    cited = {href.split("/read/")[1].split("?")[0] for href in hrefs}
    assert cited == {"istanbul-gazette", "istanbul-times"}  # not the page's own article, nor the hack
    screenshot(page, "widget-other-reports.png", full_page=False)
    page.close()


def test_page_css_and_widget_css_do_not_touch_each_other(browser: Any, sites: dict[str, str]) -> None:
    probe = """() => ['body', 'h1', '.story p', '.byline', '.masthead'].map((s) => {
        const c = getComputedStyle(document.querySelector(s));
        return [c.fontFamily, c.fontSize, c.color, c.margin, c.padding, c.lineHeight].join('|'); })"""
    bare = browser.new_page()
    bare.route("**/widget.js", lambda route: route.abort())
    bare.goto(sites["demo"])
    without_widget = bare.evaluate(probe)
    bare.close()

    page = browser.new_page()
    page.goto(sites["demo"])
    page.wait_for_selector(WIDGET, state="attached", timeout=15_000)
    assert page.evaluate(probe) == without_widget  # the widget's CSS stays in its shadow root

    page.add_style_tag(content=HOSTILE_CSS)
    launcher = page.locator(f"{WIDGET} .launcher")
    launcher.click()
    styles = shadow(
        page,
        """['.launcher', 'header h2', '.msg.bot', 'textarea'].map((s) => {
            const c = getComputedStyle(root.querySelector(s));
            return {bg: c.backgroundColor, color: c.color, font: c.fontFamily, spacing: c.letterSpacing,
                    padding: c.paddingTop, size: c.fontSize}; })""",
    )
    assert styles[0]["bg"] == "rgb(29, 78, 216)"
    for style in styles:
        assert style["color"] != "rgb(255, 0, 0)" and "Courier" not in style["font"]
        assert style["spacing"] in ("normal", "0px") and style["padding"] != "30px"
        assert style["size"] != "40px"
    page.close()


def test_disallowed_origin_gets_no_answers(browser: Any, sites: dict[str, str]) -> None:
    page = browser.new_page()
    page.goto(sites["other"])
    page.wait_for_selector(WIDGET, state="attached", timeout=15_000)
    page.locator(f"{WIDGET} .launcher").click()
    answer = ask(page, "Who leads the delegation?")
    assert "could not be reached" in answer.inner_text() and "Medinsky" not in answer.inner_text()
    refused = httpx.post(
        f"{sites['bot']}/api/chat", json={"message": "Who leads?"}, headers={"origin": sites["other"]}
    )
    assert refused.status_code == 403
    page.close()


def test_iframe_mode_on_allowed_and_refused_origins(browser: Any, sites: dict[str, str]) -> None:
    page = browser.new_page()
    page.goto(f"{sites['demo']}/iframe")
    frame = page.frame_locator("iframe")
    frame.locator(f"{WIDGET} #nb-q").fill("Who leads the delegation?")
    frame.locator(f"{WIDGET} #nb-q").press("Enter")
    frame.locator(f"{WIDGET} .msg.bot a.cite").first.wait_for(timeout=60_000)
    assert "Medinsky" in frame.locator(f"{WIDGET} .msg.bot").last.inner_text()
    page.close()

    page = browser.new_page()
    page.goto(f"{sites['other']}/iframe")
    page.wait_for_timeout(1500)
    child = page.frames[1] if len(page.frames) > 1 else None
    loaded = child is not None and child.url.startswith(sites["bot"]) and child.query_selector(WIDGET)
    assert not loaded, "a page on a foreign origin could frame the chat"
    page.close()


def test_theme_through_css_custom_property(browser: Any, sites: dict[str, str]) -> None:
    page = browser.new_page()
    page.goto(sites["demo"])
    page.wait_for_selector(WIDGET, state="attached", timeout=15_000)
    page.add_style_tag(content=f"{WIDGET} {{ --newsbot-accent: rgb(200, 0, 100); }}")
    assert (
        shadow(page, "getComputedStyle(root.querySelector('.launcher')).backgroundColor")
        == "rgb(200, 0, 100)"
    )
    page.close()
