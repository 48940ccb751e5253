"""``radio run``: the station in the foreground, supervised.

Start order: programs → data folder and its lock → what an earlier, killed run left running
is ended → ports → ``radio init`` (database, secrets, station audio, demo seed, playlists and
the programs' configurations; see :mod:`radio.prepare`) → Icecast → Liquidsoap → scheduler →
web server. Stop order is the reverse, always (``finally``).

This process imports only what supervising needs (no database code, no Flask, no numpy): it
is the one process that must never fall over, and it stays small.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import IO

from radio.config import Settings
from radio.datadir import prepare_data_dir
from radio.errors import ConfigError
from radio.playout.icecast import icecast_child, icecast_location
from radio.playout.liquidsoap import LiquidsoapClient
from radio.playout.playout import EVENT_PREFIX
from radio.processes import die_with_parent, end_orphan
from radio.supervisor import Child, Inbox, Supervisor

log = logging.getLogger(__name__)

REQUIRED_PROGRAMS = ("liquidsoap", "icecast2", "ffmpeg", "ffprobe", "espeak-ng")
#: The supervised children, in start order.
CHILDREN = ("icecast", "liquidsoap", "scheduler", "web")
#: Liquidsoap's scheduling priority: it gets the CPU first, so the station keeps time on a
#: busy machine (applied when the station may raise priorities, e.g. as root).
LIQUIDSOAP_NICE = -10


def check_programs() -> None:
    """Refuse to start, in one sentence, when a program the station runs is missing."""
    missing = [p for p in REQUIRED_PROGRAMS if shutil.which(p) is None]
    if missing:
        raise ConfigError(
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed; "
            "run 'make run' (it installs them) or apt-get install them."
        )


def check_ports(settings: Settings) -> None:
    """Refuse to start, in one sentence, when a port the station listens on is taken."""
    for key, host in (
        ("http_port", settings.http_host),
        ("icecast_port", settings.icecast_host),
        ("harbor_port", settings.harbor_host),
    ):
        port = getattr(settings, key)
        if not port_is_free(host, port):
            name = "RADIO_" + key.upper()
            raise ConfigError(
                f"Port {port} on {host} ({key}) is already in use; stop what is using it "
                f"or choose another port with {name}."
            )


def end_orphans(settings: Settings) -> None:
    """End the children an earlier run of this data folder left running (it was killed
    before they could stop, or ran an older version). Only while holding the lock."""
    for name in CHILDREN:
        end_orphan(pid_file(settings, name))


def pid_file(settings: Settings, child: str) -> Path:
    return settings.data_dir / "run" / f"{child}.pid"


def lock_data_dir(settings: Settings) -> IO[str]:
    """Hold the data folder for this station; refuse when another station runs on it.

    Two stations on one folder would overwrite each other's control socket and scripts. The
    lock goes with the process (also when it is killed); keep the returned file open.
    """
    path = settings.data_dir / "run" / "station.lock"
    fp = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(fp, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fp.seek(0)
        holder = fp.read().strip() or "unknown"
        fp.close()
        raise ConfigError(
            f"Another station (pid {holder}) is already running on the data folder "
            f"{settings.data_dir}; stop it first, or set RADIO_DATA_DIR to another folder."
        ) from None
    fp.seek(0)
    fp.truncate()
    fp.write(str(os.getpid()))
    fp.flush()
    return fp


def _wait_port(child: Child, host: str, port: int, timeout_s: float) -> None:
    """Wait until ``child`` listens on ``port`` (or exits, or ``timeout_s`` passes)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and child.running:
        if not port_is_free(host, port):
            return
        time.sleep(0.05)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


class Station:
    """The running station: its programs, started in order and stopped in reverse order.

    This process only supervises: ``radio init`` (a process of its own, waited for) prepares
    the database and writes the programs' configurations; the scheduler and the site are
    processes with their own database connections.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.supervisor = Supervisor()
        self.liquidsoap = LiquidsoapClient(settings.control_socket, timeout=3.0)
        self._lock: IO[str] | None = None
        self._started = False

    def start(self) -> None:
        settings = self.settings
        prepare_data_dir(settings)
        self._lock = lock_data_dir(settings)
        end_orphans(settings)
        check_ports(settings)
        prepare(settings)
        self._started = True
        self.supervisor.start(
            icecast_child(
                icecast_location(settings.data_dir),
                pid_file=pid_file(settings, "icecast"),
                on_start=self._wait_icecast,
            )
        )
        settings.control_socket.unlink(missing_ok=True)
        events = Inbox("scheduler")
        self.supervisor.start(
            Child(
                "liquidsoap",
                ["liquidsoap", str(settings.data_dir / "run" / "station.liq")],
                on_start=self._wait_liquidsoap,
                on_line=lambda line: events.put(line) if EVENT_PREFIX in line else None,
                pid_file=pid_file(settings, "liquidsoap"),
                nice=LIQUIDSOAP_NICE,
            )
        )
        self.supervisor.start(
            Child(
                "scheduler",
                [sys.executable, "-m", "radio", "scheduler"],
                pid_file=pid_file(settings, "scheduler"),
                inbox=events,
            )
        )
        # The site is its own process: the engine never imports Flask.
        self.supervisor.start(
            Child(
                "web",
                [sys.executable, "-m", "web", "--migrated"],
                on_start=self._wait_web,
                pid_file=pid_file(settings, "web"),
            )
        )
        log.info(
            "%s is on air: http://%s:%d/stream.mp3 — site http://%s:%d/",
            settings.station_name,
            settings.icecast_host,
            settings.icecast_port,
            settings.http_host,
            settings.http_port,
        )

    def stop(self) -> None:
        self.liquidsoap.close()
        self.supervisor.stop()
        if self._lock is not None:
            self._lock.close()  # the data folder is free for the next start
            self._lock = None
        if self._started:  # not when a check refused the start
            log.info("station stopped")

    # -- parts ----------------------------------------------------------------------------

    def _wait_icecast(self, child: Child) -> None:
        _wait_port(child, self.settings.icecast_host, self.settings.icecast_port, 10)

    def _wait_liquidsoap(self, child: Child) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and child.running:
            if self.settings.control_socket.exists():
                self.liquidsoap.wait_ready(timeout=max(0.5, deadline - time.monotonic()))
                return
            time.sleep(0.05)

    def _wait_web(self, child: Child) -> None:
        _wait_port(child, self.settings.http_host, self.settings.http_port, 20)


def prepare(settings: Settings) -> None:
    """``radio init`` in a process of its own (it loads the database code; this one never
    does); its one-sentence refusal becomes this start's."""
    done = subprocess.run(
        [sys.executable, "-m", "radio", "init"],
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=die_with_parent(),
        check=False,
    )
    if done.returncode != 0:
        said = done.stderr.strip().splitlines()
        last = said[-1] if said else f"exit {done.returncode}"
        raise ConfigError(last.removeprefix("radio: "))


def run_station(settings: Settings) -> int:
    """Run until SIGINT or SIGTERM; every child is stopped before returning."""
    stop = threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s; stopping", signal.Signals(signum).name)
        stop.set()

    check_programs()
    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    station = Station(settings)
    try:
        station.start()
        while not stop.wait(1.0):
            pass
    finally:
        station.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
