"""The grid, decided together, in a real browser (one station, one browser, one story).

A volunteer drags an airing onto another show on the week calendar and sees it refused and
put back, then moves it to a free hour (recorded on /changes); opens Tuesday evenings for new
shows; a stranger proposes a show for them on /get-involved without an account; the
volunteer comments and accepts it; the proposer follows the invitation from the e-mail (a
real SMTP server on loopback), sets a password and uploads an episode to the new slot. On a
phone (360 px) the calendar shows one day. Every new page passes axe-core.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.conftest import assert_accessible
from tests.mail.conftest import MailServer, link_in, mail_server, smtp_server  # noqa: F401
from tests.mail.test_links import mail_station
from tests.web.people import EMAILS, PASSWORD, Station

PROPOSER = "olu@example.org"


@pytest.fixture
def station(tmp_path: Path, mail_server: MailServer) -> Iterator[Station]:  # noqa: F811
    made = mail_station(tmp_path, mail_server)
    yield made
    made.services.db.dispose()


@pytest.fixture
def episode_file(tmp_path: Path) -> Path:
    path = tmp_path / "pilot.wav"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi",
         "-i", "sine=frequency=440:sample_rate=44100:duration=5", "-ac", "2", str(path)],
        check=True, timeout=30,
    )  # fmt: skip
    return path


def drag(page: Page, item: Locator, dy: float) -> None:
    """Drag ``item`` (by its middle) ``dy`` pixels down, in small steps as a hand does."""
    item.evaluate("e => e.scrollIntoView({block: 'center'})")
    box = item.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + dy / 2, steps=8)
    page.mouse.move(x, y + dy, steps=8)
    page.mouse.up()


def test_volunteers_reshape_the_week_and_a_stranger_gets_on_air(
    station: Station,
    mail_server: MailServer,  # noqa: F811
    serve: Callable[[Flask], str],
    page: Page,
    browser: Browser,
    episode_file: Path,
) -> None:
    base = serve(station.app)
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(EMAILS["volunteer"])
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/grid")

    # The week calendar: Tuesday's Show A dragged onto Show B is refused and put back.
    show_a = page.get_by_role("link", name="Show A on Tuesday 24 November: change it", exact=False)
    show_b = page.get_by_role("link", name="Show B on Tuesday 24 November: change it", exact=False)
    expect(show_a).to_be_visible()
    assert_accessible(page)
    show_a.evaluate("e => e.scrollIntoView({block: 'center'})")
    where = show_a.bounding_box()
    target = show_b.bounding_box()
    assert where is not None and target is not None
    drag(page, show_a, target["y"] - where["y"])
    status = page.locator("#calendar-status")
    expect(status).to_contain_text(
        "Show A would overlap Show B (show-b) on Tuesday 24 November 2026 at 12:00 GMT"
    )
    expect(status).to_contain_text("The airing was put back.")
    expect(show_a).to_have_attribute("href", "/grid/occurrences/show-a.s1.2026-11-24")
    back = show_a.bounding_box()
    assert back is not None and abs(back["y"] - where["y"]) < 2, "not put back"
    assert station.grid.grid().exceptions == ()

    # Moved to a free hour, it is saved and logged like the form's move.
    hour = (target["y"] - where["y"]) / 2
    drag(page, show_a, 5 * hour)
    expect(status).to_have_text(
        "Moved Show A on Tuesday 24 November 2026 to Tue 24 Nov 15:00 (60 minutes)."
    )
    [moved] = station.grid.grid().exceptions
    assert (moved.action, moved.start.hour if moved.start else None) == ("move", 15)

    # Its lower edge dragged down half an hour: a longer airing, the same way.
    moved_a = page.locator("#calendar a[href='/grid/occurrences/show-a.s1.2026-11-24']")
    expect(moved_a).to_contain_text("Show A (moved)")
    moved_a.evaluate("e => e.scrollIntoView({block: 'center'})")
    box = moved_a.bounding_box()
    assert box is not None
    x, bottom = box["x"] + box["width"] / 2, box["y"] + box["height"] - 2
    page.mouse.move(x, bottom - 10)
    page.mouse.move(x, bottom)
    page.mouse.down()
    page.mouse.move(x, bottom + hour / 2, steps=8)
    page.mouse.up()
    expect(status).to_have_text(
        "Moved Show A on Tuesday 24 November 2026 to Tue 24 Nov 15:00 (90 minutes)."
    )

    # Tuesday evenings open for new shows.
    page.get_by_role("link", name="Open slots").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open slots for new shows")
    assert_accessible(page)
    page.get_by_label("Repeats").select_option("weekly")
    page.get_by_role("group", name="On").get_by_label("Tuesday").check()
    page.get_by_label("Starts at").fill("21:00")
    page.get_by_label("Length in minutes").fill("60")
    page.get_by_label("First date").fill("2026-11-24")
    page.get_by_label("What the station is looking for").fill("Music from the neighbourhood")
    page.get_by_role("button", name="Open the slot").click()
    expect(page.locator(".flash")).to_contain_text("Open for new shows: Every Tuesday, 21:00–22:00")

    # A stranger proposes a show for them.
    stranger = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    stranger.goto(f"{base}/get-involved")
    expect(stranger.get_by_text("We are looking for: Music from the neighbourhood")).to_be_visible()
    assert_accessible(stranger)
    stranger.get_by_label("Title of the show").fill("Night Owls")
    stranger.get_by_label("What is it about?").fill("Jazz after dark, from our street.")
    stranger.get_by_label("Live or prerecorded?").select_option("prerecorded")
    stranger.get_by_label("Every Tuesday, 21:00–22:00", exact=False).check()
    stranger.get_by_label("Your name", exact=False).fill("Olu")
    stranger.get_by_label("Your e-mail address").fill(PROPOSER)
    stranger.get_by_role("button", name="Send my proposal").click()
    expect(stranger.get_by_role("status")).to_contain_text("Your proposal has reached")
    assert_accessible(stranger)

    # The volunteer comments, then accepts: the show is made, the proposer invited.
    page.goto(f"{base}/grid/proposals")
    assert_accessible(page)
    page.get_by_role("link", name="Night Owls").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposal: Night Owls")
    assert_accessible(page)
    page.get_by_label("Comment").fill("Lovely idea; Tuesdays suit.")
    page.get_by_role("button", name="Add the comment").click()
    expect(page.locator(".comments")).to_contain_text("Lovely idea; Tuesdays suit.")
    page.get_by_role("button", name="Accept and make the show").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Night Owls")
    expect(page.locator(".flash").first).to_contain_text("Night Owls is in the grid.")
    expect(page.locator("ul.slots")).to_contain_text("Every Tuesday, 21:00–22:00")

    # The proposer follows the link in the e-mail and uploads an episode to the new slot.
    assert station.services.mail.send_due() == 1
    [message] = mail_server.to(PROPOSER)
    assert message["Subject"].startswith("Night Owls is in the programme")
    stranger.goto(base + urlsplit(link_in(message)).path)
    stranger.get_by_label("New password").fill("my very own password")
    stranger.get_by_label("The same password again").fill("my very own password")
    stranger.get_by_role("button", name="Set my password").click()
    expect(stranger).to_have_url(f"{base}/dashboard")
    expect(stranger.get_by_role("heading", name="Night Owls")).to_be_visible()
    stranger.get_by_role("link", name="Upload the episode").first.click()
    expect(stranger).to_have_url(f"{base}/dashboard/slots/night-owls.s1.2026-11-24")
    stranger.get_by_label("Audio file").set_input_files(episode_file)
    stranger.get_by_role("button", name="Upload", exact=True).click()
    # A 5 s pilot in an hour's slot: accepted, with the warning that it is much shorter.
    expect(stranger.locator("#slot-status")).to_have_text(
        "Ready, but much shorter than the slot", timeout=20_000
    )
    stranger.context.close()

    # A week with a clock change (a 23-hour Sunday) marks it, and passes axe too.
    page.goto(f"{base}/grid?week=2027-03-22")
    expect(page.get_by_text("No such time: clocks go forward from 01:00 to 02:00")).to_be_visible()
    expect(page.get_by_role("heading", name="Sunday 28 March")).to_contain_text("23-hour day")
    assert_accessible(page)

    # Every decision is public, without the proposer's name or address.
    page.goto(f"{base}/changes")
    changes = page.locator("ol.changes")
    expect(changes).to_contain_text("Accepted a listener's proposal: Night Owls (prerecorded)")
    expect(changes).to_contain_text("Opened a slot for new shows")
    expect(changes).to_contain_text("Moved Show A on Tuesday 24 November 2026")
    assert PROPOSER not in changes.inner_text() and "Olu" not in changes.inner_text()

    # On a phone the calendar shows one day at a time, within the screen.
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}/grid")
    expect(
        page.get_by_role("link", name="Show B on Monday 23 November", exact=False)
    ).to_be_visible()
    expect(page.locator("#calendar a[href*='show-b.s1.']")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
