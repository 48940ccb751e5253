"""Where a live presenter stands: connected, on air, dropped, or how their slot went.

A pure function of the slot, what Liquidsoap reports about the live mounts (as the scheduler
publishes it, :mod:`radio.playout.livemounts`), how long the slot's presenter was on air by
the as-run log, and the instant. The same answer whichever client the presenter uses (the
browser's go-live page, BUTT, Mixxx): it is read from the harbor, not from the page. When
the report is stale (the scheduler is not running), an open window's status says the station
cannot tell, rather than "not connected".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Literal, TypedDict

from radio.clock import utc_iso
from radio.grid.model import Occurrence
from radio.playout.liquidsoap import LiveMount

State = Literal["none", "later", "ready", "connected", "on_air", "dropped", "ended", "unknown"]
#: How long after its end a slot's outcome is shown (unless the next window opens first).
ENDED_SHOWN = timedelta(hours=1)


class LiveStatus(TypedDict):
    """The JSON of a presenter's live status."""

    state: State
    #: One sentence for the presenter (what aria-live announces).
    message: str
    #: A second sentence: what to do, or how long is left.
    detail: str
    occurrence: str | None
    starts_at: str | None
    ends_at: str | None
    connect_from: str | None
    seconds_left: int | None
    #: The level arriving at the station from the presenter (dBFS), while connected.
    level_db: float | None
    #: Who is connected (their name), while someone is.
    presenter: str | None


@dataclass(frozen=True)
class LiveSlots:
    """The show's live slots around an instant: which one a status is about."""

    current: Occurrence | None
    upcoming: Occurrence | None
    ended: Occurrence | None

    @classmethod
    def around(cls, occurrences: list[Occurrence], now: datetime) -> LiveSlots:
        live = [o for o in occurrences if o.kind == "live"]
        current = next((o for o in live if o.start <= now < o.end), None)
        upcoming = next((o for o in live if o.start > now), None)
        ended = [o for o in live if o.end <= now < o.end + ENDED_SHOWN]
        return cls(current, upcoming, ended[-1] if ended else None)

    def chosen(self, now: datetime, lead: timedelta) -> Occurrence | None:
        """The slot on air, else the next one whose key works, else the one that just
        ended, else the next one."""
        if self.current is not None:
            return self.current
        if self.upcoming is not None and self.upcoming.start - lead <= now:
            return self.upcoming
        return self.ended or self.upcoming


def live_status(
    slot: Occurrence | None,
    mount: LiveMount | None,
    aired_s: float,
    now: datetime,
    lead: timedelta,
    tz: tzinfo,
    presenter: str | None = None,
    known: bool = True,
) -> LiveStatus:
    """The status of ``slot`` at ``now``; ``mount`` is the harbor's report for the slot (None
    when its window is not open), ``aired_s`` how long a presenter was on air in it,
    ``presenter`` the connected presenter's name, and ``known`` False when the report is
    too old to be believed."""
    if slot is None:
        return _status("none", "You have no live slot in the next six weeks.", "", None, now)
    connect_from = slot.start - lead
    connected = mount is not None and mount.connected
    start, end = _clock(slot.start, tz), _clock(slot.end, tz)
    status: LiveStatus
    if now >= slot.end:
        if aired_s >= 1:
            message = f"Your slot ended at {end}: you were on air for {_span(aired_s)}."
        else:
            message = f"Your slot ended at {end}: nobody went on air, so music played."
        status = _status("ended", message, "", slot, now)
    elif now < connect_from:
        day = slot.start.astimezone(tz).strftime("%a %d %b, %H:%M")
        status = _status(
            "later",
            f"Your next live slot is {day}.",
            f"You can connect from {_clock(connect_from, tz)}.",
            slot,
            now,
        )
    elif not known:
        status = _status(
            "unknown",
            "The station cannot tell right now whether you are connected.",
            "Its scheduler has stopped reporting; if this lasts more than a minute, tell the "
            "station's technical team.",
            slot,
            now,
        )
    elif now < slot.start:
        wait = _until(slot.start - now)
        if connected:
            status = _status(
                "connected", f"Connected — you go on air at {start} ({wait}).", "", slot, now
            )
        else:
            status = _status(
                "ready",
                f"Not connected — you go on air at {start} ({wait}) once you connect.",
                "Music is playing until then.",
                slot,
                now,
            )
    elif connected and mount is not None and mount.gate:
        left = _span((slot.end - now).total_seconds())
        status = _status(
            "on_air", "You are on air.", f"{left} left in the slot (until {end}).", slot, now
        )
    else:
        status = _status(
            "dropped",
            "Not connected — music is playing.",
            f"Connect again to go on air; the slot ends at {end}.",
            slot,
            now,
        )
    status["connect_from"] = utc_iso(connect_from, "seconds")
    if known and connected and mount is not None and now < slot.end:
        status["level_db"] = _db(mount.level)
        status["presenter"] = presenter
    return status


def _status(
    state: State, message: str, detail: str, slot: Occurrence | None, now: datetime
) -> LiveStatus:
    left = int((slot.end - now).total_seconds()) if slot is not None and now < slot.end else None
    return {
        "state": state,
        "message": message,
        "detail": detail,
        "occurrence": slot.id if slot else None,
        "starts_at": utc_iso(slot.start, "seconds") if slot else None,
        "ends_at": utc_iso(slot.end, "seconds") if slot else None,
        "connect_from": None,
        "seconds_left": left,
        "level_db": None,
        "presenter": None,
    }


def _db(level: float) -> float | None:
    return round(20 * math.log10(level), 1) if level > 1e-5 else None


def _clock(at: datetime, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%H:%M")


def _until(delta: timedelta) -> str:
    return "in " + _span(delta.total_seconds())


def _span(seconds: float) -> str:
    """``45 s``, ``2 min``, ``1 h 5 min``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
