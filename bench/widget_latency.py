"""The widget in the demo: script size (raw, gzip) and first-answer latency in a real browser.

Starts the app (seed index, extractive answerer) and the demo news page on another loopback
origin, then in headless Debian chromium: loads the page, opens the widget, asks a question
and times (a) the widget's script appearing after navigation, (b) Enter → first streamed
text, (c) Enter → complete answer with citations (in-page clocks), (d) the same for a second
question on that page. Each round is a fresh browser context (no cached preflight).

Usage: python bench/widget_latency.py [--rounds N]
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from seed_app import ensure_seed_index, free_port, start, start_app, wait_ok  # noqa: E402

from bot.stats import percentile  # noqa: E402
from index.config import apply_offline_env  # noqa: E402

QUESTIONS = ["Who leads the delegation?", "Where are the talks being held?", "What does Russia want?"]
# Timed inside the page (performance.now), so the browser driver's polling adds nothing:
# t0 at the Enter keydown, then the first text and the end of the answer (aria-busy removed).
TIMERS = """() => {
  const root = document.querySelector('newsbot-widget').shadowRoot;
  window.__t = {};
  window.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') window.__t.t0 = performance.now();
  }, true);
  new MutationObserver(() => {
    const bots = root.querySelectorAll('.msg.bot');
    const m = bots.length > 1 ? bots[bots.length - 1] : null;
    if (!m || window.__t.t0 === undefined) return;
    if (window.__t.first === undefined && m.textContent.length) window.__t.first = performance.now();
    if (window.__t.done === undefined && !m.hasAttribute('aria-busy') && m.querySelector('a.cite'))
      window.__t.done = performance.now();
  }).observe(root, {subtree: true, childList: true, attributes: true, characterData: true});
}"""


def start_both(app_port: int, demo_port: int) -> list[subprocess.Popen[bytes]]:
    """The app on the seed index, and the demo page (another origin, allowed) pointing at it."""
    ensure_seed_index()
    app, _ = start_app(app_port, {"NEWSBOT_ALLOWED_ORIGINS": f'["http://127.0.0.1:{demo_port}"]'})
    bot = f"http://127.0.0.1:{app_port}"
    demo = start(["-m", "widget.demo", "--port", str(demo_port), "--bot", bot])
    wait_ok(f"http://127.0.0.1:{demo_port}/", demo)
    return [app, demo]


def measure(rounds: int, demo_url: str) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {"script": [], "first": [], "done": [], "again": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless=new"]
        )
        for i in range(rounds):
            page = browser.new_page()
            t0 = time.perf_counter()
            page.goto(demo_url)
            page.wait_for_selector("newsbot-widget", state="attached")
            times["script"].append((time.perf_counter() - t0) * 1000)
            page.locator("newsbot-widget .launcher").click()
            page.evaluate(TIMERS)
            page.locator("newsbot-widget #nb-q").fill(QUESTIONS[i % len(QUESTIONS)])
            page.locator("newsbot-widget #nb-q").press("Enter")
            page.wait_for_function("() => window.__t.done !== undefined", timeout=60_000)
            t = page.evaluate("window.__t")
            times["first"].append(t["first"] - t["t0"])
            times["done"].append(t["done"] - t["t0"])
            # A second question on the same page: connection open, CORS preflight cached.
            page.evaluate("window.__t = {}")
            page.locator("newsbot-widget #nb-q").fill(QUESTIONS[(i + 1) % len(QUESTIONS)])
            page.locator("newsbot-widget #nb-q").press("Enter")
            page.wait_for_function("() => window.__t.done !== undefined", timeout=60_000)
            t = page.evaluate("window.__t")
            times["again"].append(t["done"] - t["t0"])
            page.close()
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    apply_offline_env()
    raw = (ROOT / "widget" / "widget.js").read_bytes()
    print(f"widget.js: {len(raw):,} bytes raw, {len(gzip.compress(raw, 9)):,} bytes gzip -9\n")
    app_port, demo_port = free_port(), free_port()
    procs = start_both(app_port, demo_port)
    try:
        times = measure(args.rounds, f"http://127.0.0.1:{demo_port}/")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
    print(f"| measure ({args.rounds} fresh page loads) | p50 ms | p95 ms |")
    print("|---|---:|---:|")
    labels = {
        "script": "navigation → widget mounted",
        "first": "Enter → first streamed text",
        "done": "Enter → complete answer with citations",
        "again": "second question on the page → complete answer",
    }
    for key, label in labels.items():
        print(
            f"| {label} | {percentile(times[key], 0.5) or 0:.0f} | {percentile(times[key], 0.95) or 0:.0f} |"
        )


if __name__ == "__main__":
    main()
