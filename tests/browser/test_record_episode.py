"""A presenter records their episode in the browser, and it airs in their slot.

Chromium runs with a fake microphone that plays a tone file made with sox
(``--use-fake-device-for-media-stream --use-file-for-fake-audio-capture``). On the slot's
page the presenter starts recording, pauses, resumes, stops, listens back and sends the
recording to the slot; it goes through the same resumable upload and analysis as a file
(what MediaRecorder gives, WebM/Opus, is accepted as it is). The station is the real stack
(Icecast, Liquidsoap and the scheduler's reconciler, from ``tests/playout/rig.py``) reading
the same library: the tone is heard on the Icecast mount in the slot, and the paused second
is not in the recording.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from radio.accounts.passwords import Passwords, cheap_hasher
from radio.bootstrap import Services, build_services
from radio.grid.model import SlotException
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, assert_accessible
from tests.browser.conftest import _Server as Server
from tests.playout.rig import Rig, once_slot, record, start_rig
from tests.support import require
from web import create_app

pytestmark = pytest.mark.stack

TONE_HZ = 1300  # above every note of the demo rotation's tunes
SLOT_S = 6
EMAIL = "home@example.org"
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def tone_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mic") / "tone.wav"
    subprocess.run(
        [require("sox"), "-n", "-r", "48000", "-c", "1", "-b", "16", str(path),
         "synth", "30", "sine", str(TONE_HZ), "vol", "0.5"],
        check=True, timeout=30,
    )  # fmt: skip
    return path


@pytest.fixture(scope="module")
def mic_browser(playwright: Playwright, tone_wav: Path) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={tone_wav}",
        ],
    )
    yield launched
    launched.close()


@pytest.fixture
def rig(tmp_path: Path, demo_media: Path) -> Iterator[Rig]:
    with start_rig(tmp_path, demo_media, fade_s=0.5) as made:
        yield made


def test_a_recording_made_in_the_browser_airs_in_the_slot(rig: Rig, mic_browser: Browser) -> None:
    services: Services = build_services(rig.settings, passwords=Passwords(cheap_hasher()))
    server = Server(create_app(rig.settings, services))
    server.start()
    try:
        # The scheduler finds episodes in the station's library, as `radio run`'s does.
        rig.reconciler.episodes = services.library
        # The slot is set well ahead (the browser's part takes a while on a busy machine),
        # beyond the scheduler's 15-minute look-ahead; once the episode is in, a volunteer's
        # move brings it to a few seconds from now.
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=30)
        rig.import_grid(once_slot("home-show", "prerecorded", start, SLOT_S, rig.settings))
        occ = services.grid.expand(start, start + timedelta(minutes=1), show="home-show")[0]
        services.accounts.add(EMAIL, "presenter", PASSWORD, ["home-show"])
        context = mic_browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        page = context.new_page()
        day = start.astimezone(rig.settings.tz)
        # No tags in a recording: it is named after the show and the date.
        _record_and_send(page, server.url, occ.id, f"Home Show, {day.day} {day:%B %Y}")
        context.close()

        item = services.library.episode_item(occ.id)
        # What Chromium recorded (WebM/Opus), its packets kept, in Ogg for the playout.
        assert item is not None and item.original_filename.endswith(".webm")
        assert item.format == "Opus" and item.path.endswith(".opus")
        # About 4 s recorded; the second spent paused is not in it.
        assert 3.0 <= item.duration_s <= 4.9, item.duration_s

        start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=6)
        local = start.astimezone(rig.settings.tz).replace(tzinfo=None)
        services.grid.add_exception(
            SlotException("home-show", occ.slot, occ.date, "move", start=local)
        )
        wait_s = (start - datetime.now(UTC)).total_seconds()
        first, samples = record(rig.mp3, wait_s + SLOT_S + 1)
        heard = _tone_windows(samples, 16000)
        # Half a second into the slot, for three seconds (the recording runs about four).
        at = int(((start - datetime.fromtimestamp(first, UTC)).total_seconds() + 0.5) / 0.05)
        in_slot = heard[at : at + 60]
        assert len(in_slot) == 60, "the stream recording ended before the slot"
        assert sum(f == TONE_HZ for f in in_slot) >= 0.9 * len(in_slot), in_slot
        before = heard[max(0, at - 60) : at - 20]
        assert sum(f == TONE_HZ for f in before) <= 0.1 * len(before), "the tone aired early"
        aired = [e for e in rig.as_run() if e.source == "scheduled" and e.show == "home-show"]
        assert aired and aired[0].status == "episode"
    finally:
        server.stop()
        services.db.dispose()


def _tone_windows(samples: np.ndarray, rate: int, window_s: float = 0.05) -> list[float]:
    """For each window, TONE_HZ if most of its power is within 25 Hz of it, else 0."""
    n = int(rate * window_s)
    freqs = np.fft.rfftfreq(n, 1 / rate)
    band = np.abs(freqs - TONE_HZ) <= 25
    out = []
    for i in range(0, len(samples) - n, n):
        power = np.abs(np.fft.rfft(samples[i : i + n].astype(np.float64) * np.hanning(n))) ** 2
        out.append(float(TONE_HZ) if power[band].sum() > 0.8 * max(power.sum(), 1e-9) else 0.0)
    return out


def _record_and_send(page: Page, base: str, occurrence_id: str, title: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/dashboard/slots/{occurrence_id}")
    message = page.locator("[data-rec-message]")

    page.get_by_role("button", name="Start recording").click()
    expect(message).to_have_text("Recording.")
    page.wait_for_timeout(2000)
    page.get_by_role("button", name="Pause").click()
    expect(message).to_contain_text("Paused at 0:0")
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Resume").click()
    expect(message).to_have_text("Recording.")
    page.wait_for_timeout(2000)
    page.get_by_role("button", name="Stop").click()
    expect(message).to_contain_text("Listen back below")
    player = page.get_by_label("Listen back to your recording")
    expect(player).to_be_visible()
    assert player.evaluate("a => a.src.startsWith('blob:')")
    # Listening back plays the recording (its first second, muted).
    player.evaluate("a => { a.muted = true; return a.play(); }")
    page.wait_for_function("() => document.querySelector('[data-rec-player]').currentTime > 0.3")
    player.evaluate("a => a.pause()")
    assert_accessible(page)

    page.get_by_role("button", name="Send to this slot").click()
    expect(page.locator("#slot-status")).to_have_text("Episode ready", timeout=30_000)
    expect(page.locator("#analysis")).to_contain_text("fits the slot")
    expect(page.get_by_label("Episode title")).to_have_value(title)
