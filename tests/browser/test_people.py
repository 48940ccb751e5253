"""Presenters and volunteers in a real browser: invitation, dashboard, the grid editor.

Every page visited is also checked with axe-core: no serious or critical violations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from radio.playout.live import StreamKeys
from tests.browser.conftest import assert_accessible
from tests.web.people import EMAILS, PASSWORD, Station, make_station


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Station]:
    made = make_station(tmp_path)
    yield made
    made.services.db.dispose()


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_invited_presenter_sets_a_password_and_finds_their_slot(
    station: Station, serve: Callable[[Flask], str], page: Page
) -> None:
    base = serve(station.app)
    _, token = station.accounts.invite("newcomer@example.org", "presenter", ["show-a"])
    page.goto(f"{base}/invite/{token}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    assert_accessible(page)
    page.get_by_label("New password").fill("my very own password")
    page.get_by_label("The same password again").fill("my very own password")
    page.get_by_role("button", name="Set my password").click()
    expect(page).to_have_url(f"{base}/dashboard")
    expect(page.get_by_role("heading", name="Show A")).to_be_visible()
    expect(page.locator(".status-missing").first).to_have_text("Episode missing")
    assert_accessible(page)
    page.get_by_role("link", name="Upload the episode").first.click()
    expect(page.get_by_role("heading", name="Upload the episode")).to_be_visible()
    assert_accessible(page)


def test_presenter_sees_the_go_live_card_and_makes_a_new_key(
    station: Station, serve: Callable[[Flask], str], page: Page
) -> None:
    base = serve(station.app)
    log_in(page, base, EMAILS["presenter_a"])
    expect(page.get_by_role("heading", name="Going live")).to_be_visible()
    expect(page.get_by_text("You have no stream key yet")).to_be_visible()
    page.get_by_role("button", name="Make a new stream key").click()
    expect(page.locator(".flash")).to_contain_text("new stream key")
    key = page.get_by_label("Stream key for Live A").input_value()
    assert StreamKeys(station.services.db).check("live-a", key)
    assert_accessible(page)
    page.get_by_role("link", name="← My shows").click()
    expect(page.get_by_text("Your key was shown once")).to_be_visible()
    assert key not in page.content(), "the key is shown again"


def test_volunteer_adds_a_fortnightly_show_then_sees_the_clash(
    station: Station, serve: Callable[[Flask], str], page: Page
) -> None:
    base = serve(station.app)
    page.goto(f"{base}/login")
    assert_accessible(page)
    log_in(page, base, EMAILS["volunteer"])
    expect(page).to_have_url(f"{base}/grid")
    assert_accessible(page)

    page.get_by_role("link", name="Add a show").click()
    assert_accessible(page)
    add_show(page, "Night Owls", "Tuesday", "21:00", fortnightly=True)
    expect(page.get_by_role("heading", level=1)).to_have_text("Night Owls")
    expect(page.locator(".flash")).to_contain_text("is in the grid")
    expect(page.locator("ul.slots")).to_contain_text("Every other Tuesday, 21:00–22:00")
    assert_accessible(page)

    page.goto(f"{base}/grid/shows/new")
    add_show(page, "Late Clash", "Tuesday", "21:30", fortnightly=False)
    problem = page.get_by_role("alert")
    expect(problem).to_contain_text("would overlap Night Owls (night-owls)")
    expect(problem).to_contain_text("Tuesday 24 November 2026 at 21:30")
    assert_accessible(page)
    assert station.grid.get_show("late-clash") is None

    page.goto(f"{base}/changes")
    expect(page.locator("ol.changes")).to_contain_text("Added the show Night Owls")
    assert_accessible(page)


def add_show(page: Page, title: str, day: str, start: str, *, fortnightly: bool) -> None:
    page.get_by_label("Title").fill(title)
    page.get_by_label("Kind").select_option("prerecorded")
    page.get_by_label("Repeats").select_option("weekly")
    page.get_by_role("group", name="On").get_by_label(day).check()
    page.get_by_label("How often").select_option("2" if fortnightly else "1")
    page.get_by_label("Starts at").fill(start)
    page.get_by_label("Length in minutes").fill("60")
    page.get_by_label("First date").fill("2026-11-24")
    page.get_by_role("button", name="Add the show").click()


@pytest.mark.parametrize(
    ("role", "paths"),
    [
        (
            "volunteer",
            [
                "/grid/missing",
                "/grid/playlists",
                "/grid/playlists/rotation",
                "/grid/shows/show-a",
                "/grid/shows/show-a/slots/new",
                "/grid/shows/show-a/slots/s1",
                "/grid/occurrences/show-a.s1.2026-11-24",
            ],
        ),
        ("admin", ["/admin", "/admin/settings", "/admin/accounts/1"]),
    ],
)
def test_every_people_page_passes_axe(
    station: Station, serve: Callable[[Flask], str], page: Page, role: str, paths: list[str]
) -> None:
    base = serve(station.app)
    log_in(page, base, EMAILS[role])
    for path in paths:
        page.goto(f"{base}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert_accessible(page)


def test_the_password_reset_page_passes_axe(
    station: Station, serve: Callable[[Flask], str], page: Page
) -> None:
    base = serve(station.app)
    token = station.accounts.reset_link(station.people["presenter_b"].id)
    page.goto(f"{base}/reset/{token}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_label("New password")).to_be_visible()
    assert_accessible(page)
