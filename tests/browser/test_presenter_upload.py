"""An invited presenter uploads their episode in a real browser and sees its analysis.

The whole way a newcomer goes: the invitation link, their own password, signing in, their
next slot on the dashboard, the upload (resumable, through ``/api/uploads`` with the page's
CSRF token) with its progress bar, then what will air: length against the slot, loudness and
the waveform. The page passes axe-core (no serious or critical violations).
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible
from tests.web.people import Station, make_station

EMAIL = "newcomer@example.org"
NEW_PASSWORD = "my very own password"


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Station]:
    made = make_station(tmp_path)
    yield made
    made.services.db.dispose()


@pytest.fixture
def episode_file(tmp_path: Path) -> Path:
    """A minute of a 440 Hz tone as WAV (10 MB: the upload goes in two chunks)."""
    path = tmp_path / "my-first-episode.wav"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi",
         "-i", "sine=frequency=440:sample_rate=44100:duration=60",
         "-af", "volume=-12dB", "-ac", "2", str(path)],
        check=True, timeout=30,
    )  # fmt: skip
    return path


def _slow_analysis(station: Station) -> None:
    """The analysis of the minute of tone, slowed to take a few seconds as an hour's would."""
    library = station.services.library
    ingest = library.ingest

    def slowly(*args: Any, progress: Any = None, **kwargs: Any) -> Any:
        def heard(seconds: float, declared: float | None) -> None:
            progress(seconds, declared)
            time.sleep(0.25)

        return ingest(*args, progress=heard, **kwargs)

    library.ingest = slowly  # type: ignore[method-assign]


def test_invited_presenter_uploads_an_episode_and_sees_its_analysis(
    station: Station, serve: Callable[[Flask], str], page: Page, episode_file: Path
) -> None:
    base = serve(station.app)
    _, token = station.accounts.invite(EMAIL, "presenter", ["show-a"])

    page.goto(f"{base}/invite/{token}")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_label("The same password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page).to_have_url(f"{base}/dashboard")

    # Sign in afresh with the new password, as on their next visit.
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/dashboard")

    page.get_by_role("link", name="Upload the episode").first.click()
    expect(page).to_have_url(f"{base}/dashboard/slots/{station.occurrence('show-a', 0)}")
    expect(page.locator("#slot-status")).to_have_text("Episode missing")

    page.get_by_label("Audio file").set_input_files(episode_file)
    _slow_analysis(station)
    # Every message the progress line shows on the way, as the presenter sees them.
    page.locator("[data-upload-message]").evaluate(
        """m => { sessionStorage.seen = "[]";
                  new MutationObserver(() => sessionStorage.seen = JSON.stringify(
                      [...JSON.parse(sessionStorage.seen), m.textContent]))
                    .observe(m, {childList: true, characterData: true, subtree: true}); }"""
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    # Once every byte is there, the line says how far the check of the file got (not a
    # bar frozen at 100 %), on the same page, before it reloads.
    expect(page.locator("[data-upload-message]")).to_contain_text("% checked", timeout=20_000)
    expect(page.locator("#slot-status")).to_have_text("Episode missing")

    # After the analysis the page reloads by itself and shows what will air: a minute in an
    # hour's slot is accepted, with a warning rather than a plain "ready".
    expect(page.locator("#slot-status")).to_have_text(
        "Ready, but much shorter than the slot", timeout=20_000
    )
    seen: list[str] = json.loads(page.evaluate("sessionStorage.seen"))
    percents = [int(t.split("%")[0]) for t in seen if "% uploaded" in t]
    assert any(0 < p < 100 for p in percents), f"no progress on the way: {percents}"
    assert percents == sorted(percents), "the bar went backwards"
    checked = [int(t.split(": ")[1].split("%")[0]) for t in seen if "% checked" in t]
    assert checked and checked == sorted(checked), seen
    analysis = page.locator("#analysis")
    expect(analysis).to_contain_text("Length")
    expect(analysis).to_contain_text("much shorter than the slot, by 59 min")
    expect(page.locator("#short-warning")).to_contain_text("Is this the whole episode?")
    expect(analysis).to_contain_text("LUFS")
    expect(analysis).to_contain_text("my-first-episode.wav")
    waveform = analysis.get_by_role("img", name="The episode's waveform")
    expect(waveform).to_be_visible()
    expect(waveform).to_have_accessible_description(re.compile(r"^Drawn in blue: what will air"))
    # Drawn to the slot's scale: the minute takes 1/60 of the width, the rest is left empty.
    aired = waveform.locator(".wave-aired")
    assert aired.evaluate("p => getComputedStyle(p).fill") == "rgb(31, 78, 121)"
    assert 10 < aired.evaluate("p => p.getBBox().width") < 14
    assert 10 < waveform.locator(".wave-rest").evaluate("r => r.getBBox().x") < 14
    assert_accessible(page)
    # On a phone (360 px wide) it fits the screen and keeps its height.
    page.set_viewport_size({"width": 360, "height": 740})
    box = waveform.bounding_box()
    assert box is not None and box["width"] <= 360 and box["height"] >= 100
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.set_viewport_size({"width": 1280, "height": 900})

    # The file's tags give no title: it is named after the show and the date.
    expect(page.get_by_label("Episode title")).to_have_value("Show A, 23 November 2026")
    # Its title and notes are saved with the episode.
    page.get_by_label("Episode title").fill("Pilot episode")
    page.get_by_label("Notes", exact=True).fill("Recorded at home.")
    page.get_by_role("button", name="Save title and notes").click()
    expect(page.locator(".flash")).to_contain_text("Saved the episode's title and notes")
    expect(page.get_by_label("Episode title")).to_have_value("Pilot episode")
    expect(page.get_by_label("Notes", exact=True)).to_have_value("Recorded at home.")
