"""A live server and headless Chromium (Debian's, driven by Playwright) for browser tests."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests import factories

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# How Chromium reports a Content-Security-Policy refusal on the console.
CSP = r"Refused to|Content Security Policy"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def live_server(app, database_url) -> Iterator[str]:
    if not database_url.startswith("sqlite"):
        pytest.skip("browser tests run once, on the embedded defaults (SQLite)")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it when it can)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def loaded(page):
    """Wait for the page's stylesheets and scripts, before measuring it or using a control that
    a script drives. After a click, text can be in the DOM (which is all an `expect` waits for)
    while a busy machine has not yet applied the CSS (an unstyled page measures as a plain
    list) or run the script (a change event then goes unheard)."""
    page.wait_for_load_state("load")
    return page


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    loaded(page)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


class Problems:
    """Console errors, CSP refusals and uncaught exceptions, from every page of a context."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def watch(self, page) -> None:
        def on_console(message) -> None:
            if message.text.startswith("Failed to load resource") and (
                message.location.get("url") == page.url
            ):
                return  # the page itself answered 409 or 422: the test checks it said why
            if message.type == "error" or re.search(CSP, message.text):
                self.seen.append(f"{page.url}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: self.seen.append(f"{page.url}: {error}"))


@pytest.fixture()
def problems() -> Problems:
    return Problems()


@pytest.fixture()
def open_context(browser, live_server, problems):
    contexts = []

    def open_page(width: int = 1280, height: int = 900):
        context = browser.new_context(
            base_url=live_server, viewport={"width": width, "height": height}, accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        problems.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture()
def hindi_phone(browser, live_server, problems):
    """A 360 px phone whose browser asks for Hindi (Accept-Language: hi-IN), as one set to
    Hindi does."""
    context = browser.new_context(
        base_url=live_server, viewport={"width": 360, "height": 740}, locale="hi-IN"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems.watch(page)
    yield page
    context.close()


def fits_in_hindi(page) -> None:
    """No sideways scroll, measured once both Devanagari faces have loaded: they load when a
    page first uses them, and until then its words are measured in a fallback."""
    loaded(page).evaluate(
        """Promise.all(['400', '700'].map(weight =>
             document.fonts.load(`${weight} 16px "Noto Sans Devanagari"`, 'हिन्दी')))
           .then(() => document.fonts.ready).then(() => true)"""
    )
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"{page.url} scrolls sideways in Hindi ({scroll}px > {inner}px)"


def sign_in(page, email: str, password: str = factories.PASSWORD) -> None:
    page.goto("/account/sign-in")
    # By the fields' ids, not their labels: the Hindi walk signs in on a Hindi page.
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("main form button[type=submit]").click()
    from playwright.sync_api import expect

    # Signed in: the account link is there (on a phone it waits behind the Menu button).
    expect(page.locator(".nav-user")).to_be_attached()
