"""The Content-Security-Policy breaks nothing: Chromium reports no violation on the main pages.

Every page is opened in Debian's Chromium as a listener and as each role; the browser's
console and its ``securitypolicyviolation`` events must stay free of CSP reports, the home
page's script must run (it fills in the on-air card) and the week grid must keep the places
its ``style`` attributes give each programme.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import ConsoleMessage, Page

from tests.browser.test_people import log_in
from tests.web.people import EMAILS, Station, make_station

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""
PAGES = {
    None: ["/", "/schedule", "/shows", "/shows/show-a", "/login", "/nowhere", "/get-involved"],
    "presenter_a": ["/dashboard", "/dashboard/slots/show-a.s1.2026-11-23", "/logout"],
    "volunteer": [
        "/grid",
        "/grid/shows/new",
        "/grid/shows/show-a/slots/s1",
        "/changes",
        "/grid/open-slots",
        "/grid/proposals",
    ],
    "admin": ["/admin", "/admin/settings", "/admin/accounts/1"],
}


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Station]:
    made = make_station(tmp_path)
    yield made
    made.services.db.dispose()


@pytest.mark.parametrize("role", list(PAGES), ids=lambda r: r or "listener")
def test_no_page_reports_a_csp_violation(
    station: Station, serve: Callable[[Flask], str], page: Page, role: str | None
) -> None:
    base = serve(station.app)
    console: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            console.append(message.text)

    page.on("console", note)
    page.add_init_script(WATCH)
    if role is not None:
        log_in(page, base, EMAILS[role])
    for path in PAGES[role]:
        page.goto(f"{base}{path}")
        page.wait_for_load_state("load")
        reports = page.evaluate("() => window.__csp")
        assert reports == [] and console == [], (path, reports, console)


def test_scripts_run_and_the_week_grid_keeps_its_places(
    station: Station, serve: Callable[[Flask], str], page: Page
) -> None:
    base = serve(station.app)
    page.goto(f"{base}/schedule")
    row = page.locator(".grid-item").first.evaluate("e => getComputedStyle(e).gridRowStart")
    assert row not in ("auto", ""), row
    with page.expect_request("**/api/v1/now", timeout=20_000):  # now.js polls
        page.goto(f"{base}/")
