"""The grid's vocabulary: shows, their slots, one-off exceptions and the occurrences they make.

Everything here is a frozen dataclass that checks its own invariants on construction and
raises :class:`~radio.errors.GridError` with one sentence when one is broken. Times inside a
slot or an exception are *wall-clock* times in the station's zone (naive); occurrences carry
aware UTC instants. Turning one into the other is :mod:`radio.grid.clock`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Literal

from radio.errors import GridError

Kind = Literal["prerecorded", "live", "music"]
KINDS: tuple[Kind, ...] = ("prerecorded", "live", "music")
Action = Literal["cancel", "move", "replace"]
ACTIONS: tuple[Action, ...] = ("cancel", "move", "replace")
#: Weekday names as the grid files write them; index 0 is Monday (like ``date.weekday()``).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: The dates a grid can name (it keeps arithmetic on dates far from the calendar's ends).
EARLIEST, LATEST = date(2000, 1, 1), date(2199, 12, 31)
MIN_DURATION = timedelta(seconds=1)
MAX_DURATION = timedelta(hours=24)
#: ``nth`` of a monthly rule that means "the last one in the month".
LAST = -1

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLOT_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")
COLOUR_RE = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True)
class Once:
    """A single date: the slot's first (and last) date."""


@dataclass(frozen=True)
class Weekly:
    """On the given weekdays (0 = Monday), every ``every`` weeks.

    Weeks run Monday to Sunday and are counted from the week holding the slot's first date,
    so ``every=2`` airs in that week, two weeks later, and so on.
    """

    days: tuple[int, ...]
    every: int = 1

    def __post_init__(self) -> None:
        if not self.days:
            raise GridError("A weekly slot needs at least one weekday.")
        if any(not 0 <= d <= 6 for d in self.days) or list(self.days) != sorted(set(self.days)):
            raise GridError("Weekdays must be distinct and in order, Monday first.")
        if not 1 <= self.every <= 8:
            raise GridError(f"every must be a number of weeks from 1 to 8, not {self.every}.")


@dataclass(frozen=True)
class MonthlyWeekday:
    """The n-th (1–4) or last (:data:`LAST`) given weekday of each month, e.g. last Friday."""

    nth: int
    weekday: int

    def __post_init__(self) -> None:
        if self.nth not in (1, 2, 3, 4, LAST):
            raise GridError(f'nth must be 1, 2, 3, 4 or "last", not {self.nth}.')
        if not 0 <= self.weekday <= 6:
            raise GridError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}.")


@dataclass(frozen=True)
class MonthlyDay:
    """A day of the month (1–31); months without that day are skipped."""

    day: int

    def __post_init__(self) -> None:
        if not 1 <= self.day <= 31:
            raise GridError(f"day must be a day of the month from 1 to 31, not {self.day}.")


Pattern = Once | Weekly | MonthlyWeekday | MonthlyDay


@dataclass(frozen=True)
class Slot:
    """One slot rule of a show: a pattern of local dates, a local start time and a duration."""

    id: str
    pattern: Pattern
    start: time
    duration: timedelta
    first: date
    last: date | None = None

    def __post_init__(self) -> None:
        if not SLOT_ID_RE.fullmatch(self.id):
            raise GridError(
                f"Slot id {self.id!r} must be 1 to 40 letters, digits, '-' or '_' (no dots)."
            )
        if self.start.tzinfo is not None or self.start.microsecond:
            raise GridError("A slot starts at a local time of day to the second.")
        check_duration(self.duration)
        check_date(self.first)
        if self.last is not None:
            check_date(self.last)
        if isinstance(self.pattern, Once) and self.last != self.first:
            raise GridError("A one-off slot's last date is its date.")
        if self.last is not None and self.last < self.first:
            raise GridError(f"The last date {self.last} is before the first date {self.first}.")

    @classmethod
    def once(cls, id: str, on: date, start: time, duration: timedelta) -> Slot:
        return cls(id, Once(), start, duration, on, on)


def check_date(day: date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise GridError(f"The date {day.isoformat()} is outside the years 2000 to 2199.")


def check_duration(duration: timedelta) -> None:
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise GridError("A duration must be between 1 second and 24 hours.")
    if duration.microseconds:
        raise GridError("A duration is a whole number of seconds.")


def show_problems(
    slug: str, title: str, kind: str, colour: str, slot_ids: Sequence[str]
) -> list[str]:
    """Every problem with a show's own fields, one sentence each (empty when none)."""
    found = []
    if not SLUG_RE.fullmatch(slug) or len(slug) > 60:
        found.append(
            f"The slug {slug!r} must be lower-case letters and digits joined by "
            "single hyphens (at most 60 characters), e.g. 'morning-coffee'."
        )
    if not title.strip():
        found.append("The show needs a title.")
    if kind not in KINDS:
        found.append(f"kind must be one of {', '.join(KINDS)}, not {kind!r}.")
    if colour and not COLOUR_RE.fullmatch(colour):
        found.append(f"colour must look like '#1f77b4', not {colour!r}.")
    if len(set(slot_ids)) != len(slot_ids):
        found.append("Two of the show's slots have the same id.")
    return found


@dataclass(frozen=True)
class Show:
    """A programme: who makes it, what kind it is, and when it airs."""

    slug: str
    title: str
    kind: Kind
    description: str = ""
    presenters: tuple[str, ...] = ()
    category: str = ""
    colour: str = ""
    #: Playout may replay the latest episode when a prerecorded slot has nothing new.
    repeat_latest: bool = False
    slots: tuple[Slot, ...] = ()
    #: Each live slot's recording (from the off-air logger) is published on its own.
    listen_again: bool = False

    def __post_init__(self) -> None:
        problems = show_problems(
            self.slug, self.title, self.kind, self.colour, [s.id for s in self.slots]
        )
        if problems:
            raise GridError(problems[0])

    def slot(self, slot_id: str) -> Slot | None:
        return next((s for s in self.slots if s.id == slot_id), None)


@dataclass(frozen=True)
class SlotException:
    """A change to one occurrence (not an error): cancel it, move it, or put another show in.

    ``start`` (a local wall-clock datetime) and ``duration`` are for ``move``; either or both.
    ``replacement`` is the slug of the show that airs instead, for ``replace``.
    """

    show: str
    slot: str
    date: date
    action: Action
    start: datetime | None = None
    duration: timedelta | None = None
    replacement: str | None = None

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise GridError(f"action must be one of {', '.join(ACTIONS)}, not {self.action!r}.")
        moves = self.start is not None or self.duration is not None
        if self.action == "move" and not moves:
            raise GridError("A move needs a new start, a new duration, or both.")
        if self.action != "move" and moves:
            raise GridError(f"A {self.action} takes no start or duration; use a move.")
        if (self.action == "replace") != (self.replacement is not None):
            raise GridError("A replace names the show that airs instead (and only a replace).")
        if self.start is not None and (self.start.tzinfo is not None or self.start.microsecond):
            raise GridError("A moved start is a local date and time to the second.")
        if self.duration is not None:
            check_duration(self.duration)
        check_date(self.date)
        if self.start is not None:
            check_date(self.start.date())

    @property
    def occurrence_id(self) -> str:
        return occurrence_id(self.show, self.slot, self.date)


@dataclass(frozen=True)
class Grid:
    """The whole programme grid: shows (with their slots) and exceptions."""

    shows: tuple[Show, ...] = ()
    exceptions: tuple[SlotException, ...] = ()

    @cached_property
    def by_slug(self) -> dict[str, Show]:
        return {show.slug: show for show in self.shows}

    @cached_property
    def by_occurrence(self) -> dict[str, SlotException]:
        return {exc.occurrence_id: exc for exc in self.exceptions}

    def show(self, slug: str) -> Show | None:
        return self.by_slug.get(slug)


@dataclass(frozen=True)
class Occurrence:
    """One airing: a show from ``start`` to ``end`` (aware UTC, half-open).

    ``id`` is stable: it names the slot's show, the slot and the slot's local date, and does
    not change when an exception moves the occurrence or puts another show in (then ``show``
    differs from ``slot_show`` and ``change`` says so).
    """

    id: str
    show: str
    title: str
    kind: Kind
    start: datetime
    end: datetime
    local_start: datetime
    slot: str
    date: date
    slot_show: str
    change: Literal["moved", "replaced"] | None = None

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(self.local_start.tzinfo)


@dataclass(frozen=True)
class Gap:
    """An unscheduled stretch ``[start, end)`` that the rotation fills."""

    start: datetime
    end: datetime


def occurrence_id(show: str, slot: str, day: date) -> str:
    """``show.slot.YYYY-MM-DD``: URL-safe, and unique because slugs and slot ids have no dots."""
    return f"{show}.{slot}.{day.isoformat()}"


def parse_occurrence_id(value: str) -> tuple[str, str, date] | None:
    """The (show, slot, local date) an occurrence id names, or None if it is not one."""
    parts = value.split(".")
    if len(parts) != 3 or not SLUG_RE.fullmatch(parts[0]) or not SLOT_ID_RE.fullmatch(parts[1]):
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", parts[2]):
        return None
    try:
        return parts[0], parts[1], date.fromisoformat(parts[2])
    except ValueError:
        return None
