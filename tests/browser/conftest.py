"""Browser fixtures: Debian's Chromium driven by Playwright, a live server, and axe-core.

For any team's browser tests (they are in this folder, so they get these fixtures):

* ``browser`` (session): Chromium at /usr/bin/chromium, headless. Playwright's own browser
  download is not used; a missing Chromium fails the tests (``make install`` installs it).
* ``page``: a fresh page (its own cookies) at a 1280×900 viewport; ``phone_page`` at 360 px.
* ``serve``: ``serve(app) -> "http://127.0.0.1:PORT"`` runs a Flask app in a thread.
* ``axe``: ``axe(page)`` runs axe-core (from ``node_modules``, installed by ``npm ci``) on the
  page and returns its serious and critical violations, ready to assert empty; use
  ``assert not axe(page), describe_violations(...)`` or just ``assert_accessible(page)``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from werkzeug.serving import BaseWSGIServer, make_server

from radio.config import PROJECT_DIR

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        raise AssertionError(f"{CHROMIUM} is not installed; `make install` installs chromium")
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


def _page(browser: Browser, width: int, height: int) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, 1280, 900)


@pytest.fixture
def phone_page(browser: Browser) -> Iterator[Page]:
    yield from _page(browser, 360, 740)


class _Server(threading.Thread):
    def __init__(self, app: Flask) -> None:
        super().__init__(daemon=True)
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def run(self) -> None:
        self.server.serve_forever(poll_interval=0.1)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.join(timeout=5)


@pytest.fixture
def serve() -> Iterator[Callable[[Flask], str]]:
    servers: list[_Server] = []

    def start(app: Flask) -> str:
        server = _Server(app)
        server.start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.stop()


def axe_violations(page: Page, impacts: tuple[str, ...] = SERIOUS) -> list[dict[str, Any]]:
    """axe-core's violations on the page at or above the given impacts."""
    if not AXE.is_file():
        raise AssertionError(f"{AXE} is missing; `make install` runs `npm ci` to install axe-core")
    # Evaluated through the DevTools protocol, not added as a <script>: the site's
    # Content-Security-Policy (script-src 'self') rightly refuses an inline script.
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in impacts]


def describe_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [json.dumps(node["target"]) for node in v["nodes"][:5]]
        lines.append(f"{v['impact']}: {v['id']} ({v['help']}) at {', '.join(targets)}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """No serious or critical axe-core violations on the page as it is now."""
    found = axe_violations(page)
    assert not found, f"{page.url}:\n{describe_violations(found)}"


@pytest.fixture
def axe() -> Callable[[Page], list[dict[str, Any]]]:
    return axe_violations
