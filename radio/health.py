"""Station health: each part answering, both mounts carried, and what the listeners hear.

The engine's side is checked where the engine runs: the scheduler process runs
:class:`HealthMonitor` and publishes its report in the database, and the site's ``/healthz``
reads it from there (:class:`radio.enginestatus.PublishedHealth`).

Each program is judged on its own: Icecast is up when it answers its status page, Liquidsoap
when it answers its control socket, the database when it answers a read (the station plays on
without it: the scheduler airs from the plan it last read). The mounts come from Liquidsoap,
so a missing mount is reported on its own (``mounts_missing``) with the reason, not as
Icecast being down. The station is also degraded, though every part answers, while the
emergency file or an empty rotation (station IDs only) is on air: listeners are not hearing
the programme.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from radio.errors import LiquidsoapError
from radio.jsontypes import JSON
from radio.logger.files import LoggerStatus
from radio.playout.asrun import OpenIncident
from radio.playout.liquidsoap import LiquidsoapClient, OnAir

log = logging.getLogger(__name__)

MOUNTS = ("/stream.mp3", "/stream.ogg")


class HealthDetails(TypedDict, total=False):
    """What a health check found besides each part being up or down."""

    mounts_missing: list[str]
    #: The source on air (``scheduled``, ``rotation``, ``live``, ``emergency``).
    on_air: str
    #: How many files of the rotation's playlist can be played.
    rotation_files: int
    incidents: list[OpenIncident]
    #: How the last backup went (``radio backup`` or the nightly one); absent before the first.
    backup: dict[str, JSON]
    #: The off-air logger: its newest recording, gaps in the last day, days of disk room.
    logger: dict[str, JSON]
    #: What a person should look at, while the station is on air and well (a gap in the
    #: logger's last day, a logger disk too small to keep the retention period, a relay
    #: that does not answer or does not carry the mounts).
    warnings: list[str]


class HealthReason(TypedDict, total=False):
    #: Every reason the station is degraded, in one line; absent when all is well.
    reason: str


class HealthAnswer(HealthDetails, HealthReason):
    """``/healthz``'s document."""

    status: str
    liquidsoap: str
    icecast: str
    scheduler: str
    #: The database (where the scheduler publishes the rest for the site).
    database: str


#: The reason given while the database is not answering.
DATABASE_DOWN = (
    "the database is not answering (the station plays on from the schedule it last read; "
    "nothing can be saved)"
)


@dataclass
class HealthReport:
    liquidsoap: bool
    icecast: bool
    scheduler: bool
    details: HealthDetails = field(default_factory=HealthDetails)
    #: One sentence per thing that is wrong, most basic first; empty when all is well.
    reasons: list[str] = field(default_factory=list)
    database: bool = True

    @property
    def warnings(self) -> list[str]:
        """Sentences for a person to look at that leave the station "ok"."""
        return list(self.details.get("warnings", []))

    @property
    def ok(self) -> bool:
        return not self.reasons

    def as_dict(self) -> HealthAnswer:
        reason: HealthReason = {"reason": "; ".join(self.reasons)} if self.reasons else {}
        return {
            "status": "ok" if self.ok else "degraded",
            "liquidsoap": "up" if self.liquidsoap else "down",
            "icecast": "up" if self.icecast else "down",
            "scheduler": "up" if self.scheduler else "down",
            "database": "up" if self.database else "down",
            **self.details,
            **reason,
        }


def icecast_mounts(host: str, port: int, timeout: float = 2.0) -> dict[str, JSON]:
    """Mounts Icecast is serving (from ``/status-json.xsl``), keyed by mount path."""
    url = f"http://{host}:{port}/status-json.xsl"
    with urllib.request.urlopen(url, timeout=timeout) as reply:
        data = json.loads(reply.read().decode("utf-8", errors="replace"))
    stats = data.get("icestats") if isinstance(data, dict) else None
    if not isinstance(stats, dict):
        raise ValueError("Icecast's status page is not Icecast's JSON")
    sources = stats.get("source", [])
    if isinstance(sources, dict):
        sources = [sources]
    mounts: dict[str, JSON] = {}
    for src in sources:
        url_ = str(src.get("listenurl", ""))
        mount = "/" + url_.rsplit("/", 1)[-1] if url_ else ""
        mounts[mount] = src
    return mounts


def on_air_problems(on_air: OnAir | None) -> list[str]:
    """Why what is on air is not the programme: the emergency file, an empty rotation."""
    if on_air is None:
        return []
    problems = []
    if on_air.source == "emergency":
        problems.append("the emergency file is on air")
    if on_air.source in ("emergency", "rotation") and on_air.rotation_files == 0:
        problems.append("the rotation is empty (no file of its playlist can be played)")
    return problems


def hls_problems(playlist: Path, max_age_s: float, now: float | None = None) -> list[str]:
    """Why the HLS stream is not being written: its playlist empty or old (none yet is a
    station starting up). The Icecast mounts do not depend on it."""
    try:
        found = playlist.stat()
    except FileNotFoundError:
        return []
    except OSError as exc:
        return [f"the HLS stream cannot be read ({exc.strerror})"]
    age = (time.time() if now is None else now) - found.st_mtime
    if found.st_size == 0 or age > max_age_s:
        return [
            f"the HLS stream is not being written (is the disk of {playlist.parent} full?); "
            "the Icecast mounts play on"
        ]
    return []


class HealthMonitor:
    """Checks the engine's parts on its machine (the scheduler publishes them for the site, see
    :class:`radio.enginestatus.PublishedHealth`); ``scheduler_alive`` is supplied by whoever
    runs the scheduler (the heartbeat file)."""

    def __init__(
        self,
        client: LiquidsoapClient,
        icecast_host: str,
        icecast_port: int,
        scheduler_alive: Callable[[], bool] = lambda: False,
        logger: Callable[[bool], LoggerStatus | None] = lambda up: None,
        hls_playlist: Path | None = None,
        hls_max_age_s: float = 20.0,
        relays: Callable[[], list[str]] = list,
    ) -> None:
        self.client = client
        self.icecast_host = icecast_host
        self.icecast_port = icecast_port
        self.scheduler_alive = scheduler_alive
        self.logger = logger
        self.hls_playlist = hls_playlist
        self.hls_max_age_s = hls_max_age_s
        #: What is wrong with the relays (warnings: the station's own Icecast serves on).
        self.relays = relays

    def engine(self) -> HealthReport:
        """What the scheduler publishes for the site: Liquidsoap, Icecast and the mounts,
        the scheduler's heartbeat, what is on air, the HLS stream and the logger."""
        reasons: list[str] = []
        on_air: OnAir | None = None
        try:
            self.client.version()
            liquidsoap = True
        except LiquidsoapError:
            liquidsoap = False
            reasons.append("Liquidsoap is not answering on its control socket")
        if liquidsoap:
            try:
                on_air = self.client.on_air()
            except LiquidsoapError as exc:  # answering, but not this: what airs is unknown
                log.warning("cannot read what is on air: %s", exc)
        try:
            mounts = icecast_mounts(self.icecast_host, self.icecast_port)
            icecast = True
        except (OSError, ValueError, urllib.error.URLError):
            mounts, icecast = {}, False
            reasons.append("Icecast is not answering")
        scheduler = self.scheduler_alive()
        if not scheduler:
            reasons.append("the scheduler has stopped (its heartbeat is stale)")
        missing = [m for m in MOUNTS if m not in mounts]
        details: HealthDetails = {"mounts_missing": missing}
        if missing and icecast:
            feeder = "which is down" if not liquidsoap else "which is not streaming to Icecast"
            reasons.append(f"{', '.join(missing)} missing: Liquidsoap feeds them, {feeder}")
        if on_air is not None:
            details["on_air"] = on_air.source
            if on_air.rotation_files is not None:
                details["rotation_files"] = on_air.rotation_files
        reasons += on_air_problems(on_air)
        if liquidsoap and self.hls_playlist is not None:
            reasons += hls_problems(self.hls_playlist, self.hls_max_age_s)
        warnings: list[str] = []
        recorder = self.logger(liquidsoap)
        if recorder is not None:
            details["logger"] = logger_details(recorder)
            reasons += recorder.problems
            warnings += recorder.warnings
        warnings += self.relays()
        if warnings:
            details["warnings"] = warnings
        return HealthReport(liquidsoap, icecast, scheduler, details, reasons)


def logger_details(status: LoggerStatus) -> dict[str, JSON]:
    return {
        "newest": status.newest.isoformat() if status.newest else None,
        "gaps_last_day": [
            {"from": g.start.isoformat(), "to": g.end.isoformat()} for g in status.gaps_last_day
        ],
        "days_of_room": round(status.days_of_room, 1),
    }
