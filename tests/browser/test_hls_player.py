"""Chromium plays the home page's HLS source: the station's format (AAC-LC in MPEG-TS,
segments cut by ffmpeg as playout cuts them) served by the site's ``/hls/`` route.

Debian's Chromium plays HLS itself (``canPlayType`` answers "maybe"), so the player's first
source is the HLS playlist. The segments here are a 440 Hz tone made by ffmpeg with the
playout's own command (:func:`radio.playout.script.hls_command`) rather than a running
station (the real station's HLS is decoded through Caddy in ``tests/proxy/test_caddy.py``).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page

from radio.playout.script import hls_command
from tests.support import require, wait_for
from tests.web.listeners import ListenerStation, make_listener_station

AUDIO = "document.querySelector('figure.player audio')"


@pytest.fixture
def station(tmp_path: Path) -> Iterator[ListenerStation]:
    made = make_listener_station(tmp_path)
    folder = made.services.settings.hls_dir
    folder.mkdir(parents=True, exist_ok=True)
    tone = subprocess.run(
        [require("ffmpeg"), "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=12",
         "-ac", "2", "-ar", "44100", "-c:a", "aac", "-b:a", "128k", "-f", "mpegts", "-"],
        capture_output=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    command = [part for part in hls_command(folder, 2) if part != "-nostdin"]
    subprocess.run(command, input=tone, check=True, timeout=60, capture_output=True)
    yield made
    made.services.db.dispose()


def test_chromium_plays_the_hls_stream(
    station: ListenerStation, serve: Callable[[Flask], str], page: Page
) -> None:
    base = serve(station.app)
    page.goto(base + "/")
    assert page.evaluate("new Audio().canPlayType('application/vnd.apple.mpegurl')") != ""
    page.evaluate(f"{AUDIO}.muted = true; {AUDIO}.play().catch(() => null); 0")
    wait_for(lambda: page.evaluate(f"{AUDIO}.currentTime") > 2, 30, "two seconds played")
    assert page.evaluate(f"{AUDIO}.currentSrc") == base + "/hls/live.m3u8"
    assert page.evaluate(f"{AUDIO}.error") is None
