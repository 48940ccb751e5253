"""What is on air now, prepared once per change for the web site and the API.

The answer comes from Liquidsoap (the ``station.on_air`` command reports the metadata of the
track on the output), never from a guess: the scheduler asks it and publishes the answer in
the database (:mod:`radio.enginestatus`), where the site reads it. The JSON body and its ETag
are built when the on-air item changes, so a request only copies bytes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Protocol, TypedDict

from sqlalchemy.exc import SQLAlchemyError

from radio.clock import Clock, system_clock, utc_iso
from radio.db import UNREACHABLE, Outage
from radio.errors import LiquidsoapError
from radio.grid.model import Kind, Occurrence
from radio.playout.liquidsoap import OnAir
from radio.playout.plan import SlotStatus, slot_status

log = logging.getLogger(__name__)

SOURCES = ("rotation", "scheduled", "live", "emergency")


class OnAirItem(TypedDict):
    """The item on the station's output, as Liquidsoap reports it."""

    title: str | None
    artist: str | None
    show: str | None
    started_at: str | None
    ends_at: str | None
    source: str


class ShowRef(TypedDict):
    slug: str
    title: str
    kind: Kind


class EpisodeRef(TypedDict):
    title: str | None
    media_id: str | None


class NextSlot(TypedDict):
    slug: str
    title: str
    start: str | None
    end: str | None


class NowDocument(TypedDict):
    """``/api/v1/now``: what is on air, and the grid's slot and what follows it."""

    station: str
    on_air: OnAirItem | None
    show: ShowRef | None
    status: SlotStatus
    episode: EpisodeRef | None
    slot_start: str | None
    slot_end: str | None
    next: NextSlot | None
    #: Everyone listening at the last count (station and relays); None when not counted.
    listeners: int | None


@dataclass(frozen=True)
class NowSnapshot:
    data: NowDocument
    body: bytes
    etag: str


def _iso(value: datetime | None) -> str | None:
    return utc_iso(value, "auto") if value else None


def describe(
    station: str,
    on_air: OnAir | None,
    slot: Occurrence | None = None,
    following: Occurrence | None = None,
    aired: Callable[[str], bool] = lambda _occurrence: False,
    listeners: int | None = None,
) -> NowDocument:
    """The ``/api/v1/now`` document: what Liquidsoap reports on air, and the grid's slot.

    ``status`` says honestly how the slot is served: its episode, a repeat, the rotation
    filling in for a missing episode (or after a short one: ``aired`` says whether the slot's
    episode went out), a live presenter or one who is not connected.
    """
    item: OnAirItem | None = None
    if on_air is not None:
        meta = on_air.metadata
        started = (
            _iso(datetime.fromtimestamp(on_air.started_at, UTC)) if on_air.started_at else None
        )
        item = {
            "title": on_air.title or None,
            "artist": on_air.artist or None,
            "show": meta.get("radio_show_title") or None,
            "started_at": started,
            "ends_at": _iso(_ends_at(on_air, slot)),
            "source": on_air.source if on_air.source in SOURCES else "rotation",
        }
    meta = on_air.metadata if on_air else {}
    source = on_air.source if on_air else None
    on_air_occurrence = meta.get("radio_occurrence") or None
    status = slot_status(slot, source, on_air_occurrence, meta.get("radio_status"), aired)
    episode: EpisodeRef | None = None
    if slot is not None and status in ("episode", "repeat"):
        episode = {
            "title": on_air.title if on_air else None,
            "media_id": meta.get("radio_media_id") or None,
        }
    if item is not None and slot is not None and not item["show"]:
        item["show"] = slot.title
    return {
        "station": station,
        "on_air": item,
        "show": {"slug": slot.show, "title": slot.title, "kind": slot.kind} if slot else None,
        "status": status,
        "episode": episode,
        "slot_start": _iso(slot.start) if slot else None,
        "slot_end": _iso(slot.end) if slot else None,
        "next": (
            {
                "slug": following.show,
                "title": following.title,
                "start": _iso(following.start),
                "end": _iso(following.end),
            }
            if following
            else None
        ),
        "listeners": listeners,
    }


def _ends_at(on_air: OnAir, slot: Occurrence | None) -> datetime | None:
    """When the item on air will end: a live show with its slot, an item with its cue points
    or its file's length, never after its slot when it is the slot's; None when unknown."""
    if on_air.started_at is None:
        return None
    if on_air.source == "live":
        return slot.end if slot else None
    started = datetime.fromtimestamp(on_air.started_at, UTC)
    meta = on_air.metadata
    try:
        length = float(meta["liq_cue_out"]) - float(meta.get("liq_cue_in") or 0)
    except (KeyError, ValueError):
        length = file_length(on_air.filename) or 0.0
    if length <= 0:
        return None
    ends = started + timedelta(seconds=length)
    if slot is not None and on_air.source == "scheduled":
        ends = min(ends, slot.end)
    return ends


@lru_cache(maxsize=512)
def file_length(path: str) -> float | None:
    """A file's length in seconds from its tags and headers (for display only)."""
    if not path:
        return None
    try:
        import mutagen

        found = mutagen.File(path)
    except Exception:  # unreadable or unknown: the length is simply not known
        return None
    length = getattr(getattr(found, "info", None), "length", None)
    return float(length) if length else None


def _snapshot(data: NowDocument) -> NowSnapshot:
    body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return NowSnapshot(data, body, '"' + hashlib.sha1(body).hexdigest()[:16] + '"')


class NowPlaying(Protocol):
    """What is on air now, as the site shows it."""

    def current(self) -> NowSnapshot:
        """The latest snapshot (refreshed when it is old)."""
        ...

    def refresh(self) -> NowSnapshot:
        """Ask again now."""
        ...


class OnAirSource(Protocol):
    """Who says what is on air: Liquidsoap's client, or its answer as the scheduler
    published it (:class:`radio.enginestatus.PublishedOnAir`)."""

    def on_air(self) -> OnAir | None: ...


class OnAirTracker:
    """Keeps the current :class:`NowSnapshot`; ``refresh`` asks ``client`` again."""

    def __init__(
        self,
        client: OnAirSource,
        station: str,
        max_age_s: float = 1.0,
        slot_at: Callable[[datetime], Occurrence | None] = lambda _at: None,
        next_after: Callable[[datetime], Occurrence | None] = lambda _at: None,
        aired: Callable[[str], bool] = lambda _occurrence: False,
        listeners: Callable[[], int | None] = lambda: None,
        clock: Clock = system_clock,
        database: Outage | None = None,
    ) -> None:
        self.client = client
        self.station = station
        self.slot_at = slot_at
        self.next_after = next_after
        self.aired = aired
        self.listeners = listeners
        self.clock = clock
        self.max_age_s = max_age_s
        #: Told when a read finds the database not answering (said once for the process).
        self.database = database or Outage("the database")
        self._snapshot = _snapshot(describe(station, None))
        self._last_on_air: OnAir | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self.reachable = False

    def refresh(self) -> NowSnapshot:
        try:
            on_air = self.client.on_air()
            self.reachable = True
            self._last_on_air = on_air
        except UNREACHABLE as exc:  # published in the database: what was last read stands
            self.database.failed(exc)
            on_air = self._last_on_air
        except (LiquidsoapError, SQLAlchemyError) as exc:
            if self.reachable:
                log.warning("cannot read what is on air: %s", exc)
            self.reachable = False
            on_air = None
        now = self.clock()
        try:
            slot, following = self.slot_at(now), self.next_after(now)
        except UNREACHABLE as exc:  # the page shows what Liquidsoap says, without the grid
            self.database.failed(exc)
            slot = following = None
        except Exception:  # the grid is read-only here; a bad read must not stop the page
            log.exception("cannot read the grid for what is on now")
            slot = following = None
        data = describe(self.station, on_air, slot, following, self._aired, self._listeners())
        with self._lock:
            self._checked = time.monotonic()
            if data != self._snapshot.data:
                self._snapshot = _snapshot(data)
            return self._snapshot

    def _aired(self, occurrence_id: str) -> bool:
        try:
            return self.aired(occurrence_id)
        except UNREACHABLE as exc:
            self.database.failed(exc)
            return False
        except Exception:  # the as-run log is read-only here; "missing" is the safe answer
            log.exception("cannot read the as-run log")
            return False

    def _listeners(self) -> int | None:
        try:
            return self.listeners()
        except UNREACHABLE as exc:
            self.database.failed(exc)
            return None
        except Exception:  # the figures are read-only here; none is the safe answer
            log.exception("cannot read the listener figures")
            return None

    def current(self) -> NowSnapshot:
        """The latest snapshot; refreshed first when older than ``max_age_s``."""
        if time.monotonic() - self._checked > self.max_age_s:
            return self.refresh()
        return self._snapshot
