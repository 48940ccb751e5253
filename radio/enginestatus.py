"""What the engine reports, kept in the database for the site: what is on air, and its health.

Only the scheduler process, on the engine's machine, asks Liquidsoap (its control socket),
Icecast, the HLS files and the off-air logger. It publishes what it found in the table
``engine_status``, one row per report (``on_air``, ``health``), each a JSON document: a
:class:`StatusPublisher` writes a row only when its document changed, and otherwise marks it
checked every few seconds (:data:`~radio.playout.livemounts.CHECKED_EVERY`), as the live
mounts are published (:mod:`radio.playout.livemounts`). A site process, on this machine or
another, reads the rows: :class:`PublishedOnAir` for what is on air, :class:`PublishedHealth`
for ``/healthz``. A row not checked for :data:`~radio.playout.livemounts.STALE_AFTER` is not
believed: nothing specific is on air, and the scheduler has stopped.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from radio.clock import Clock, system_clock
from radio.db import UNREACHABLE, Base, Database, Outage, UTCDateTime
from radio.errors import LiquidsoapError
from radio.health import DATABASE_DOWN, MOUNTS, HealthDetails, HealthMonitor, HealthReport
from radio.jsontypes import JSON
from radio.playout.asrun import OpenIncident
from radio.playout.liquidsoap import LiquidsoapClient, OnAir
from radio.playout.livemounts import CHECKED_EVERY, STALE_AFTER

log = logging.getLogger(__name__)

ON_AIR = "on_air"
HEALTH = "health"
#: Why ``/healthz`` is degraded when the engine's health is not being published.
STOPPED = (
    "the scheduler has stopped (its heartbeat is stale): "
    "Liquidsoap and Icecast are not being checked"
)


class EngineStatusRow(Base):
    """One report of the engine, as the scheduler last published it."""

    __tablename__ = "engine_status"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: The report, a JSON document.
    body: Mapped[str] = mapped_column(Text)
    #: When the report last changed.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the scheduler last found it still true (the freshness marker).
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Published:
    body: str
    updated_at: datetime
    checked_at: datetime

    def current(self, now: datetime) -> bool:
        """Whether the scheduler confirmed the report recently enough to be believed."""
        return now - self.checked_at < STALE_AFTER


class EngineStatus:
    """The table ``engine_status``: written by the scheduler, read by the site."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def write(self, name: str, body: str, now: datetime) -> None:
        with self.db.write() as session:
            row = session.get(EngineStatusRow, name)
            if row is None:
                session.add(EngineStatusRow(name=name, body=body, updated_at=now, checked_at=now))
                return
            row.body, row.updated_at, row.checked_at = body, now, now

    def mark_checked(self, name: str, now: datetime) -> None:
        with self.db.write() as session:
            session.execute(
                update(EngineStatusRow).where(EngineStatusRow.name == name).values(checked_at=now)
            )

    def read(self, name: str) -> Published | None:
        with self.db.session() as session:
            row = session.get(EngineStatusRow, name)
            return Published(row.body, row.updated_at, row.checked_at) if row else None


class StatusPublisher:
    """Publishes the report ``name`` that ``make`` builds: written when it changed, else
    marked checked every :data:`CHECKED_EVERY`. A failed write is logged once and tried
    again next time; the row then goes stale, which the site reports as such."""

    def __init__(
        self,
        name: str,
        make: Callable[[], str],
        status: EngineStatus,
        outage: Outage | None = None,
    ) -> None:
        self.name = name
        self.make = make
        self.status = status
        #: Told when the database does not answer (said once for the whole process).
        self.outage = outage
        self._written: str | None = None
        self._checked_at: datetime | None = None
        self._failing = False

    def publish(self, now: datetime) -> None:
        body = self.make()
        try:
            if body != self._written:
                self.status.write(self.name, body, now)
                self._written = body
            elif self._checked_at is None or now - self._checked_at < CHECKED_EVERY:
                return
            else:
                self.status.mark_checked(self.name, now)
        except SQLAlchemyError as exc:
            if self.outage is not None and isinstance(exc, UNREACHABLE):
                self.outage.failed(exc)
            elif not self._failing:
                log.warning("cannot publish %s (%s); retrying", self.name.replace("_", " "), exc)
            self._failing = True
            self._written = None
            return
        self._checked_at = now
        if self._failing:
            log.info("%s is published again", self.name.replace("_", " "))
        self._failing = False


# -- what is on air ----------------------------------------------------------------------


def on_air_body(client: LiquidsoapClient) -> str:
    """What Liquidsoap reports on air, as the published document ("null": nothing known,
    Liquidsoap not answering included)."""
    try:
        found = client.on_air()
    except LiquidsoapError as exc:
        log.debug("cannot read what is on air: %s", exc)
        found = None
    if found is None:
        return "null"
    document = {
        "source": found.source,
        "title": found.title,
        "artist": found.artist,
        "filename": found.filename,
        "started_at": found.started_at,
        "metadata": dict(found.metadata),
        "rotation_files": found.rotation_files,
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


class PublishedOnAir:
    """What is on air as the scheduler published it; None when nothing is, or when the
    publication is stale (the site then says nothing specific is on air)."""

    def __init__(self, status: EngineStatus, clock: Clock = system_clock) -> None:
        self.status = status
        self.clock = clock

    def on_air(self) -> OnAir | None:
        found = self.status.read(ON_AIR)
        if found is None or not found.current(self.clock()):
            return None
        data = json.loads(found.body)
        if not isinstance(data, dict):
            return None
        return OnAir(
            source=str(data["source"]),
            title=str(data["title"]),
            artist=str(data["artist"]),
            filename=str(data["filename"]),
            started_at=data["started_at"],
            metadata={str(k): str(v) for k, v in data["metadata"].items()},
            rotation_files=data["rotation_files"],
        )


# -- health ------------------------------------------------------------------------------


def health_body(monitor: HealthMonitor) -> str:
    """The engine's parts as ``monitor`` finds them now, as the published document."""
    report = monitor.engine()
    document = {
        "liquidsoap": report.liquidsoap,
        "icecast": report.icecast,
        "scheduler": report.scheduler,
        "details": dict(report.details),
        "reasons": report.reasons,
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False)


class PublishedHealth:
    """``/healthz`` for a site process: the engine's health as the scheduler published it,
    with what the site reads itself (the database, open incidents, the last backup).

    A stale or missing publication means the scheduler has stopped: the engine's parts are
    then reported down, as not known to be up.
    """

    def __init__(
        self,
        status: EngineStatus,
        incidents: Callable[[], list[OpenIncident]] = list,
        backup: Callable[[], dict[str, JSON] | None] = lambda: None,
        clock: Clock = system_clock,
        database: Outage | None = None,
    ) -> None:
        self.status = status
        self.incidents = incidents
        self.backup = backup
        self.clock = clock
        #: Told when the database stops answering and when it answers again.
        self.database = database
        self._cached: tuple[float, HealthReport] | None = None
        #: The engine's parts as last read: while the database does not answer, the
        #: scheduler cannot publish and the site cannot read, so they stand as last known.
        self._engine_seen: HealthReport | None = None

    def check(self, max_age_s: float = 1.0) -> HealthReport:
        if self._cached and time.monotonic() - self._cached[0] < max_age_s:
            return self._cached[1]
        try:
            found = self.status.read(HEALTH)
            report = self._engine(found)
            self._engine_seen = dataclasses.replace(
                report, details=HealthDetails(**report.details), reasons=list(report.reasons)
            )
            incidents = self.incidents()
        except SQLAlchemyError as exc:
            if self.database is not None and isinstance(exc, UNREACHABLE):
                self.database.failed(exc)
            else:
                log.warning("cannot read the station's health from the database: %s", exc)
            seen = self._engine_seen
            report = (
                HealthReport(False, False, False, {"mounts_missing": list(MOUNTS)})
                if seen is None
                else dataclasses.replace(
                    seen, details=HealthDetails(**seen.details), reasons=list(seen.reasons)
                )
            )
            report.database = False
            report.reasons.append(DATABASE_DOWN)
            incidents = []
        else:
            if self.database is not None:
                self.database.answered()
        if incidents:
            report.details["incidents"] = incidents
        backup = self.backup()
        if backup is not None:
            report.details["backup"] = backup
        self._cached = (time.monotonic(), report)
        return report

    def _engine(self, found: Published | None) -> HealthReport:
        if found is None or not found.current(self.clock()):
            return _unknown(STOPPED)
        data: dict[str, Any] = json.loads(found.body)
        details: HealthDetails = data["details"]
        return HealthReport(
            bool(data["liquidsoap"]),
            bool(data["icecast"]),
            bool(data["scheduler"]),
            details,
            list(data["reasons"]),
        )


def _unknown(reason: str) -> HealthReport:
    return HealthReport(False, False, False, {"mounts_missing": list(MOUNTS)}, [reason])
