"""Probe: does anything of the station outlive a `kill -9`?

`radio run` is killed with SIGKILL, so it cannot stop its children. What must hold: within a
few seconds no process it started is left (Icecast, Liquidsoap, the scheduler, the site, any
ffmpeg), its ports are free, and `radio run` on the same data folder comes up again. ffmpeg
started by a command-line import that is killed goes with it too, even while paused (the
analysis pauses an ffmpeg that runs far ahead of it). And an Icecast left
running from an earlier start (pid file in `run/icecast.pid`) is ended by the next start,
which then goes on, rather than stopping on "Port … is already in use".
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from radio.config import Settings
from radio.credentials import load_or_create
from radio.prepare import write_icecast
from radio.processes import die_with_parent, start_time, write_pid_file
from tests.support import port_open, require, wait_for
from tests.test_station import RADIO, Running, program_of, start_station

pytestmark = pytest.mark.stack


def descendants(root: int) -> dict[int, str]:
    """Every living process under ``root``: pid → program."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: dict[int, str] = {}
    todo = [root]
    while todo:
        parent = todo.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in found:
                try:
                    found[pid] = program_of(pid)
                except (OSError, IndexError):
                    continue
                todo.append(pid)
    return found


def alive(pids: dict[int, int | None]) -> list[int]:
    """Those of ``pids`` (pid → start time) still running (a zombie has ended)."""
    return [pid for pid, started in pids.items() if started and start_time(pid) == started]


def end_all(pids: dict[int, int | None]) -> None:
    """Clean up after a failed probe: kill what it found left over (by pid)."""
    for pid in alive(pids):
        os.kill(pid, signal.SIGKILL)


@pytest.fixture
def killed_later() -> Iterator[dict[int, int | None]]:
    """Processes of the probe, killed at the end whatever happens."""
    pids: dict[int, int | None] = {}
    yield pids
    end_all(pids)


def kill_station(station: Running, pids: dict[int, int | None]) -> dict[int, str]:
    """SIGKILL ``radio run``; what it had started, by pid."""
    children = descendants(station.proc.pid)
    pids.update({pid: start_time(pid) for pid in children})
    station.proc.send_signal(signal.SIGKILL)
    station.proc.wait(10)
    return children


def test_a_killed_station_leaves_nothing_behind_and_starts_again(
    settings: Settings,
    station_env: dict[str, str],
    tmp_path: Path,
    killed_later: dict[int, int | None],
) -> None:
    station = start_station(settings, station_env, tmp_path / "first.log")
    children = kill_station(station, killed_later)
    assert {"icecast2", "liquidsoap", "scheduler", "web"} <= set(children.values()), children

    left = dict(killed_later)
    try:
        wait_for(lambda: not alive(left), 10, "the station's processes to end")
    except AssertionError:
        raise AssertionError(
            f"still running 10 s after kill -9: {[children[p] for p in alive(left)]}"
        ) from None
    ports = (settings.http_port, settings.icecast_port, settings.harbor_port)
    wait_for(lambda: not any(port_open(p) for p in ports), 5, "the ports to be free")

    again = start_station(settings, station_env, tmp_path / "second.log")
    try:
        killed_later.update({pid: start_time(pid) for pid in descendants(again.proc.pid)})
        assert "already in use" not in again.log.read_text()
    finally:
        again.proc.send_signal(signal.SIGTERM)
        again.proc.wait(30)


def long_recording(path: Path) -> Path:
    """An hour of noise at 8 kHz: analysing it keeps ffmpeg busy for a few seconds."""
    subprocess.run(
        [require("ffmpeg"), "-nostdin", "-v", "error", "-f", "lavfi", "-i",
         "anoisesrc=d=3600:r=8000:a=0.3", "-c:a", "pcm_s16le", str(path)],
        check=True, timeout=120,
    )  # fmt: skip
    return path


def test_ffmpeg_goes_with_a_killed_import(
    station_env: dict[str, str], tmp_path: Path, killed_later: dict[int, int | None]
) -> None:
    audio = long_recording(tmp_path / "hours.wav")
    assert subprocess.run([RADIO, "init"], env=station_env, timeout=120).returncode == 0
    cli = subprocess.Popen(
        [RADIO, "media", "import", str(audio)],
        env=station_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ffmpeg = wait_for(
            lambda: [p for p, name in descendants(cli.pid).items() if name == "ffmpeg"],
            60,
            "the import's ffmpeg",
            every=0.05,
        )
        killed_later.update({pid: start_time(pid) for pid in ffmpeg})
        # Paused, as the analysis pauses an ffmpeg that runs far ahead of it: a paused
        # program does not finish on its own, and only SIGKILL ends it.
        for pid in ffmpeg:
            os.kill(pid, signal.SIGSTOP)
        cli.send_signal(signal.SIGKILL)
    finally:
        cli.wait(10)
    left = dict(killed_later)
    wait_for(lambda: not alive(left), 5, "ffmpeg to end with the import")


def test_an_icecast_left_from_an_earlier_start_is_ended(
    settings: Settings,
    station_env: dict[str, str],
    tmp_path: Path,
    killed_later: dict[int, int | None],
) -> None:
    assert subprocess.run([RADIO, "init"], env=station_env, timeout=120).returncode == 0
    credentials = load_or_create(settings.data_dir)
    config = write_icecast(settings, credentials)
    # As an older version or a lost supervisor would have left it: running, in a session
    # of its own, with its pid file in the data folder.
    orphan = subprocess.Popen(
        [require("icecast2"), "-c", str(config.path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=die_with_parent(signal.SIGKILL, config.run_as),
    )
    killed_later[orphan.pid] = start_time(orphan.pid)
    write_pid_file(settings.data_dir / "run" / "icecast.pid", orphan.pid)
    wait_for(lambda: port_open(settings.icecast_port), 10, "the orphan Icecast to listen")

    station = start_station(settings, station_env, tmp_path / "radio.log")
    try:
        killed_later.update({pid: start_time(pid) for pid in descendants(station.proc.pid)})
        assert orphan.poll() is not None, "the orphan Icecast still runs"
        log = station.log.read_text()
        assert f"(pid {orphan.pid}), left running by an earlier start" in log
        assert "icecast2" in descendants(station.proc.pid).values()
    finally:
        station.proc.send_signal(signal.SIGTERM)
        station.proc.wait(30)
