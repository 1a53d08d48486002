"""Headless Debian chromium driven by Playwright (no browser downloads: the system binary)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.corpus import ROOT

ARTIFACTS = ROOT / "artifacts"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("Debian's chromium is not installed (.ci/run installs it)")
    pytest.skip("no system chromium (apt-get install chromium)")


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def watch_outside_requests(page: Any, allowed: tuple[str, ...]) -> list[str]:
    """Every request the page makes to anywhere but ``allowed`` origins (CDNs, analytics...)."""
    outside: list[str] = []
    local = ("data:", "blob:", "about:", *allowed)
    page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
    return outside


def screenshot(page: Any, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)
