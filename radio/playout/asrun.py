"""The as-run log and on-air incidents, written from Liquidsoap's own events.

The script prints one ``RADIO-EVENT {json}`` line per event (a track starting on the output,
silence, a presenter connecting). Every item that actually aired becomes an
:class:`AsRunEntry`; silence becomes an :class:`Incident`. This is the base for
music-licensing returns (``radio asrun export``).
"""

from __future__ import annotations

import collections
import csv
import json
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import IO, TypedDict

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column

from radio.accounts.store import AccountRow
from radio.clock import utc_iso
from radio.db import Base, Database, UTCDateTime, first_line
from radio.grid.model import Occurrence
from radio.playout.live import SHOW_KEY
from radio.playout.plan import slot_status
from radio.playout.playout import EVENT_PREFIX

log = logging.getLogger(__name__)

SLOT_LOOKUP_SLACK = timedelta(milliseconds=150)
#: How long a slot runs without an item of its own before the log carries the rotation into it.
MARK_AFTER = timedelta(seconds=1)
#: Sources whose items run on across slot boundaries (episodes and live are cut at them).
CARRIED = ("rotation", "emergency")
#: A database that cannot take a write just now (its disk is full, it is locked, it is
#: read-only): the events are kept and written later.
WRITE_ERRORS = (OperationalError, OSError)
CSV_FIELDS = (
    "started_at",
    "ended_at",
    "duration_s",
    "source",
    "status",
    "show",
    "occurrence_id",
    "media_id",
    "title",
    "artist",
    "filename",
    "presenter",
)


class Incident(Base):
    """Something that went wrong on air: silence, a child that keeps failing."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AsRunEntry(Base):
    """One item that went out on the station's output."""

    __tablename__ = "as_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    source: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    show: Mapped[str | None] = mapped_column(String(60), nullable=True)
    occurrence_id: Mapped[str | None] = mapped_column(String(120), nullable=True, index=True)
    media_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    filename: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(Text, default="")
    artist: Mapped[str] = mapped_column(Text, default="")
    #: Who was live (a live item): the presenter's name when the item started.
    presenter: Mapped[str | None] = mapped_column(Text, nullable=True)


def parse_event(line: str) -> dict[str, str] | None:
    """The fields of a ``RADIO-EVENT`` line (Liquidsoap prints them as ``[[k, v], …]``).

    The event may follow a log message on the same line: Liquidsoap's log and its prints
    share standard output, and a log line sometimes lacks its end of line.
    """
    at = line.find(EVENT_PREFIX)
    if at < 0:
        return None
    try:
        raw = json.loads(line[at + len(EVENT_PREFIX) :])
    except json.JSONDecodeError:
        log.warning("unreadable event from Liquidsoap: %r", line)
        return None
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    if isinstance(raw, list):
        return {str(p[0]): str(p[1]) for p in raw if isinstance(p, list) and len(p) == 2}
    return None


def _open_entry(session: Session) -> AsRunEntry | None:
    return session.scalars(
        select(AsRunEntry)
        .where(AsRunEntry.ended_at.is_(None))
        .order_by(AsRunEntry.started_at.desc())
    ).first()


def _status_text(session: Session, slot: Occurrence | None, source: str) -> str:
    """The as-run status of an item from ``source`` that is not a scheduled episode."""
    if source == "emergency":
        return "emergency"
    if source == "rotation" and slot is None:
        return "rotation"
    return slot_status(slot, source, None, aired=lambda occurrence: _aired(session, occurrence))


def event_time(event: dict[str, str]) -> datetime:
    return datetime.fromtimestamp(int(event.get("t_ms", "0")) / 1000, UTC)


class AsRunRecorder:
    """Turns Liquidsoap's events into as-run entries and incidents (thread-safe).

    ``slot_at`` gives the grid's occurrence at an instant, so rotation filling an empty
    pre-recorded slot is logged against that show as ``missing``.
    """

    def __init__(
        self,
        db: Database,
        slot_at: Callable[[datetime], Occurrence | None],
        silence_timeout_s: float = 15.0,
    ) -> None:
        self.db = db
        self.slot_at = slot_at
        self.silence_timeout_s = silence_timeout_s
        self._lock = threading.Lock()
        self.listeners: list[Callable[[dict[str, str]], None]] = []
        #: Events not yet in the database (a write failed): retried, oldest first, on the
        #: next event or tick, so nothing that aired is lost while the disk is full.
        self._pending: collections.deque[dict[str, str]] = collections.deque()
        self._failing = False

    def handle_line(self, line: str) -> None:
        event = parse_event(line)
        if event is not None:
            self.handle(event)

    def handle(self, event: dict[str, str]) -> None:
        kind = event.get("event")
        with self._lock:
            if kind == "silence":  # said at once, whenever the incident is written
                log.warning(
                    "silence on the %s for more than %.0f s; switching to the next source",
                    event.get("source", "output"),
                    self.silence_timeout_s,
                )
            if kind in ("track", "silence", "noise"):
                self._pending.append(event)
                self._flush()
            elif kind in ("live_auth", "live_connect", "live_disconnect", "live_kick"):
                log.info(
                    "live: %s on /%s %s", kind, event.get("mount", ""), event.get("accepted", "")
                )
        for listener in self.listeners:
            listener(event)

    @property
    def pending(self) -> int:
        """How many events wait to be written (the database refused them so far)."""
        return len(self._pending)

    def _flush(self) -> bool:
        """Write the waiting events, oldest first; False if some still wait."""
        while self._pending:
            event = self._pending[0]
            try:
                self._write(event)
            except WRITE_ERRORS as exc:
                if not self._failing:
                    self._failing = True
                    log.error(
                        "the as-run log cannot be written (%s); what airs is kept in memory "
                        "and written once the database takes it again",
                        first_line(exc),
                    )
                return False
            except Exception:  # a bug with this one event: it must not hold up the rest
                log.exception("the event %r could not be logged; it is left out", event)
            self._pending.popleft()
        if self._failing:
            self._failing = False
            log.warning("the as-run log is written again; nothing that aired was lost")
        return True

    def _write(self, event: dict[str, str]) -> None:
        kind = event.get("event")
        if kind == "track":
            self._track(event)
        elif kind == "silence":
            self._silence(event)
        elif kind == "noise":
            self._noise(event)

    def _track(self, event: dict[str, str]) -> None:
        source = event.get("source", "")
        if not source:
            return  # a transition's join, not a new item
        at = event_time(event)
        # Gates open a frame early (to start on time), so look just past the event.
        slot = self.slot_at(at + SLOT_LOOKUP_SLACK)
        annotated = event.get("occurrence") or None
        show = event.get("show") or (slot.show if slot else None)
        occurrence = annotated or (slot.id if slot else None)
        with self.db.write() as session:
            if source == "scheduled" and annotated:
                # Gates open a frame early, so go by what the request says it is.
                status_text = "repeat" if event.get("status") == "repeat" else "episode"
            else:
                status_text = _status_text(session, slot, source)
            presenter = (
                _presenter_name(session, event.get("presenter", "")) if source == "live" else None
            )
            previous = _open_entry(session)
            if previous is not None:
                same = (
                    previous.source == source
                    and previous.filename == event.get("filename", "")
                    and previous.occurrence_id == occurrence
                    and previous.presenter == presenter
                )
                if same:
                    return  # metadata replayed after a transition: the same item goes on
                # A rotation item that ran on into this slot: its time in the slot is marked.
                boundary = self._boundary(previous, slot, at)
                if boundary is not None:
                    self._carry(session, previous, slot, boundary)
                for entry in session.scalars(
                    select(AsRunEntry).where(AsRunEntry.ended_at.is_(None))
                ):
                    entry.ended_at = at
            session.add(
                AsRunEntry(
                    started_at=at,
                    source=source,
                    status=status_text,
                    show=show,
                    occurrence_id=occurrence,
                    media_id=event.get("media_id") or None,
                    filename=event.get("filename", ""),
                    title=event.get("title", ""),
                    artist=event.get("artist", ""),
                    presenter=presenter,
                )
            )

    def mark_slot(self, now: datetime) -> None:
        """Carry an item that plays on across a slot boundary into the new slot.

        Liquidsoap reports a track when it starts. A slot that begins without its episode
        (or before its presenter connects) while a rotation track plays on has no event of
        its own. Called on a short tick: once a slot has run ``MARK_AFTER`` without an item
        of its own, the rotation's entry is ended at the boundary and continued with the
        slot's show and status (``missing``, ``waiting``, ``music``), so the log marks the
        slot from its start. (A track starting sooner does the same in :meth:`_track`.)
        Each tick first retries the events the database refused.
        """
        slot = self.slot_at(now)
        with self._lock:
            if not self._flush():
                return  # the log is behind: mark once it has caught up
            try:
                with self.db.write() as session:
                    current = _open_entry(session)
                    if current is None:
                        return
                    boundary = self._boundary(current, slot, now)
                    if boundary is not None and boundary <= now - MARK_AFTER:
                        self._carry(session, current, slot, boundary)
            except WRITE_ERRORS as exc:  # the next tick marks it
                log.debug("the slot could not be marked in the as-run log: %s", exc)

    def _boundary(
        self, current: AsRunEntry, slot: Occurrence | None, now: datetime
    ) -> datetime | None:
        """Where ``slot`` (the grid at ``now``) began, if rotation item ``current`` started
        before it and so ran on across the boundary; else None."""
        if current.source not in CARRIED or current.occurrence_id == (slot.id if slot else None):
            return None
        started = current.started_at
        if slot is not None:
            boundary: datetime | None = slot.start
        else:
            left = self.slot_at(started + SLOT_LOOKUP_SLACK)
            boundary = left.end if left is not None else None
        if boundary is None or not started < boundary <= now:
            return None
        return boundary

    def _carry(
        self, session: Session, current: AsRunEntry, slot: Occurrence | None, boundary: datetime
    ) -> None:
        current.ended_at = boundary
        session.add(
            AsRunEntry(
                started_at=boundary,
                source=current.source,
                status=_status_text(session, slot, current.source),
                show=slot.show if slot else None,
                occurrence_id=slot.id if slot else None,
                media_id=current.media_id,
                filename=current.filename,
                title=current.title,
                artist=current.artist,
            )
        )
        session.flush()

    def _silence(self, event: dict[str, str]) -> None:
        source = event.get("source", "output")
        with self.db.write() as session:
            session.add(
                Incident(
                    kind="silence",
                    detail=f"The {source} was silent for more than "
                    f"{self.silence_timeout_s:.0f} s; the next source took over.",
                    started_at=event_time(event),
                )
            )

    def _noise(self, event: dict[str, str]) -> None:
        source = event.get("source", "output")
        with self.db.write() as session:
            for incident in session.scalars(
                select(Incident).where(Incident.kind == "silence", Incident.ended_at.is_(None))
            ):
                if f"The {source} " in incident.detail:
                    incident.ended_at = event_time(event)
                    log.info("sound is back on the %s", source)


def last_ended(db: Database) -> AsRunEntry | None:
    """The newest item that has finished airing."""
    with db.session() as session:
        found = session.scalars(
            select(AsRunEntry)
            .where(AsRunEntry.ended_at.is_not(None))
            .order_by(AsRunEntry.started_at.desc())
            .limit(1)
        ).first()
        if found is not None:
            session.expunge(found)
        return found


def episode_aired(db: Database, occurrence_id: str) -> bool:
    """Whether the occurrence's episode (or a repeat) went out, by the as-run log."""
    with db.session() as session:
        return _aired(session, occurrence_id)


def _aired(session: Session, occurrence_id: str) -> bool:
    return (
        session.scalars(
            select(AsRunEntry.id).where(
                AsRunEntry.occurrence_id == occurrence_id, AsRunEntry.source == "scheduled"
            )
        ).first()
        is not None
    )


class OpenIncident(TypedDict):
    """An incident still open, as ``/healthz`` reports it."""

    kind: str
    detail: str
    #: When it started (UTC, ISO 8601).
    since: str


def open_incidents(db: Database) -> list[OpenIncident]:
    with db.session() as session:
        return [
            {"kind": i.kind, "detail": i.detail, "since": _iso(i.started_at)}
            for i in session.scalars(select(Incident).where(Incident.ended_at.is_(None)))
        ]


def entries(db: Database, start: datetime, end: datetime) -> list[AsRunEntry]:
    """Entries that started in ``[start, end)``, oldest first."""
    with db.session() as session:
        return list(
            session.scalars(
                select(AsRunEntry)
                .where(AsRunEntry.started_at >= start, AsRunEntry.started_at < end)
                .order_by(AsRunEntry.started_at, AsRunEntry.id)
            )
        )


def write_csv(rows: Iterable[AsRunEntry], fp: IO[str]) -> None:
    out = csv.writer(fp)
    out.writerow(CSV_FIELDS)
    for row in rows:
        started, ended = row.started_at, row.ended_at
        out.writerow(
            [
                _iso(started),
                _iso(ended) if ended else "",
                f"{(ended - started).total_seconds():.3f}" if ended else "",
                row.source,
                row.status,
                row.show or "",
                row.occurrence_id or "",
                row.media_id or "",
                row.title,
                row.artist,
                row.filename,
                row.presenter or "",
            ]
        )


def _presenter_name(session: Session, presenter: str) -> str | None:
    """The name of the presenter whose key or token put them on air (``0``: the show's own
    key); None when Liquidsoap did not say."""
    if not presenter.isdigit():
        return None
    if int(presenter) == SHOW_KEY:
        return "the show's own key"
    found = session.get(AccountRow, int(presenter))
    if found is None:
        return f"account {presenter}"
    return found.name or found.email


def _iso(value: datetime) -> str:
    return utc_iso(value, "milliseconds")
