"""Probe: the disk of the HLS folder is full.

The station's HLS stream (``public_dir/hls``) may live on a disk of its own, or share one
that fills up. The probe puts the folder on a 1 MiB tmpfs filled to the last byte, starts
the station, and listens. What must hold:

* the Icecast mounts play on, and Liquidsoap is never restarted (Liquidsoap's own
  ``output.file.hls`` stops every output, Icecast's too, when a write fails: the station
  went off air and the supervisor restarted it over and over);
* ``/healthz`` says in one sentence that the HLS stream is not being written;
* once space is freed, the HLS stream is written again by itself and the report clears.
"""

from __future__ import annotations

import json
import signal
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from radio.config import Settings
from tests.security.disk import fill, small_disk
from tests.support import decode, rms_dbfs, wait_for
from tests.test_station import children_of, start_station

SENTENCE = "the HLS stream is not being written (is the disk of {folder} full?); " + (
    "the Icecast mounts play on"
)


def health(site: str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(f"{site}/healthz", timeout=5) as reply:
            return dict(json.loads(reply.read()))
    except urllib.error.HTTPError as exc:
        return dict(json.loads(exc.read()))


def liquidsoap_pids(data: Path) -> set[int]:
    return {
        pid
        for pid in children_of(data)
        if b"liquidsoap" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
    }


def test_a_full_hls_disk_leaves_the_mounts_playing(
    settings: Settings, station_env: dict[str, str], tmp_path: Path
) -> None:
    folder = settings.hls_dir
    with small_disk(folder, 1):
        ballast = fill(folder)
        env = {**station_env, "RADIO_HLS_SEGMENT_S": "1"}
        running = start_station(settings, env, tmp_path / "radio.log", on_air_ok=False)
        try:
            first = liquidsoap_pids(settings.data_dir)
            assert len(first) == 1
            sentence = SENTENCE.format(folder=folder.resolve())
            wait_for(
                lambda: sentence in health(running.site).get("reason", ""),
                60, "/healthz to report the HLS stream",
            )  # fmt: skip
            audio = decode(f"{running.icecast}/stream.mp3", 3)
            assert rms_dbfs(audio) > -40, "the MP3 mount went silent"
            assert liquidsoap_pids(settings.data_dir) == first, "Liquidsoap was restarted"
            assert "liquidsoap exited" not in running.log.read_text()
            ballast.unlink()
            wait_for(
                lambda: sentence not in health(running.site).get("reason", ""),
                60, "the HLS stream to be written again",
            )  # fmt: skip
            playlist = (folder / "live.m3u8").read_text()
            assert playlist.startswith("#EXTM3U") and ".ts" in playlist
            assert liquidsoap_pids(settings.data_dir) == first
        finally:
            running.proc.send_signal(signal.SIGTERM)
            running.proc.wait(30)
