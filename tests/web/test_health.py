"""``/healthz``: 503 naming what is down, 200 once every part answers."""

from __future__ import annotations

import os
import time

from radio.bootstrap import build_services
from radio.config import Settings
from web import create_app


def test_healthz_is_503_naming_what_is_down(settings: Settings) -> None:
    app = create_app(settings)
    reply = app.test_client().get("/healthz")
    assert reply.status_code == 503
    body = reply.get_json()
    assert body["status"] == "degraded"
    # Nothing is running in this test: no Liquidsoap, no Icecast, no scheduler heartbeat.
    assert (body["liquidsoap"], body["icecast"], body["scheduler"]) == ("down",) * 3
    assert body["mounts_missing"] == ["/stream.mp3", "/stream.ogg"]
    assert reply.headers["Cache-Control"] == "no-store"


def test_the_scheduler_is_up_while_its_heartbeat_is_fresh(settings: Settings) -> None:
    services = build_services(settings)
    beat = settings.scheduler_heartbeat
    beat.touch()
    assert services.health.engine().scheduler
    stale = time.time() - 30
    os.utime(beat, (stale, stale))
    assert not services.health.engine().scheduler
