"""The rotation airs library music with its measured cue points and loudness gain applied."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from radio.bootstrap import build_services
from radio.config import Settings
from radio.media.library import MediaLibrary
from radio.media.records import Target
from tests.playout.rig import record, start_rig
from tests.support import require

pytestmark = pytest.mark.stack

RATE = 16000


def padded_tone(path: Path) -> Path:
    """4 s of silence, 6 s of a loud 1 kHz tone (amplitude 0.5), 4 s of silence."""
    subprocess.run(
        [require("ffmpeg"), "-nostdin", "-v", "error", "-y", "-filter_complex",
         "anullsrc=r=44100:cl=stereo:d=4[a];"
         "sine=frequency=1000:sample_rate=44100:duration=6,volume=4,"
         "pan=stereo|c0=c0|c1=c0[b];anullsrc=r=44100:cl=stereo:d=4[c];"
         "[a][b][c]concat=n=3:v=0:a=1", "-c:a", "flac", str(path)],
        check=True,
    )  # fmt: skip
    return path


def test_rotation_trims_silence_and_applies_the_gain(tmp_path: Path, demo_media: Path) -> None:
    data = tmp_path / "var"
    shutil.copytree(demo_media, data / "media")
    lists = tmp_path / "playlists"
    lists.mkdir()
    for name in ("rotation", "jingles"):
        (lists / f"{name}.m3u8").write_text("#EXTM3U\n")
    settings = Settings(data_dir=data, playlists_dir=lists)
    services = build_services(settings)
    try:
        item = (
            MediaLibrary(settings, services.db)
            .ingest(padded_tone(tmp_path / "loud.flac"), "loud.flac", Target(playlist="rotation"))
            .item
        )
    finally:
        services.db.dispose()
    assert 3.5 < item.cue_in_s <= 4.0 and 10.0 <= item.cue_out_s < 10.8  # a little margin
    assert item.gain_db < -5, "a loud tone is turned down to the station's loudness"

    with start_rig(tmp_path, demo_media, playlists_dir=lists, jingle_every=0) as rig:
        rendered = (data / "playlists" / "rotation.m3u8").read_text()
        assert 'liq_amplify="' in rendered and "annotate:" in rendered
        _, samples = record(rig.mp3, 16, RATE)

    assert len(samples) >= RATE * 15, f"only {len(samples) / RATE:.1f} s of the stream decoded"
    audio = samples[RATE * 2 :].astype(np.float64) / 32768  # past the connect burst
    windows = audio[: len(audio) // (RATE // 4) * (RATE // 4)].reshape(-1, RATE // 4)
    levels = 20 * np.log10(np.sqrt((windows**2).mean(axis=1)) + 1e-9)
    # Cued: the tone plays back to back, never its 8 s of silence between plays.
    assert (levels < -40).sum() <= 4, f"silence aired: {np.round(levels).tolist()}"
    # Gained: the tone (-9 dBFS RMS) airs near the -16 LUFS target, not at its own level.
    loud = np.median(levels[levels > -40])
    expected = 20 * np.log10(0.5 / np.sqrt(2)) + item.gain_db
    assert abs(loud - expected) < 2.0, f"aired at {loud:.1f} dBFS, expected {expected:.1f}"
