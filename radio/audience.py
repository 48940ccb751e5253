"""Listener figures: how many people listen, sampled from Icecast, per show and per day.

The scheduler asks the station's Icecast, and each relay in ``relays``, for its listeners on
every mount (``/status-json.xsl``) every ``listener_sample_s`` seconds and keeps one row per
mount. A relay pulls each mount from the station's Icecast as one listener, so for every
mount a relay carries, one listener is taken off the station's own count. From the samples:
the latest total (``/api/v1/now``'s ``listeners``), and for an airing or a day its peak, its
average and its listening hours (each sample's listeners times the sampling interval).

A relay that does not answer, or answers without carrying the station's mounts (it cannot
reach the station's Icecast), is a warning: said once in the log when it starts and once when
it ends, and listed on ``/healthz`` while it lasts (:meth:`Audience.relay_problems`, in the
engine's health that the scheduler publishes); the other figures are counted as usual.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from radio.clock import Clock, system_clock
from radio.config import Settings
from radio.db import Base, Database, UTCDateTime

log = logging.getLogger(__name__)

#: A total older than this is not "now" any more (the sampler has stopped).
LATEST_MAX_AGE = timedelta(minutes=2)


class ListenerSample(Base):
    """Listeners on one mount (station and relays together) at one moment."""

    __tablename__ = "listener_samples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    mount: Mapped[str] = mapped_column(String(60))
    listeners: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True)
class Figures:
    """Listening over a stretch of time: peak and average listeners, and listening hours."""

    peak: int
    average: float
    hours: float
    samples: int


def icecast_listeners(base_url: str, timeout: float = 5.0) -> dict[str, int]:
    """Listeners per mount of the Icecast at ``base_url`` (``http://host:port``)."""
    with urllib.request.urlopen(f"{base_url.rstrip('/')}/status-json.xsl", timeout=timeout) as r:
        data = json.loads(r.read().decode("utf-8", errors="replace"))
    stats = data.get("icestats") if isinstance(data, dict) else None
    if not isinstance(stats, dict):
        raise ValueError(f"{base_url} did not answer with Icecast's status")
    sources = stats.get("source", [])
    if isinstance(sources, dict):
        sources = [sources]
    counts: dict[str, int] = {}
    for source in sources:
        url = str(source.get("listenurl", ""))
        if url:
            counts["/" + url.rsplit("/", 1)[-1]] = int(source.get("listeners") or 0)
    return counts


def why(exc: BaseException) -> str:
    """What a failed request to an Icecast says, in a few words."""
    reason = getattr(exc, "reason", exc)
    return str(getattr(reason, "strerror", None) or reason)


def combine(station: dict[str, int], relays: list[dict[str, int]]) -> dict[str, int]:
    """The station's listeners plus the relays', less the relays' own pulls from the station."""
    total = dict(station)
    for relay in relays:
        for mount, listeners in relay.items():
            pulls = 1 if mount in station else 0
            total[mount] = max(0, total.get(mount, 0) - pulls) + listeners
    return total


class Audience:
    """Samples the listeners and answers for stretches of time."""

    def __init__(self, db: Database, settings: Settings, clock: Clock = system_clock) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self._latest: tuple[float, int | None] = (0.0, None)
        self._lock = threading.Lock()
        #: relay → what is wrong with it, at the last sample (None before the first).
        self._relay_problems: dict[str, str] | None = None

    @property
    def station_url(self) -> str:
        host = self.settings.icecast_host
        host = "127.0.0.1" if host in ("0.0.0.0", "") else host
        host = "[::1]" if host == "::" else host
        return f"http://{host}:{self.settings.icecast_port}"

    def sample(self) -> dict[str, int] | None:
        """Ask the station's Icecast and the relays now, and keep the counts (None: the
        station's Icecast did not answer; a relay that does not answer counts as none)."""
        try:
            station = icecast_listeners(self.station_url)
        except (OSError, ValueError) as exc:
            log.info("listener figures: Icecast did not answer (%s)", exc)
            return None
        relays, problems = [], {}
        for relay in self.settings.relays:
            try:
                counts = icecast_listeners(relay)
            except (OSError, ValueError) as exc:
                problems[relay] = (
                    f"the relay {relay} is not answering ({why(exc)}); its listeners are not "
                    "counted"
                )
                continue
            relays.append(counts)
            missing = [mount for mount in station if mount not in counts]
            if missing:
                problems[relay] = (
                    f"the relay {relay} is not carrying {', '.join(missing)} (can it reach "
                    "the station's Icecast?)"
                )
        self._relays_now(problems)
        counts = combine(station, relays)
        self.record(self.clock(), counts)
        return counts

    def relay_problems(self) -> list[str]:
        """What is wrong with the relays at the last sample (for ``/healthz``)."""
        return list((self._relay_problems or {}).values())

    def _relays_now(self, problems: dict[str, str]) -> None:
        """Say what changed with the relays, once, and keep it for ``/healthz``."""
        before = self._relay_problems
        if problems == before:
            return
        for relay, problem in problems.items():
            if (before or {}).get(relay) != problem:
                log.warning("listener figures: %s", problem)
        for relay in (before or {}).keys() - problems.keys():
            log.info("listener figures: the relay %s carries the station again", relay)
        self._relay_problems = problems

    def record(self, at: datetime, counts: dict[str, int]) -> None:
        with self.db.session() as session, session.begin():
            session.add_all(
                ListenerSample(at=at, mount=mount, listeners=n) for mount, n in counts.items()
            )

    def latest(self, max_age_s: float = 10.0) -> int | None:
        """All listeners at the last sample, if it is recent; cached for ``max_age_s``."""
        with self._lock:
            checked, value = self._latest
            if time.monotonic() - checked < max_age_s:
                return value
        now = self.clock()
        with self.db.session() as session:
            last = session.scalar(select(func.max(ListenerSample.at)))
            value = None
            if last is not None and now - last <= LATEST_MAX_AGE:
                value = int(
                    session.scalar(
                        select(func.sum(ListenerSample.listeners)).where(ListenerSample.at == last)
                    )
                    or 0
                )
        with self._lock:
            self._latest = (time.monotonic(), value)
        return value

    def totals(self, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
        """Each sample's total listeners (all mounts) in ``[start, end)``, oldest first."""
        with self.db.session() as session:
            rows = session.execute(
                select(ListenerSample.at, func.sum(ListenerSample.listeners))
                .where(ListenerSample.at >= start, ListenerSample.at < end)
                .group_by(ListenerSample.at)
                .order_by(ListenerSample.at)
            ).all()
        return [(at, int(n or 0)) for at, n in rows]

    def figures(self, start: datetime, end: datetime) -> Figures:
        return summarise([n for _, n in self.totals(start, end)], self.settings.listener_sample_s)

    def days(self, first: date, last: date, tz: ZoneInfo) -> list[tuple[date, Figures]]:
        """Each local day from ``first`` to ``last`` (included), with its figures."""
        start = datetime.combine(first, datetime.min.time(), tz)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tz)
        by_day: dict[date, list[int]] = defaultdict(list)
        for at, n in self.totals(start, end):
            by_day[at.astimezone(tz).date()].append(n)
        step = self.settings.listener_sample_s
        out, day = [], first
        while day <= last:
            out.append((day, summarise(by_day.get(day, []), step)))
            day += timedelta(days=1)
        return out


def summarise(totals: list[int], step_s: float) -> Figures:
    if not totals:
        return Figures(0, 0.0, 0.0, 0)
    return Figures(
        peak=max(totals),
        average=sum(totals) / len(totals),
        hours=sum(totals) * step_s / 3600,
        samples=len(totals),
    )
