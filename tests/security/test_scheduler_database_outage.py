"""Probe: PostgreSQL stops under a running station, then comes back.

The probe runs ``radio run`` (Icecast, Liquidsoap, the scheduler, the site) on a real
PostgreSQL. Just before the server is stopped, two live slots are put on the grid: one on now
(its key window opens on Liquidsoap at once: the scheduler has read the grid) and one whose
window opens 15 s later, well into the outage. What must hold while the database is down:

* the stream plays on (decoded audio on the MP3 mount) and no process dies or restarts;
* the scheduler airs from the plan it last read: the second slot's window opens on time on
  Liquidsoap (its presenter could connect), though the database cannot be read;
* ``/healthz`` says the database is down in one sentence, the scheduler still up;
* the log says it once per process, without a traceback (it used to print one for every
  job, four times a second: 27,000 lines in 20 s).

Then the server starts again and, without restarting anything, the scheduler reads the grid
again (a slot removed after the recovery closes its window on Liquidsoap) and ``/healthz``
is "ok".
"""

from __future__ import annotations

import dataclasses
import io
import json
import signal
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from radio.bootstrap import build_services
from radio.config import Settings
from radio.health import DATABASE_DOWN
from radio.playout.liquidsoap import LiquidsoapClient, LiquidsoapPlayout
from tests.pg import PostgresServer
from tests.playout.rig import once_slot
from tests.support import decode, rms_dbfs, wait_for
from tests.test_station import Running, children_of_pid, program_of, start_station

pytestmark = pytest.mark.stack


def health(site: str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(f"{site}/healthz", timeout=5) as reply:
            return dict(json.loads(reply.read()))
    except urllib.error.HTTPError as exc:
        return dict(json.loads(exc.read()))


def live_slot(start: datetime, settings: Settings, now_on: datetime | None = None) -> io.StringIO:
    """A grid with a live show's ten-minute slot at ``start``; with ``now_on``, another live
    show's slot from 5 s before it to 5 s after."""
    toml = once_slot("night-live", "live", start, 600, settings)
    if now_on is not None:
        toml += once_slot("early-live", "live", now_on - timedelta(seconds=5), 10, settings)
    return io.StringIO(toml)


def scheduler_pids(running: Running) -> list[int]:
    return [p for p in children_of_pid(running.proc.pid) if program_of(p) == "scheduler"]


def said(log: str, process: str, words: str) -> list[str]:
    """The lines of ``log`` that ``process`` (``scheduler``, ``web``) wrote with ``words``."""
    return [line for line in log.splitlines() if f" radio.{process}: " in line and words in line]


def test_the_station_plays_on_while_postgresql_is_down_and_recovers_by_itself(
    settings: Settings, station_env: dict[str, str], tmp_path: Path, postgres: PostgresServer
) -> None:
    settings = dataclasses.replace(settings, database_url=postgres.new_database())
    services = build_services(settings)
    # A grid of its own, so the demo's (and the making of its episodes) stays out of the way.
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    services.grid.import_grid(live_slot(tomorrow, settings), "probe.toml")
    env = {**station_env, "RADIO_DATABASE_URL": settings.database_url}
    running = start_station(settings, env, tmp_path / "radio.log", on_air_ok=False)
    playout = LiquidsoapPlayout(LiquidsoapClient(settings.control_socket, timeout=3.0))
    try:
        scheduler = scheduler_pids(running)
        assert len(scheduler) == 1
        # A slot's key works from lead before it: the night slot's opens 15 s from now.
        now = datetime.now(UTC).replace(microsecond=0)
        start = now + timedelta(minutes=settings.live_key_lead_min, seconds=15)
        services.grid.import_grid(live_slot(start, settings, now_on=now), "probe.toml")
        wait_for(
            lambda: playout.live_state("live").occurrence.startswith("early-live."),
            10, "the scheduler to read the new grid",
        )  # fmt: skip
        before = len(running.log.read_text())
        postgres.stop()
        assert datetime.now(UTC) < now + timedelta(seconds=12), "too slow to probe the plan"
        try:
            wait_for(
                lambda: playout.live_state("live").start == start.timestamp(),
                30, "the live window to open from the plan last read",
            )  # fmt: skip
            report = health(running.site)
            assert (report["database"], report["scheduler"]) == ("down", "up"), report
            assert report["status"] == "degraded" and report["reason"] == DATABASE_DOWN
            audio = decode(f"{running.icecast}/stream.mp3", 4)
            assert len(audio) > 8000 * 3 and rms_dbfs(audio) > -40, "the stream went silent"
            assert running.proc.poll() is None and scheduler_pids(running) == scheduler
            outage = running.log.read_text()[before:]
        finally:
            postgres.start()
        for process in ("scheduler", "web"):
            assert len(said(outage, process, "is not answering")) == 1, outage[-3000:]
        assert "Traceback" not in outage and "raised an exception" not in outage, outage[-3000:]
        # Back without a restart: the scheduler reads the grid again.
        services.grid.import_grid(live_slot(tomorrow, settings), "probe.toml")
        wait_for(lambda: not playout.live_state("live").open, 20, "the window to close")
        wait_for(lambda: health(running.site)["status"] == "ok", 20, "/healthz to say ok")
        assert said(running.log.read_text(), "scheduler", "answers again")
        assert scheduler_pids(running) == scheduler
    finally:
        playout.client.close()
        services.db.dispose()
        running.proc.send_signal(signal.SIGTERM)
        running.proc.wait(30)
