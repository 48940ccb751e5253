"""The whole station on the real stack: `radio run` with Icecast and Liquidsoap.

Asserts what a listener notices: decoded audio on both mounts is not silent, the API names
what Icecast is carrying, and stopping leaves no process or port behind.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from radio.config import Settings
from radio.db import Database
from radio.enginestatus import HEALTH, ON_AIR, EngineStatus
from radio.playout.livemounts import LiveMounts
from radio.playout.quoting import ICY_QUOTE, ICY_QUOTE_STANDIN
from tests.support import decode, free_port, port_open, require, rms_dbfs, wait_for

pytestmark = pytest.mark.stack

RADIO = str(Path(sys.executable).with_name("radio"))


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as reply:
        return json.loads(reply.read())


def children_of(data_dir: Path) -> list[int]:
    """Processes whose command line mentions the station's data folder."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(data_dir) in cmdline and int(entry.name) != os.getpid():
            found.append(int(entry.name))
    return found


class Running:
    def __init__(self, settings: Settings, proc: subprocess.Popen[str], log: Path) -> None:
        self.settings = settings
        self.proc = proc
        self.log = log

    @property
    def site(self) -> str:
        return f"http://127.0.0.1:{self.settings.http_port}"

    @property
    def icecast(self) -> str:
        return f"http://127.0.0.1:{self.settings.icecast_port}"


def start_station(
    settings: Settings, env: dict[str, str], log: Path, on_air_ok: bool = True
) -> Running:
    """``radio run``, once ``/healthz`` says "ok" (or, with ``on_air_ok=False``, once every
    part is up and both mounts are on, whatever is on air)."""
    for program in ("liquidsoap", "icecast2", "ffmpeg"):
        require(program)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [RADIO, "run"], env=env, stdout=out, stderr=subprocess.STDOUT, text=True
        )
    running = Running(settings, proc, log)

    def healthy() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"radio run exited early:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{running.site}/healthz", timeout=2) as reply:
                body = json.loads(reply.read())
        except urllib.error.HTTPError as exc:
            body = json.loads(exc.read())
        if on_air_ok:
            return bool(body["status"] == "ok")
        parts = (body["liquidsoap"], body["icecast"], body["scheduler"])
        return parts == ("up", "up", "up") and not body["mounts_missing"]

    try:
        wait_for(healthy, 60, "the station to report healthy")
    except AssertionError as exc:
        proc.kill()
        raise AssertionError(f"station did not become healthy:\n{log.read_text()[-4000:]}") from exc
    return running


@pytest.fixture
def station(settings: Settings, station_env: dict[str, str], tmp_path: Path) -> Iterator[Running]:
    running = start_station(settings, station_env, tmp_path / "radio.log")
    yield running
    if running.proc.poll() is None:
        running.proc.send_signal(signal.SIGTERM)
        running.proc.wait(20)


def test_station_is_on_air_and_stops_cleanly(station: Running, settings: Settings) -> None:
    mp3 = decode(f"{station.icecast}/stream.mp3", 4)
    ogg = decode(f"{station.icecast}/stream.ogg", 4)
    assert len(mp3) > 8000 * 3 and len(ogg) > 8000 * 3
    assert rms_dbfs(mp3) > -40, "the MP3 mount is silent"
    assert rms_dbfs(ogg) > -40, "the Ogg mount is silent"

    now = get_json(f"{station.site}/api/v1/now")
    assert now["station"] == settings.station_name
    on_air = now["on_air"]
    # "scheduled" when the clock falls in one of the demo's prerecorded slots (a demo repeat).
    assert on_air["source"] in ("rotation", "emergency", "scheduled")
    assert on_air["started_at"].endswith("Z")
    # What the API names is what Icecast is carrying.
    status = get_json(f"{station.icecast}/status-json.xsl")["icestats"]["source"]
    titles = {s["listenurl"].rsplit("/", 1)[-1]: s.get("title", "") for s in status}

    def same_title() -> bool:
        now = get_json(f"{station.site}/api/v1/now")["on_air"]
        status = get_json(f"{station.icecast}/status-json.xsl")["icestats"]["source"]
        titles = {s.get("title", "") for s in status}
        # The mounts carry straight single quotes typeset (see radio/playout/quoting.py).
        title = now["title"].replace(ICY_QUOTE, ICY_QUOTE_STANDIN)
        return any(title in t for t in titles)

    wait_for(same_title, 10, f"API title to match Icecast's {titles}")

    health = get_json(f"{station.site}/healthz")
    assert health["status"] == "ok"
    # The scheduler publishes the live mounts for the site (which never asks Liquidsoap),
    # and what is on air and the engine's health, which the site reads from there too.
    db = Database(settings.database_url_in_use)
    try:
        published = LiveMounts(db).snapshot()
        reports = [EngineStatus(db).read(name) for name in (ON_AIR, HEALTH)]
    finally:
        db.dispose()
    assert sorted(m.mount.mount for m in published.mounts) == ["live", "live2"]
    assert published.current(datetime.now(UTC)), published
    assert all(r is not None and r.current(datetime.now(UTC)) for r in reports), reports
    home = urllib.request.urlopen(f"{station.site}/", timeout=5).read().decode()
    assert "<audio" in home and "/stream.mp3" in home

    assert (settings.data_dir / "run" / "liquidsoap.sock").stat().st_mode & 0o777 == 0o600
    assert (settings.data_dir / "secrets.toml").stat().st_mode & 0o777 == 0o600
    assert children_of(settings.data_dir), "no child processes found"
    # Each child exactly once (`python -m radio scheduler`, the site `python -m web`); ffmpeg
    # may be analysing the demo episodes meanwhile.
    programs = sorted(
        p for p in map(program_of, children_of_pid(station.proc.pid)) if p != "ffmpeg"
    )
    assert programs == ["icecast2", "liquidsoap", "scheduler", "web"], programs

    station.proc.send_signal(signal.SIGINT)
    assert station.proc.wait(20) == 0
    wait_for(lambda: not children_of(settings.data_dir), 10, "children to exit")
    for port in (settings.http_port, settings.icecast_port):
        assert not port_open(port), f"port {port} still bound after stop"


def test_a_second_station_on_the_same_data_folder_is_refused(
    station: Running, settings: Settings, station_env: dict[str, str]
) -> None:
    socket_before = settings.control_socket.stat().st_ino
    env = dict(
        station_env,
        RADIO_HTTP_PORT=str(free_port()),
        RADIO_ICECAST_PORT=str(free_port()),
        RADIO_HARBOR_PORT=str(free_port()),
    )
    second = radio(["run"], env)
    assert second.returncode == 1
    assert f"is already running on the data folder {settings.data_dir}" in second.stderr
    assert f"pid {station.proc.pid}" in second.stderr
    assert "Traceback" not in second.stderr
    assert settings.control_socket.stat().st_ino == socket_before, "the socket was replaced"
    assert get_json(f"{station.site}/healthz")["status"] == "ok"


def test_killed_liquidsoap_is_restarted(station: Running, settings: Settings) -> None:
    def liquidsoap_pid() -> int | None:
        for pid in children_of(settings.data_dir):
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"liquidsoap" in cmd.split(b"\0")[0]:
                return pid
        return None

    first = wait_for(liquidsoap_pid, 5, "liquidsoap")
    os.kill(first, signal.SIGKILL)
    killed_at = time.monotonic()
    wait_for(lambda: (p := liquidsoap_pid()) and p != first, 10, "a new liquidsoap")

    def audible() -> bool:
        return rms_dbfs(decode(f"{station.icecast}/stream.mp3", 1.5)) > -40

    wait_for(audible, 20, "audio after the restart", every=0.5)
    assert time.monotonic() - killed_at < 25
    assert "liquidsoap exited" in station.log.read_text()


def test_restarted_icecast_gets_the_stream_back(station: Running, settings: Settings) -> None:
    icecast = next(
        pid for pid in children_of_pid(station.proc.pid) if program_of(pid) == "icecast2"
    )
    os.kill(icecast, signal.SIGKILL)
    wait_for(lambda: port_open(settings.icecast_port), 10, "Icecast to be restarted")

    def audible() -> bool:
        return rms_dbfs(decode(f"{station.icecast}/stream.mp3", 1.5)) > -40

    wait_for(audible, 20, "Liquidsoap to reconnect and listeners to hear it", every=0.5)


def test_empty_rotation_plays_the_emergency_file(
    settings: Settings, station_env: dict[str, str], tmp_path: Path
) -> None:
    empty = tmp_path / "playlists"
    empty.mkdir()
    (empty / "rotation.m3u8").write_text("#EXTM3U\n")
    (empty / "jingles.m3u8").write_text("#EXTM3U\n")
    env = dict(station_env, RADIO_PLAYLISTS_DIR=str(empty))
    running = start_station(settings, env, tmp_path / "radio.log", on_air_ok=False)
    try:
        assert rms_dbfs(decode(f"{running.icecast}/stream.mp3", 3)) > -45
        now = wait_for(
            lambda: get_json(f"{running.site}/api/v1/now")["on_air"], 10, "an on-air item"
        )
        assert now["source"] == "emergency"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{running.site}/healthz", timeout=5)
        assert refused.value.code == 503
        health = json.loads(refused.value.read())
        assert health["status"] == "degraded"
        assert health["reason"].startswith("the emergency file is on air")
    finally:
        running.proc.send_signal(signal.SIGTERM)
        running.proc.wait(20)


def radio(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RADIO, *args], env=env, capture_output=True, text=True, timeout=120)


def test_uploaded_episodes_air_in_their_slots_through_a_scheduler_restart(
    station: Running, settings: Settings, station_env: dict[str, str], tmp_path: Path
) -> None:
    tz = settings.tz
    first = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=25)
    grid = ""
    for k, (slug, freq) in enumerate((("morning-tones", 440), ("evening-tones", 660))):
        at = (first + timedelta(seconds=8 * k)).astimezone(tz)
        grid += (
            f'[[show]]\nslug = "{slug}"\ntitle = "{slug.title()}"\nkind = "prerecorded"\n\n'
            f'[[show.slot]]\nid = "once"\nrepeat = "once"\ndate = {at.date()}\n'
            f'start = "{at:%H:%M:%S}"\nduration = "8s"\n\n'
        )
        audio = tmp_path / f"{slug}.flac"
        subprocess.run(
            [
                require("ffmpeg"),
                "-v",
                "error",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency={freq}:duration=12",
                str(audio),
            ],
            check=True,
        )
    (tmp_path / "grid.toml").write_text(grid)
    result = radio(["grid", "import", str(tmp_path / "grid.toml")], station_env)
    assert result.returncode == 0, result.stderr
    for k, slug in enumerate(("morning-tones", "evening-tones")):
        day = (first + timedelta(seconds=8 * k)).astimezone(tz).date()
        result = radio(
            [
                "media",
                "import",
                str(tmp_path / f"{slug}.flac"),
                "--show",
                slug,
                "--occurrence",
                f"{slug}.once.{day}",
            ],
            station_env,
        )
        assert result.returncode == 0, result.stderr
    assert datetime.now(UTC) < first - timedelta(seconds=3), "set-up took too long"

    scheduler = next(
        pid
        for pid in children_of_pid(station.proc.pid)
        if b"scheduler" in Path(f"/proc/{pid}/cmdline").read_bytes()
    )
    wait_for(lambda: datetime.now(UTC) >= first + timedelta(seconds=3), 40, "the first slot")
    sources = get_json(f"{station.icecast}/status-json.xsl")["icestats"]["source"]
    titles = [html.unescape(s.get("title", "")) for s in sources]
    # An untagged file's episode is named by the show and its date (not the file name).
    day = first.astimezone(tz)
    title = f"Morning-Tones — Morning-Tones, {day.day} {day:%B %Y}"
    assert titles == [title] * 2, "players show the show's name"
    os.kill(scheduler, signal.SIGKILL)  # mid-episode
    assert rms_dbfs(decode(f"{station.icecast}/stream.mp3", 2)) > -40, "the stream stopped"
    wait_for(lambda: datetime.now(UTC) >= first + timedelta(seconds=17), 30, "both slots")
    wait_for(
        lambda: get_json(f"{station.site}/healthz")["scheduler"] == "up",
        15,
        "the scheduler to be back",
    )

    today = datetime.now(tz).date()
    result = radio(
        [
            "asrun",
            "export",
            "--from",
            str(today - timedelta(days=1)),
            "--to",
            str(today + timedelta(days=2)),
            "--csv",
        ],
        station_env,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    aired = [r for r in rows if r["source"] == "scheduled"]
    assert [r["show"] for r in aired] == ["morning-tones", "evening-tones"], rows
    for k, row in enumerate(aired):
        started = datetime.fromisoformat(row["started_at"].replace("Z", "+00:00"))
        error = (started - (first + timedelta(seconds=8 * k))).total_seconds()
        assert abs(error) < 0.1, f"{row['show']} started {error * 1000:.0f} ms off"
        assert row["status"] == "episode" and row["media_id"]
        assert 7.5 < float(row["duration_s"]) < 8.5, "not cut at the slot's end"


def program_of(pid: int) -> str:
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")
    if "-m" not in argv:
        return argv[0].rsplit("/", 1)[-1]
    words = [w for w in argv[argv.index("-m") + 1 :] if w and not w.startswith("-")]
    return words[-1]  # "python -m radio scheduler" is the scheduler, "-m web" the site


def children_of_pid(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry.name))
    return found
