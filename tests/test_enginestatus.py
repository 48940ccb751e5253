"""What the scheduler publishes of the engine for the site: written when it changes, believed
while fresh, and read back as the site's on-air item and ``/healthz``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from radio.clock import Clock
from radio.db import Database
from radio.enginestatus import (
    HEALTH,
    ON_AIR,
    STOPPED,
    EngineStatus,
    PublishedHealth,
    PublishedOnAir,
    StatusPublisher,
    health_body,
    on_air_body,
)
from radio.health import HealthReport
from radio.onair import describe
from radio.playout.liquidsoap import OnAir
from radio.playout.livemounts import STALE_AFTER

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TICK = timedelta(seconds=0.25)
SONG = OnAir(
    source="rotation",
    title="Blue Tune",
    artist="Ada",
    filename="/media/blue.mp3",
    started_at=T0.timestamp(),
    metadata={"title": "Blue Tune", "radio_source": "rotation", "liq_cue_out": "180."},
    rotation_files=12,
)


class Counting(EngineStatus):
    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.writes = 0

    def write(self, name: str, body: str, now: datetime) -> None:
        self.writes += 1
        super().write(name, body, now)

    def mark_checked(self, name: str, now: datetime) -> None:
        self.writes += 1
        super().mark_checked(name, now)


@pytest.fixture
def status(tmp_path: Path) -> Counting:
    db = Database(f"sqlite:///{tmp_path / 'radio.sqlite3'}")
    db.migrate()
    return Counting(db)


def at(moment: list[datetime]) -> Clock:
    return lambda: moment[0]


def test_a_steady_report_costs_a_write_every_few_seconds(status: Counting) -> None:
    body = ['{"title": "one"}']
    publisher = StatusPublisher(ON_AIR, lambda: body[0], status)
    now = T0
    for _ in range(80):  # 20 s of ticks, nothing changes
        publisher.publish(now)
        now += TICK
    assert status.writes == 1 + 3, "written more than marked every 5 s"
    body[0] = '{"title": "two"}'
    publisher.publish(now)
    assert status.writes == 5, "a change waits for nothing"
    found = status.read(ON_AIR)
    assert found is not None and found.body == body[0] and found.checked_at == now


def test_the_site_reads_what_is_on_air_until_it_is_stale(status: Counting) -> None:
    publisher = StatusPublisher(ON_AIR, lambda: on_air_json(SONG), status)
    publisher.publish(T0)
    moment = [T0 + timedelta(seconds=3)]
    site = PublishedOnAir(status, clock=at(moment))
    assert site.on_air() == SONG
    moment[0] = T0 + STALE_AFTER + TICK
    assert site.on_air() is None
    assert describe("Radio", site.on_air())["on_air"] is None  # no stale title


def test_health_is_the_published_report_with_the_sites_own_parts(status: Counting) -> None:
    report = HealthReport(True, True, True, {"mounts_missing": [], "on_air": "rotation"}, [])
    status.write(HEALTH, health_json(report), T0)
    moment = [T0 + timedelta(seconds=1)]
    backup = {"ok": True, "message": "done"}
    site = PublishedHealth(status, backup=lambda: dict(backup), clock=at(moment))
    answer = site.check(max_age_s=0).as_dict()
    assert answer["status"] == "ok" and answer["database"] == "up"
    assert (answer["liquidsoap"], answer["icecast"], answer["scheduler"]) == ("up",) * 3
    assert answer["on_air"] == "rotation" and answer["backup"] == backup

    moment[0] = T0 + STALE_AFTER
    stale = site.check(max_age_s=0)
    assert stale.reasons == [STOPPED]
    assert not (stale.liquidsoap or stale.icecast or stale.scheduler)
    assert stale.details["mounts_missing"] == ["/stream.mp3", "/stream.ogg"]


def test_nothing_published_means_the_scheduler_has_stopped(status: Counting) -> None:
    report = PublishedHealth(status).check(max_age_s=0)
    assert report.as_dict()["reason"] == STOPPED
    assert STOPPED.startswith("the scheduler has stopped (its heartbeat is stale)")


def on_air_json(found: OnAir) -> str:
    class Client:
        def on_air(self) -> OnAir:
            return found

    return on_air_body(Client())  # type: ignore[arg-type]


def health_json(report: HealthReport) -> str:
    class Monitor:
        def engine(self) -> HealthReport:
            return report

    return health_body(Monitor())  # type: ignore[arg-type]
