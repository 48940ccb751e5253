"""Episodes: an upload attached to one occurrence of a show, checked against its slot.

The grid is reached through :class:`SlotLookup`, which ``radio.grid.service.GridService``
satisfies; tests use a small fake with the same method.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

#: An episode may run this much past its slot before the fade is worth a warning.
OVERRUN_GRACE_S = 30.0
#: An episode that fills less than this share of its slot is accepted with a warning: five
#: seconds in an hour is more likely a recording cut short than a plan.
MUCH_SHORTER = 0.5


class Occurrence(Protocol):
    """What the media library needs of a grid occurrence."""

    @property
    def id(self) -> str: ...
    @property
    def show(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def start(self) -> datetime: ...
    @property
    def end(self) -> datetime: ...


class SlotLookup(Protocol):
    def find_occurrence(self, occurrence_id: str) -> Occurrence | None:
        """The occurrence (with ``id``, ``show``, ``start``, ``end`` in aware UTC) or None."""


def slot_fit(occurrence: Occurrence, aired_s: float, tz: ZoneInfo) -> tuple[str, bool]:
    """A plain sentence about the episode's length against the slot, and whether it warns."""
    slot_s = (occurrence.end - occurrence.start).total_seconds()
    local_start = occurrence.start.astimezone(tz)
    if aired_s > slot_s + OVERRUN_GRACE_S:
        fade = occurrence.end.astimezone(tz)
        return (
            f"The episode runs {_clock(aired_s)}, {_clock(aired_s - slot_s)} longer than its "
            f"{_clock(slot_s)} slot: it will be faded out at {fade:%H:%M:%S %Z} "
            f"({fade:%A %d %B}, {tz.key}), before its last {_clock(aired_s - slot_s)}.",
            True,
        )
    if aired_s > slot_s + 0.5:
        fade = occurrence.end.astimezone(tz)
        return (
            f"The episode runs {_clock(aired_s)}, {_clock(aired_s - slot_s)} past its "
            f"{_clock(slot_s)} slot: its end is faded out at {fade:%H:%M:%S %Z} ({tz.key}).",
            False,
        )
    if aired_s < slot_s * MUCH_SHORTER:
        return (
            f"The episode runs only {_clock(aired_s)}, much shorter than its {_clock(slot_s)} "
            f"slot: the rotation would fill the other {_clock(slot_s - aired_s)}. If the "
            "recording was cut short, export it again and upload the whole of it.",
            True,
        )
    if aired_s < slot_s - 0.5:
        ends = (occurrence.start + timedelta(seconds=aired_s)).astimezone(tz)
        return (
            f"The episode runs {_clock(aired_s)}, {_clock(slot_s - aired_s)} shorter than its "
            f"{_clock(slot_s)} slot: the rotation fills the rest, from {ends:%H:%M:%S} to "
            f"{occurrence.end.astimezone(tz):%H:%M:%S %Z} ({tz.key}).",
            False,
        )
    return (
        f"The episode runs {_clock(aired_s)} and fits its slot starting "
        f"{local_start:%A %d %B at %H:%M %Z} ({tz.key}).",
        False,
    )


def much_shorter(occurrence: Occurrence, aired_s: float) -> bool:
    """Whether an episode of ``aired_s`` leaves most of its slot to the rotation."""
    return aired_s < (occurrence.end - occurrence.start).total_seconds() * MUCH_SHORTER


def default_title(occurrence: Occurrence, tz: ZoneInfo) -> str:
    """An episode's title when its file's tags give none: "Show A, 24 November 2026"."""
    day = occurrence.start.astimezone(tz)
    return f"{occurrence.title}, {day.day} {day:%B %Y}"


def _clock(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
