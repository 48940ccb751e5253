"""Listeners in a real browser: the live home page, the week, a show; axe-core on every page,
the keyboard alone, and a 360 px phone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.web.listeners import NOW, ListenerStation, make_listener_station, now_document

PAGES = ["/", "/schedule", "/schedule?from=2026-12-07", "/shows", "/shows/jazz-night",
         "/shows/friday-late", "/shows/no-such-show"]  # fmt: skip


@pytest.fixture
def station(tmp_path: Path) -> Iterator[ListenerStation]:
    made = make_listener_station(tmp_path)
    yield made
    made.services.db.dispose()


@pytest.fixture
def base(station: ListenerStation, serve: Callable[[Flask], str]) -> str:
    return serve(station.app)


def open_page(page: Page, url: str) -> None:
    page.clock.set_fixed_time(NOW)
    page.goto(url)


def test_listener_watches_the_home_page_follow_the_air(
    station: ListenerStation, base: str, page: Page
) -> None:
    open_page(page, base + "/")
    now = page.locator("#now")
    expect(now.locator('[data-field="show"]')).to_have_text("Jazz Night")
    expect(now.locator('[data-field="presenters"]')).to_have_text("With Joe Okafor")
    expect(now.locator('[data-field="title"]')).to_have_text("Playing: So What by Miles Davis")
    expect(page.get_by_label("How far through the programme")).to_have_attribute("value", "20")
    expect(page.locator('[data-field="next"]')).to_have_text("Wed 07:00 The Morning Show")
    expect(page.get_by_label("Listen live to Demo Community Radio")).to_have_count(1)
    assert_accessible(page)

    # The slot ends; the morning show's presenter is late, and the rotation fills in.
    station.on_air.set(now_document(
        on_air={"title": "Here Comes the Sun", "artist": "The Beatles", "show": None,
                "started_at": "2026-11-25T07:00:10Z", "source": "rotation"},
        show={"slug": "morning-show", "title": "The Morning Show", "kind": "live"},
        status="waiting", episode=None,
        slot_start="2026-11-25T07:00:00Z", slot_end="2026-11-25T09:00:00Z",
        next={"slug": "night-owls", "title": "Night Owls",
              "start": "2026-11-28T22:00:00Z", "end": "2026-11-29T00:30:00Z"},
    ))  # fmt: skip
    expect(now.locator('[data-field="show"]')).to_have_text("The Morning Show")
    expect(now.locator('[data-field="status"]')).to_contain_text("presenter is not on air")
    expect(now.locator('[data-field="presenters"]')).to_have_text("With Amina Khan, Dev Patel")
    expect(now.locator('[data-field="title"]')).to_have_text(
        "Playing: Here Comes the Sun by The Beatles"
    )
    expect(page.locator("#progress-times")).to_have_text("07:00–09:00")
    expect(page.locator('[data-field="next"]')).to_have_text("Sat 22:00 Night Owls")
    assert_accessible(page)

    # Nothing scheduled at all: the page says so and hides the progress bar.
    station.on_air.set(now_document(show=None, status="unscheduled", slot_start=None,
                                    slot_end=None, next=None))  # fmt: skip
    expect(now.locator('[data-field="show"]')).to_have_text("Music from our rotation")
    expect(page.locator('[data-field="progress"]')).to_be_hidden()
    page.locator('[data-field="show"]').click()  # plain text now, no link
    expect(page).to_have_url(base + "/")


def test_listener_reads_the_week_and_opens_a_show(base: str, page: Page) -> None:
    open_page(page, base + "/schedule")
    expect(page.locator(".week-grid")).to_be_visible()
    expect(page.locator(".week-tables")).to_be_hidden()
    saturday = page.get_by_role("region", name="Sat 28 Nov")
    expect(saturday.get_by_role("link")).to_have_text(["22:00–00:30 Night Owls"])
    today = page.get_by_role("table", name="Tuesday 24 November 2026")
    expect(today.get_by_role("row")).to_have_count(3)
    expect(today.get_by_role("columnheader", name="Time (GMT)")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("region", name="Tue 24 Nov").get_by_role("link", name="Jazz Night").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jazz Night")
    expect(page.get_by_text("Every other Tuesday, 19:00–20:00")).to_be_visible()
    player = page.get_by_label("Blue Notes")
    expect(player).to_have_attribute("src", "/episodes/jazz-night.main.2026-11-10/audio")
    assert_accessible(page)


def test_every_public_page_on_a_phone(base: str, phone_page: Page) -> None:
    for path in PAGES:
        open_page(phone_page, base + path)
        assert_accessible(phone_page)
        wide = phone_page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 360, f"{path} is {wide} px wide on a 360 px screen"
    open_page(phone_page, base + "/schedule")
    expect(phone_page.locator(".week-grid")).to_be_hidden()
    expect(phone_page.get_by_role("table")).to_have_count(7)


def test_every_public_page_on_a_wide_screen(base: str, page: Page) -> None:
    for path in PAGES:
        open_page(page, base + path)
        assert_accessible(page)


def test_keyboard_alone(base: str, page: Page) -> None:
    open_page(page, base + "/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(base + "/#main")
    open_page(page, base + "/")
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="On air")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(base + "/schedule")
    # Tab through to the first programme in the week grid and open it.
    link = page.locator(".week-grid a").first
    for _ in range(40):
        page.keyboard.press("Tab")
        if link.evaluate("e => e === document.activeElement"):
            break
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("The Morning Show")
