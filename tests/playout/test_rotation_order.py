"""The rotation on the real stack: shuffled, never the same file twice running, and a station
ID after every N music tracks."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from radio.config import Settings
from tests.playout.rig import start_rig, tone
from tests.support import wait_for

pytestmark = pytest.mark.stack

JINGLE_EVERY = 2


def test_station_id_every_n_tracks_and_no_immediate_repeat(
    tmp_path: Path, demo_media: Path
) -> None:
    data = tmp_path / "var"
    shutil.copytree(demo_media, data / "media")
    short = data / "media" / "short"
    short.mkdir()
    music = [tone(short / f"m{f}.ogg", f, 1.5).name for f in (700, 800, 900)]
    tone(short / "id.ogg", 1200, 1.0)
    lists = tmp_path / "playlists"
    lists.mkdir()
    (lists / "rotation.m3u8").write_text("#EXTM3U\n" + "".join(f"short/{m}\n" for m in music))
    (lists / "jingles.m3u8").write_text("#EXTM3U\nshort/id.ogg\n")

    with start_rig(
        tmp_path, demo_media, playlists_dir=lists, jingle_every=JINGLE_EVERY, fade_s=0.1
    ) as rig:

        def played() -> list[str]:
            return [
                Path(e["filename"]).name
                for e in rig.events
                if e.get("event") == "track" and e.get("source") == "rotation"
            ]

        wait_for(lambda: len(played()) >= 16, 60, "sixteen rotation items")
        aired = played()

    # Liquidsoap's first pick may be either kind; from the first ID on, the pattern holds.
    start = aired.index("id.ogg")
    steady = aired[start:]
    for i, name in enumerate(steady):
        expected_id = i % (JINGLE_EVERY + 1) == 0
        assert (name == "id.ogg") == expected_id, f"station IDs out of step: {steady}"
    tracks = [name for name in steady if name != "id.ogg"]
    assert set(tracks) == set(music), f"not every track aired: {tracks}"
    assert all(a != b for a, b in itertools.pairwise(tracks)), f"a repeat: {tracks}"


def test_settings_default_to_a_station_id_every_three_tracks() -> None:
    assert Settings().jingle_every == 3
