"""``/healthz`` names the program that is really down.

The mounts on Icecast exist only while Liquidsoap streams to them, so when Liquidsoap died
the report used to say "icecast: down". The probe runs real Icecast and Liquidsoap (with no
supervisor, so nothing restarts them behind its back) and asks the site's ``/healthz``, the
engine's health published each time as the scheduler's job publishes it:
with Liquidsoap killed, Liquidsoap is down and Icecast up, the mounts missing with the reason;
with Liquidsoap back and Icecast killed, Icecast is down and Liquidsoap up.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from radio.bootstrap import build_services
from radio.config import Settings
from radio.credentials import load_or_create
from radio.jobs import engine_publishers
from radio.playout.icecast import write_icecast_config
from radio.prepare import render_playlists, write_liquidsoap_script
from radio.processes import RunAs, die_with_parent
from tests.support import require, wait_for
from web import create_app

pytestmark = pytest.mark.stack


@contextmanager
def running(argv: list[str], run_as: RunAs | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """``argv`` started as the station starts it (Icecast as its own user, when root)."""
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=die_with_parent(run_as=run_as),
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)


def test_healthz_names_liquidsoap_or_icecast_as_down(settings: Settings) -> None:
    services = build_services(settings)
    credentials = load_or_create(settings.data_dir)
    render_playlists(settings, services.db)
    icecast_config = write_icecast_config(
        settings.data_dir,
        bind="127.0.0.1",
        port=settings.icecast_port,
        source_password=credentials.icecast_source_password,
        admin_password=credentials.icecast_admin_password,
        station_name="Probe",
    )
    icecast_argv = [require("icecast2"), "-c", str(icecast_config.path)]
    liquidsoap_argv = [require("liquidsoap"), str(write_liquidsoap_script(settings, credentials))]
    app = create_app(settings, services)
    site = app.test_client()
    publisher = engine_publishers(services).health

    def healthz() -> tuple[int, dict[str, Any]]:
        settings.scheduler_heartbeat.touch()  # the scheduler is not what is probed here
        publisher.publish(datetime.now(UTC))  # its health job, run here
        reply = site.get("/healthz")
        return reply.status_code, reply.get_json()

    def parts(body: dict[str, Any]) -> tuple[str, str]:
        return body["liquidsoap"], body["icecast"]

    try:
        with (
            running(icecast_argv, icecast_config.run_as) as icecast,
            running(liquidsoap_argv) as liquidsoap,
        ):
            wait_for(lambda: healthz()[1]["status"] == "ok", 40, "the station to be healthy")

            liquidsoap.send_signal(signal.SIGKILL)
            liquidsoap.wait(10)
            status, body = wait_for(
                lambda: (h := healthz()) and parts(h[1]) != ("up", "up") and h,
                10,
                "/healthz to notice",
            )
            assert status == 503
            assert parts(body) == ("down", "up"), body
            assert body["mounts_missing"] == ["/stream.mp3", "/stream.ogg"]
            assert body["reason"] == (
                "Liquidsoap is not answering on its control socket; /stream.mp3, /stream.ogg "
                "missing: Liquidsoap feeds them, which is down"
            )

            with running(liquidsoap_argv):
                wait_for(lambda: healthz()[1]["status"] == "ok", 40, "Liquidsoap to be back")
                icecast.send_signal(signal.SIGKILL)
                icecast.wait(10)
                status, body = wait_for(
                    lambda: (h := healthz()) and parts(h[1]) != ("up", "up") and h,
                    10,
                    "/healthz to notice",
                )
                assert status == 503
                assert parts(body) == ("up", "down"), body
                assert body["reason"] == "Icecast is not answering"
    finally:
        services.liquidsoap.close()
        services.db.dispose()
