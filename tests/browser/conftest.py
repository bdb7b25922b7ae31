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
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (the CI script does)")
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


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    requests = Requests()
    context.route("**/*", requests.route)
    page = context.new_page()
    page.requests = requests
    yield page
    context.close()
