"""Every page works on a phone: 360 px wide, nothing runs off the side, axe finds nothing
serious, and the go-live values can be copied with the keyboard alone.

Each page is opened in Debian's Chromium at 360 × 740 as a listener and as each role. A page
fails if the document is wider than the screen (``scrollWidth > clientWidth``); the message
lists the elements that reach past the right edge, so the fix is easy to find.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_people import log_in
from tests.web.people import EMAILS, Station, make_station

OCC = "show-a.s1.2026-11-24"
PAGES = {
    None: ["/", "/schedule", "/shows", "/shows/show-a", "/login", "/forgot", "/nowhere",
           "/get-involved"],
    "presenter_a": ["/dashboard", f"/dashboard/slots/{OCC}", "/dashboard/shows/live-a/live",
                    "/dashboard/listeners", "/logout"],
    "volunteer": [
        "/grid", "/grid/missing", "/grid/shows/new", "/grid/shows/show-a",
        "/grid/shows/show-a/slots/s1", "/grid/shows/show-a/slots/new",
        f"/grid/occurrences/{OCC}", "/grid/playlists", "/grid/playlists/rotation", "/changes",
        "/grid/open-slots", "/grid/proposals", "/logger",
    ],
    "admin": ["/admin", "/admin/settings", "/admin/accounts/1", "/admin/listeners"],
}  # fmt: skip

#: The elements whose right edge passes the viewport's, described for the failure message.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5) {
      const cls = typeof el.className === "string" ? el.className.trim() : "";
      const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (cls ? "." + cls.split(/\\s+/).join(".") : "");
      out.push(name + " (right edge " + Math.round(box.right) + " px)");
    }
  }
  return out.slice(0, 15);
}"""


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Station]:
    made = make_station(tmp_path)
    yield made
    made.services.db.dispose()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("role", list(PAGES), ids=lambda r: r or "listener")
def test_every_page_fits_a_phone_and_passes_axe(
    station: Station, serve: Callable[[Flask], str], phone: Page, role: str | None
) -> None:
    base = serve(station.app)
    if role is not None:
        log_in(phone, base, EMAILS[role])
    wide = {}
    for path in PAGES[role]:
        phone.goto(f"{base}{path}")
        phone.wait_for_load_state("load")
        found = phone.evaluate(OVERFLOW)
        if found:
            wide[path] = found
        assert_accessible(phone)
    assert not wide, "wider than a 360 px screen:\n" + "\n".join(
        f"{path}: {', '.join(found)}" for path, found in wide.items()
    )


def test_the_go_live_values_are_copied_with_the_keyboard(
    station: Station, serve: Callable[[Flask], str], browser: Browser
) -> None:
    base = serve(station.app)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    log_in(page, base, EMAILS["presenter_a"])
    card = page.locator(".go-live")
    values = card.locator("dl.settings dd code")
    buttons = card.get_by_role("button", name="Copy", exact=False)
    expect(buttons.first).to_be_visible()  # copy.js adds them once the page has loaded
    names = [b.get_attribute("aria-label") for b in buttons.all()]
    assert names[:3] == ["Copy the server", "Copy the port", "Copy the mount"], names
    assert buttons.count() == values.count()
    # Each value is readable on the phone: on one line, not a character per line.
    for code in values.all():
        box = code.bounding_box()
        assert box is not None and box["height"] < 40, (code.inner_text(), box)
    # Tab to the mount's button and press Enter: the mount is on the clipboard.
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-label')") == "Copy the mount":
            break
    else:
        raise AssertionError("the mount's copy button cannot be reached with Tab")
    page.keyboard.press("Enter")
    mount = values.nth(2).inner_text()
    expect(card.locator("[data-copied]")).to_have_text(f"Copied the mount: {mount}")
    assert page.evaluate("navigator.clipboard.readText()") == mount
    context.close()
