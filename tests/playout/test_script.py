"""The generated Liquidsoap script: snapshot, and Liquidsoap's own type check."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from radio.playout.script import ScriptInputs, render_script
from tests.support import require

SNAPSHOT = Path(__file__).with_name("snapshots") / "station.liq"

INPUTS = ScriptInputs(
    station_name='Demo "Community" Radio #{danger}',
    socket_path=Path("/srv/radio/var/run/liquidsoap.sock"),
    icecast_host="127.0.0.1",
    icecast_port=8000,
    icecast_password="s3cret",
    harbor_host="127.0.0.1",
    emergency_file=Path("/srv/radio/var/media/station/emergency.ogg"),
    rotation_playlist=Path("/srv/radio/var/playlists/rotation.m3u8"),
    jingles_playlist=Path("/srv/radio/var/playlists/jingles.m3u8"),
    jingle_every=3,
    key_check=("/usr/bin/python3", "-I", "-S", "/srv/radio/radio/playout/keycheck.py"),
    secrets_file=Path("/srv/radio/var/secrets.toml"),
    logger_dir=Path("/srv/radio/var/logger"),
    logger_writer=("/usr/bin/python3", "-I", "-S", "/srv/radio/radio/logger/writer.py"),
    hls_dir=Path("/srv/radio/var/public/hls"),
)


def test_script_matches_snapshot() -> None:
    text = render_script(INPUTS)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(text)
    assert text == SNAPSHOT.read_text(), "run with UPDATE_SNAPSHOTS=1 after a deliberate change"


def test_script_passes_liquidsoap_check(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    (tmp_path / "rotation.m3u8").write_text("")
    emergency = tmp_path / "emergency.ogg"
    subprocess.run(
        [require("ffmpeg"), "-v", "error", "-f", "lavfi", "-i", "sine=d=1", str(emergency)],
        check=True,
    )
    for jingles, logger_format in ((3, "mp3"), (0, "ogg")):
        inputs = ScriptInputs(
            **{
                **INPUTS.__dict__,
                "socket_path": tmp_path / "s.sock",
                "emergency_file": emergency,
                "rotation_playlist": tmp_path / "rotation.m3u8",
                "jingles_playlist": tmp_path / "rotation.m3u8",
                "jingle_every": jingles,
                "logger_format": logger_format,
            }
        )
        script = tmp_path / "station.liq"
        script.write_text(render_script(inputs))
        result = subprocess.run(
            [require("liquidsoap"), "--check", str(script)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr
