"""Probe: can another local user read the station's database or its data folder?

The database holds accounts and stream key hashes. What must hold: after `radio init`, after
a start, and after the site has opened the database (making its `-wal` and `-shm` files), the
data folder is 0700, the database's files are 0600 and nothing the station made in the
folder is open to group or others (but its public folder, which nobody else can reach through
the data folder); a folder and database made by an older version (0755, 0644) are made
private at the next start. Icecast, running as its own user when the station runs as root,
still reads its configuration and writes its logs.

The other way round: with ``public_dir`` outside the data folder (as ``radio service install``
sets it), another user (``nobody``, as Caddy's own user would) reads the HLS playlist, a
segment and ``/api/v1/now``'s file a running station wrote, though the station makes its
files private (umask 077), while the data folder stays closed to it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from radio.config import Settings
from radio.playout.script import HLS_PLAYLIST
from tests.conftest import replace
from tests.support import port_open, require, wait_for
from tests.test_station import RADIO, children_of_pid, program_of, start_station


def init(env: dict[str, str]) -> None:
    done = subprocess.run([RADIO, "init"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def database_files(settings: Settings) -> list[Path]:
    db = settings.database_file
    return [db, *(db.with_name(db.name + end) for end in ("-wal", "-shm"))]


def open_to_others(settings: Settings, before: set[Path]) -> list[str]:
    """What the station made in the data folder that group or others may use, but the
    public folder (open to all by design)."""
    data, public = settings.data_dir, settings.public_dir_in_use
    return [
        f"{path.relative_to(data)} {mode(path):o}"
        for path in data.rglob("*")
        if path not in before
        and not path.is_symlink()
        and not path.is_relative_to(public)
        and mode(path) & 0o077
    ]


def assert_private(settings: Settings, before: set[Path]) -> None:
    assert mode(settings.data_dir) == 0o700
    for path in database_files(settings):
        if path.exists():
            assert mode(path) == 0o600, f"{path.name} is {mode(path):o}"
    assert open_to_others(settings, before) == []


def test_init_makes_a_private_data_folder(settings: Settings, station_env: dict[str, str]) -> None:
    before = set(settings.data_dir.rglob("*"))  # the demo audio the fixture copied in
    init(station_env)
    assert settings.database_file.exists()
    assert_private(settings, before)


def test_an_older_open_folder_is_made_private(
    settings: Settings, station_env: dict[str, str]
) -> None:
    init(station_env)
    os.chmod(settings.data_dir, 0o755)
    for path in database_files(settings):
        path.touch()
        os.chmod(path, 0o644)
    init(station_env)
    assert mode(settings.data_dir) == 0o700
    assert mode(settings.database_file) == 0o600
    # SQLite removes the -wal and -shm files when the last connection closes.
    for path in database_files(settings):
        if path.exists():
            assert mode(path) == 0o600, f"{path.name} is {mode(path):o}"


def test_the_site_keeps_the_database_private(
    settings: Settings, station_env: dict[str, str]
) -> None:
    init(station_env)
    for path in database_files(settings)[1:]:
        path.unlink(missing_ok=True)
    before = set(settings.data_dir.rglob("*"))
    site = subprocess.Popen(
        [sys.executable, "-m", "web"],
        env=station_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: port_open(settings.http_port), 30, "the site to listen")
        wal = database_files(settings)[1]
        wait_for(wal.exists, 10, "the site to open the database")
    finally:
        site.send_signal(signal.SIGTERM)
        site.wait(20)
    assert_private(settings, before)


def as_nobody(*command: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [require("runuser"), "-u", "nobody", "--", *command],
        capture_output=True, timeout=30, check=False,
    )  # fmt: skip


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder other users may enter (pytest's tmp_path is root's alone), as /var/lib is."""
    folder = Path(tempfile.mkdtemp(prefix="radio-public-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder)


def assert_public_files_readable_by_others(settings: Settings) -> None:
    public = settings.public_dir_in_use
    playlist = public / "hls" / HLS_PLAYLIST

    def segments() -> list[str]:
        return [line for line in playlist.read_text().splitlines() if line.endswith(".ts")]

    listed = wait_for(segments, 40, "the HLS playlist to list a segment")
    wait_for(lambda: (public / "api/v1/now.json").is_file(), 30, "the site's now.json")
    for path in (public / "api/v1/now.json", playlist, public / "hls" / listed[-1]):
        read = as_nobody("cat", str(path))
        assert read.returncode == 0 and read.stdout, f"nobody cannot read {path}: {read.stderr!r}"
    assert "station" in json.loads(as_nobody("cat", str(public / "api/v1/now.json")).stdout)
    assert (mode(public), mode(public / "hls"), mode(playlist)) == (0o755, 0o755, 0o644)
    closed = as_nobody("ls", str(settings.data_dir))
    assert closed.returncode != 0 and b"Permission denied" in closed.stderr


@pytest.mark.stack
def test_a_running_station_keeps_its_files_private_and_its_public_files_readable(
    settings: Settings, station_env: dict[str, str], tmp_path: Path, open_folder: Path
) -> None:
    before = set(settings.data_dir.rglob("*"))
    settings = replace(settings, public_dir=str(open_folder / "public"))
    env = {**station_env, "RADIO_PUBLIC_DIR": settings.public_dir}
    station = start_station(settings, env, tmp_path / "radio.log")
    try:
        assert_private(settings, before)
        assert_public_files_readable_by_others(settings)
        if os.geteuid() == 0:  # Icecast runs as icecast2: its folder is its group's only
            icecast = next(
                Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                for pid in children_of_pid(station.proc.pid)
                if program_of(pid) == "icecast2"
            )
            config = Path(icecast[icecast.index(b"-c") + 1].decode())
            assert mode(config) == 0o640 and mode(config.parent) == 0o750
            assert any((config.parent / "log").iterdir()), "Icecast wrote no log"
    finally:
        station.proc.send_signal(signal.SIGTERM)
        station.proc.wait(30)
