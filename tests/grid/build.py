"""Small builders for grids in tests (plain functions, no fixtures)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from radio.grid.model import Grid, Kind, Occurrence, Pattern, Show, Slot, Weekly

MONDAY = date(2026, 1, 5)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def hm(text: str) -> time:
    return time.fromisoformat(text)


def slot(
    start: str,
    minutes: float,
    pattern: Pattern | None = None,
    *,
    id: str = "r1",
    first: date = MONDAY,
    last: date | None = None,
) -> Slot:
    return Slot(
        id,
        pattern or Weekly(tuple(range(7))),
        hm(start),
        timedelta(minutes=minutes),
        first,
        last,
    )


def show(slug: str, *slots: Slot, kind: Kind = "live", title: str = "") -> Show:
    return Show(slug, title or slug.replace("-", " ").title(), kind, slots=slots)


def grid(*shows: Show) -> Grid:
    return Grid(tuple(shows))


def occurrence(
    show: str, title: str, start: datetime, slot_id: str = "r1", kind: Kind = "prerecorded"
) -> Occurrence:
    """One hour-long airing of ``show`` at ``start`` (UTC), as the grid expands it."""
    return Occurrence(
        id=f"{show}.{slot_id}.{start.date()}", show=show, title=title, kind=kind, start=start,
        end=start + timedelta(hours=1), local_start=start, slot=slot_id, date=start.date(),
        slot_show=show,
    )  # fmt: skip
