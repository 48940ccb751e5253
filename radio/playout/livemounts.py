"""The live mounts as the scheduler last saw them, kept in the database for the site.

Only the scheduler talks to Liquidsoap's control socket about the live mounts. Each tick its
:class:`LivePublisher` reads them (the script's ``station.live``) and writes the table
``live_mounts`` only when something a presenter notices has changed: a window opened or
closed, someone connected or dropped, the slot's gate opened, or, while someone is
connected, the level they send moved by a decibel (at most once a second). Every few seconds
it also marks the rows as checked, so a site process, on this machine or another with no way
to reach the socket, can tell "nobody is connected" from "the scheduler is not reporting"
(:meth:`LiveSnapshot.current`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Boolean, Float, String, delete, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from radio.db import UNREACHABLE, Base, Database, Outage, UTCDateTime
from radio.errors import LiquidsoapError
from radio.playout.liquidsoap import LiveMount, LiveReport

log = logging.getLogger(__name__)

#: The rows are marked as checked this often when nothing in them changed.
CHECKED_EVERY = timedelta(seconds=5)
#: Rows not checked for this long are not believed (the scheduler is down or cannot read
#: Liquidsoap): several missed marks, so a busy moment is not taken for an outage.
STALE_AFTER = timedelta(seconds=20)
#: While someone is connected, a new level is written at most this often.
LEVEL_EVERY = timedelta(seconds=1)


class LiveMountRow(Base):
    """One live mount as the scheduler last read it from Liquidsoap."""

    __tablename__ = "live_mounts"

    mount: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: The slot whose window is open on it ("" when closed).
    occurrence: Mapped[str] = mapped_column(String(120))
    connected: Mapped[bool] = mapped_column(Boolean)
    #: The connected presenter's account number, as the harbor's key check reported it.
    presenter: Mapped[str] = mapped_column(String(20))
    gate: Mapped[bool] = mapped_column(Boolean)
    level: Mapped[float] = mapped_column(Float)
    #: When the window or the connection last changed (so: connected since, or dropped at).
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the row was last written.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the scheduler last saw the row hold (the freshness marker).
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class PublishedMount:
    mount: LiveMount
    since: datetime
    updated_at: datetime


@dataclass(frozen=True)
class LiveSnapshot:
    """The live mounts as published, and when the scheduler last confirmed them."""

    mounts: tuple[PublishedMount, ...]
    checked_at: datetime | None

    def current(self, now: datetime) -> bool:
        """Whether the scheduler confirmed the mounts recently enough to be believed."""
        return self.checked_at is not None and now - self.checked_at < STALE_AFTER

    def mount_for(self, occurrence: str) -> PublishedMount | None:
        return next(
            (m for m in self.mounts if occurrence and m.mount.occurrence == occurrence), None
        )


class LiveMounts:
    """The table ``live_mounts``: written by the scheduler, read by the site."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def write(self, mounts: Sequence[LiveMount], now: datetime, only: bool = False) -> None:
        """Store ``mounts`` as read at ``now`` and mark every row checked; with ``only``,
        rows of other mounts are removed (``mounts`` is all of them)."""
        with self.db.write() as session:
            for mount in mounts:
                row = session.get(LiveMountRow, mount.mount)
                if row is None:
                    row = LiveMountRow(mount=mount.mount, since=now, checked_at=now)
                    session.add(row)
                elif (row.occurrence, row.connected) != (mount.occurrence, mount.connected):
                    row.since = now
                row.occurrence = mount.occurrence
                row.connected = mount.connected
                row.presenter = mount.presenter
                row.gate = mount.gate
                row.level = mount.level
                row.updated_at = now
            if only:
                names = [m.mount for m in mounts]
                session.execute(delete(LiveMountRow).where(LiveMountRow.mount.not_in(names)))
            session.flush()
            session.execute(update(LiveMountRow).values(checked_at=now))

    def mark_checked(self, now: datetime) -> None:
        """The rows still hold at ``now``."""
        with self.db.write() as session:
            session.execute(update(LiveMountRow).values(checked_at=now))

    def snapshot(self) -> LiveSnapshot:
        with self.db.session() as session:
            rows = list(session.scalars(select(LiveMountRow).order_by(LiveMountRow.mount)))
        mounts = tuple(
            PublishedMount(
                LiveMount(r.mount, r.occurrence, r.connected, r.presenter, r.gate, r.level),
                r.since,
                r.updated_at,
            )
            for r in rows
        )
        return LiveSnapshot(mounts, max((r.checked_at for r in rows), default=None))


class LivePublisher:
    """Reads the live mounts from Liquidsoap (``read``) and publishes what changed.

    Keeps what it last wrote, so a tick that finds nothing new costs one read of the socket
    and no database write. A failed read or write is logged once and tried again next tick;
    the rows then go stale, which the site reports as such.
    """

    def __init__(
        self, read: Callable[[], LiveReport], mounts: LiveMounts, outage: Outage | None = None
    ) -> None:
        self.read = read
        self.mounts = mounts
        #: Told when the database does not answer (said once for the whole process).
        self.outage = outage
        self._written: dict[str, LiveMount] | None = None
        self._written_at: datetime | None = None
        self._checked_at: datetime | None = None
        self._failing = False

    def publish(self, now: datetime) -> None:
        try:
            report = self.read()
            if self._written is None:
                self.mounts.write(report.mounts, now, only=True)
                self._wrote(report.mounts, now)
                return
            changed = [m for m in report.mounts if self._changed(m, now)]
            if changed:
                self.mounts.write(changed, now)
                self._wrote(changed, now)
            elif self._checked_at is None or now - self._checked_at >= CHECKED_EVERY:
                self.mounts.mark_checked(now)
                self._checked_at = now
        except (LiquidsoapError, SQLAlchemyError) as exc:
            if self.outage is not None and isinstance(exc, UNREACHABLE):
                self.outage.failed(exc)
            elif not self._failing:
                log.warning("cannot publish the live mounts (%s); retrying every tick", exc)
            self._failing = True
            return
        if self._failing:
            log.info("the live mounts are published again")
        self._failing = False

    def _changed(self, mount: LiveMount, now: datetime) -> bool:
        assert self._written is not None
        last = self._written.get(mount.mount)
        if last is None:
            return True
        shown = (mount.occurrence, mount.connected, mount.presenter, mount.gate)
        if shown != (last.occurrence, last.connected, last.presenter, last.gate):
            return True
        if not mount.connected or _decibels(mount.level) == _decibels(last.level):
            return False
        return self._written_at is None or now - self._written_at >= LEVEL_EVERY

    def _wrote(self, mounts: Sequence[LiveMount], now: datetime) -> None:
        written = dict(self._written or {})
        written.update((m.mount, m) for m in mounts)
        self._written = written
        self._written_at = self._checked_at = now


def _decibels(level: float) -> int | None:
    """The level as the presenter sees it: whole dBFS, None for silence."""
    return round(20 * math.log10(level)) if level > 1e-5 else None
