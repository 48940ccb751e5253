"""Going live from the browser, and knowing where you stand, on the real stack.

Icecast, Liquidsoap and the real scheduler (the playout rig), the site in a thread, Debian's
Chromium with a fake microphone that plays a 1250 Hz tone file. A presenter opens the go-live
page, sees their microphone's level, presses "Go live" in the minutes before their slot and
is told they are connected; the tone is heard on the Icecast mount from the slot's start and
stops at its end; the page says so at each step (in an aria-live region), and the as-run log
names the presenter. The same states for a presenter with a source client (ffmpeg, as BUTT or
Mixxx would), read as JSON, with a drop in the middle; and each co-presenter's own key.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, Playwright, expect

from radio.accounts.model import Account
from radio.accounts.passwords import Passwords, cheap_hasher
from radio.bootstrap import Services, build_services
from radio.playout.asrun import AsRunEntry
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, assert_accessible
from tests.playout.rig import Rig, dominant, once_slot, record, start_rig
from tests.playout.test_playout import refused, source_client, stop_client
from tests.support import require, wait_for
from tests.web.people import PASSWORD, login
from web import create_app

pytestmark = pytest.mark.stack

TONE = 1250
LEAD_S = 8


@dataclass
class Stack:
    rig: Rig
    services: Services
    app: Flask
    ada: Account
    bo: Account

    def slot(self, show: str, start: datetime, seconds: int) -> str:
        """The grid with one live slot of ``show`` at ``start``; returns its occurrence id."""
        other = "butt-show" if show == "home-show" else "home-show"
        far = start + timedelta(days=1)
        self.rig.import_grid(
            once_slot(show, "live", start, seconds, self.rig.settings)
            + once_slot(other, "live", far, seconds, self.rig.settings)
        )
        found = self.services.grid.expand(start, start + timedelta(seconds=1), show=show)
        return found[0].id

    def live_entries(self, occurrence: str) -> list[AsRunEntry]:
        return [
            e for e in self.rig.as_run() if e.source == "live" and e.occurrence_id == occurrence
        ]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, demo_media: Path) -> Iterator[Stack]:
    base = tmp_path_factory.mktemp("golive")
    with start_rig(base, demo_media, live_key_lead_min=LEAD_S / 60, fade_s=0.3) as rig:
        services = build_services(rig.settings, migrate=False, passwords=Passwords(cheap_hasher()))
        later = datetime.now(UTC) + timedelta(days=1)
        rig.import_grid(
            once_slot("home-show", "live", later, 60, rig.settings)
            + once_slot("butt-show", "live", later + timedelta(hours=1), 60, rig.settings)
        )
        accounts = services.accounts
        ada = accounts.add("ada@example.org", "presenter", PASSWORD, ["home-show", "butt-show"],
                           name="Ada Presenter")  # fmt: skip
        bo = accounts.add("bo@example.org", "presenter", PASSWORD, ["butt-show"], name="Bo")
        app = create_app(rig.settings, services)
        try:
            yield Stack(rig, services, app, ada, bo)
        finally:
            services.liquidsoap.close()
            services.db.dispose()


@pytest.fixture(scope="module")
def tone_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mic") / "tone.wav"
    subprocess.run(
        [require("ffmpeg"), "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"sine=frequency={TONE}:sample_rate=48000:duration=180", "-af", "volume=0.5",
         "-c:a", "pcm_s16le", str(path)],
        check=True,
    )  # fmt: skip
    return path


@pytest.fixture
def mic_page(playwright: Playwright, tone_file: Path) -> Iterator[Page]:
    """Chromium whose only microphone plays the tone file, allowed without asking."""
    if not CHROMIUM.is_file():
        raise AssertionError(f"{CHROMIUM} is not installed; `make install` installs chromium")
    browser: Browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, "--use-fake-device-for-media-stream",
              f"--use-file-for-fake-audio-capture={tone_file}", "--use-fake-ui-for-media-stream"],
    )  # fmt: skip
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
        browser.close()


def wait_until(at: datetime) -> None:
    time.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()))


def recorded(rig: Rig, start: datetime, until: datetime) -> Callable[[], tuple[float, Any]]:
    """Record the MP3 mount from ``start`` to ``until`` in a thread; the returned call waits
    for it and gives (wall time of the first sample, samples)."""
    out: list[tuple[float, Any]] = []

    def run() -> None:
        wait_until(start)
        out.append(record(rig.mp3, (until - start).total_seconds()))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def result() -> tuple[float, Any]:
        thread.join(timeout=(until - datetime.now(UTC)).total_seconds() + 30)
        assert out, "the stream could not be recorded"
        return out[0]

    return result


def tone_share(t0: float, samples: Any, start: float, end: float) -> float:
    """The share of 50 ms windows in [start, end) (Unix times) where the tone sounds."""
    heard = dominant(samples, 16000, [TONE])
    times = t0 + np.arange(len(heard)) * 0.05
    inside = [h for h, t in zip(heard, times, strict=True) if start <= t < end]
    assert inside, "nothing recorded in that stretch"
    return sum(1 for h in inside if h == TONE) / len(inside)


def test_a_presenter_goes_live_from_the_browser_and_sees_where_they_stand(
    stack: Stack, mic_page: Page, serve: Callable[[Flask], str]
) -> None:
    page = mic_page
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=16)
    end = start + timedelta(seconds=10)
    occurrence = stack.slot("home-show", start, 10)
    base = serve(stack.app).replace("127.0.0.1", "localhost")  # the microphone needs it
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill("ada@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/dashboard")
    dashboard_status = page.locator("#live-home-show .live-status [role=status]")
    expect(dashboard_status).to_contain_text("Your next live slot is")
    page.locator("#live-home-show").get_by_role("link", name="Go live from this browser").click()
    expect(page).to_have_url(f"{base}/dashboard/shows/home-show/live")

    status = page.get_by_role("status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_contain_text("Your next live slot is")
    page.get_by_role("button", name="Use my microphone").click()
    expect(page.get_by_label("Microphone", exact=True)).to_be_enabled()
    level = page.locator("[data-mic-level]")
    wait_for(lambda: float(level.get_attribute("value") or -60) > -30, 10, "the mic level")
    assert_accessible(page)

    local = start.astimezone(stack.rig.settings.tz).strftime("%H:%M")
    wait_until(start - timedelta(seconds=LEAD_S - 1))
    page.get_by_role("button", name="Go live").click()
    expect(status).to_contain_text(
        re.compile(rf"Connected — you go on air at {local} \(in \d+ s\)\."), timeout=8_000
    )
    audio = recorded(stack.rig, start - timedelta(seconds=3), end + timedelta(seconds=4))

    expect(status).to_contain_text(
        "You are on air.", timeout=(start - datetime.now(UTC)).total_seconds() * 1000 + 8_000
    )
    expect(status).to_contain_text("left in the slot")
    expect(page.locator("[data-live-level-row]")).to_be_visible()
    assert_accessible(page)

    expect(status).to_contain_text(
        re.compile(r"Your slot ended at \d\d:\d\d: you were on air for \d+ s\."),
        timeout=(end - datetime.now(UTC)).total_seconds() * 1000 + 10_000,
    )
    t0, samples = audio()
    s, e = start.timestamp(), end.timestamp()
    before = tone_share(t0, samples, s - 2.5, s - 0.5)
    during = tone_share(t0, samples, s + 1.0, e - 1.0)
    after = tone_share(t0, samples, e + 1.0, e + 3.5)
    assert before < 0.1, f"the tone aired before the slot ({before:.0%})"
    assert during > 0.9, f"the tone was heard in {during:.0%} of the slot only"
    assert after < 0.1, f"the tone went on after the slot's end ({after:.0%})"
    presenters = {e.presenter for e in stack.live_entries(occurrence)}
    assert presenters == {"Ada Presenter"}, presenters


def test_a_source_client_presenter_has_the_same_states_and_a_key_of_their_own(
    stack: Stack,
) -> None:
    keys = stack.rig.reconciler.keys
    ada_key = keys.make("butt-show", stack.ada.id)
    bo_key = keys.make("butt-show", stack.bo.id)
    assert not re.search(r"[0O1lIo]", ada_key + bo_key), "a key has look-alike characters"
    keys.revoke("butt-show", stack.bo.id)  # Bo's key was seen: Ada's goes on working

    client = stack.app.test_client()
    login(client, "ada@example.org")

    def status() -> dict[str, Any]:
        answer = client.get("/dashboard/shows/butt-show/live/status")
        assert answer.status_code == 200
        return answer.get_json()  # type: ignore[no-any-return]

    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=LEAD_S + 4)
    end = start + timedelta(seconds=9)
    occurrence = stack.slot("butt-show", start, 9)
    assert status()["state"] == "later"
    wait_until(start - timedelta(seconds=LEAD_S - 1))
    assert status()["message"].startswith("Not connected — you go on air at")
    assert refused(source_client(stack.rig, bo_key, 5)), "a revoked key was accepted"
    presenter = source_client(stack.rig, ada_key, 30)
    try:
        wait_for(lambda: status()["state"] == "connected", 10, "connected")
        assert re.fullmatch(r"Connected — you go on air at \d\d:\d\d \(in \d+ s\)\.",
                            status()["message"])  # fmt: skip
        wait_until(start)
        wait_for(lambda: status()["state"] == "on_air", 8, "on air")
        now = status()
        assert now["message"] == "You are on air."
        assert now["detail"].endswith("left in the slot (until " + end.astimezone(
            stack.rig.settings.tz).strftime("%H:%M") + ").")  # fmt: skip
        assert now["level_db"] is not None and now["level_db"] > -30, now
        assert now["presenter"] == "Ada Presenter"
        time.sleep(1.5)
    finally:
        stop_client(presenter)
    wait_for(lambda: status()["state"] == "dropped", 10, "the drop")
    assert status()["message"] == "Not connected — music is playing."
    wait_until(end + timedelta(seconds=0.5))
    ended = status()
    assert ended["state"] == "ended"
    assert re.fullmatch(r"Your slot ended at \d\d:\d\d: you were on air for \d+ s\.",
                        ended["message"]), ended  # fmt: skip
    presenters = {e.presenter for e in stack.live_entries(occurrence)}
    assert presenters == {"Ada Presenter"}, presenters
