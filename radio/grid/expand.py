"""Expansion: the occurrences a grid makes in a window of time."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date, datetime, timedelta, tzinfo

from radio.grid.clock import interval, local_date
from radio.grid.model import (
    Grid,
    Occurrence,
    Show,
    Slot,
    SlotException,
    occurrence_id,
    parse_occurrence_id,
)
from radio.grid.recurrence import dates, occurs_on

#: How far before a window an occurrence that overlaps it can start (24 h plus a clock change).
_LOOKBACK = timedelta(days=2)


def expand(
    grid: Grid,
    tz: tzinfo,
    start: datetime,
    end: datetime,
    shows: Collection[str] | None = None,
) -> list[Occurrence]:
    """The occurrences overlapping ``[start, end)``, ordered by start.

    An occurrence overlaps when it starts before ``end`` and ends after ``start``, so one
    that ends exactly at ``start`` (or starts exactly at ``end``) is left out. With ``shows``,
    only the occurrences of those shows' slots (exceptions included) are made.
    """
    found = [
        occ
        for occ in _candidates(grid, tz, local_date(start, tz), local_date(end, tz), shows)
        if occ.start < end and occ.end > start
    ]
    found.sort(key=_order)
    return found


def _order(occ: Occurrence) -> tuple[datetime, str]:
    return occ.start, occ.show


def _candidates(
    grid: Grid, tz: tzinfo, first: date, last: date, shows: Collection[str] | None
) -> Iterator[Occurrence]:
    lo, hi = first - _LOOKBACK, last + timedelta(days=1)
    changed = grid.by_occurrence
    for show in grid.shows:
        if shows is not None and show.slug not in shows:
            continue
        for slot in show.slots:
            for day in dates(slot, lo, hi):
                occ_id = occurrence_id(show.slug, slot.id, day)
                if occ_id not in changed:
                    yield make(show, slot, day, tz, occ_id)
    for exc in grid.exceptions:
        if shows is None or exc.show in shows:
            occ = apply_exception(grid, exc, tz)
            if occ is not None:
                yield occ


def make(show: Show, slot: Slot, day: date, tz: tzinfo, occ_id: str | None = None) -> Occurrence:
    """The occurrence of ``slot`` on local date ``day`` (no exception applied)."""
    start, end = interval(datetime.combine(day, slot.start), slot.duration, tz)
    return Occurrence(
        occ_id or occurrence_id(show.slug, slot.id, day),
        show.slug,
        show.title,
        show.kind,
        start,
        end,
        start.astimezone(tz),
        slot.id,
        day,
        show.slug,
    )


def apply_exception(grid: Grid, exc: SlotException, tz: tzinfo) -> Occurrence | None:
    """The occurrence an exception leaves (None when cancelled or naming nothing)."""
    show = grid.show(exc.show)
    slot = show.slot(exc.slot) if show else None
    if show is None or slot is None or exc.action == "cancel":
        return None
    if exc.action == "replace":
        other = grid.show(exc.replacement or "")
        if other is None:
            return None
        occ = make(show, slot, exc.date, tz)
        return Occurrence(
            occ.id, other.slug, other.title, other.kind, occ.start, occ.end, occ.local_start,
            slot.id, exc.date, show.slug, "replaced",
        )  # fmt: skip
    wall = exc.start or datetime.combine(exc.date, slot.start)
    start, end = interval(wall, exc.duration or slot.duration, tz)
    return Occurrence(
        exc.occurrence_id, show.slug, show.title, show.kind, start, end, start.astimezone(tz),
        slot.id, exc.date, show.slug, "moved",
    )  # fmt: skip


def find(grid: Grid, tz: tzinfo, occ_id: str) -> Occurrence | None:
    """The occurrence with this id as it airs (after exceptions), or None."""
    parsed = parse_occurrence_id(occ_id)
    if parsed is None:
        return None
    slug, slot_id, day = parsed
    show = grid.show(slug)
    slot = show.slot(slot_id) if show else None
    if show is None or slot is None or not occurs_on(slot, day):
        return None
    exc = grid.by_occurrence.get(occ_id)
    return apply_exception(grid, exc, tz) if exc else make(show, slot, day, tz, occ_id)
