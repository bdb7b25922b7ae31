"""A real browser against `make serve`'s server: Debian's Chromium (/usr/bin/chromium, `apt-get install
chromium`) driven by Playwright through `executable_path`; nothing is downloaded. Every request the
page makes is recorded, and any that would leave 127.0.0.1 is refused, so a test can assert the page
works offline."""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlsplit

import pytest

from tests.conftest import serving

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def base_url(runtime):
    with serving(runtime, socket_timeout=5.0) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(
            f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install -y chromium; the CI script does)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


class Requests:
    """Every URL the page asked for, and those refused because they would leave 127.0.0.1."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.refused: list[str] = []

    def route(self, route) -> None:
        url = route.request.url
        self.seen.append(url)
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()


class Console:
    """The page's console errors and uncaught exceptions; a test names the few it provokes on purpose
    (e.g. the browser's own "Failed to load resource" line for a 403 it asked for)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.expected: list[str] = []

    def message(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def exception(self, error) -> None:
        self.errors.append(f"uncaught: {error}")

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(part in e for part in self.expected)]


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    requests = Requests()
    context.route("**/*", requests.route)
    page = context.new_page()
    page.requests = requests
    page.console = Console()
    page.on("console", page.console.message)
    page.on("pageerror", page.console.exception)
    yield page
    context.close()
    # every page a test opened: no console error nor uncaught exception it did not provoke on purpose
    assert page.console.unexpected() == []
