"""Reading a parsed grid file (the dict ``tomllib`` gives) into domain objects.

:class:`Reader` notes every problem it meets, one sentence each naming the file, the show and
the key, and carries on, so a person sees all of them at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from radio.errors import GridError
from radio.grid import textforms as tf
from radio.grid.model import (
    ACTIONS,
    KINDS,
    Grid,
    MonthlyDay,
    MonthlyWeekday,
    Once,
    Pattern,
    Show,
    Slot,
    SlotException,
    Weekly,
    show_problems,
)

T = TypeVar("T")
C = TypeVar("C", bound=str)

SHOW_KEYS = ("slug", "title", "kind", "description", "presenters", "category", "colour",
             "repeat_latest", "listen_again", "slot")  # fmt: skip
SLOT_KEYS = {
    "once": ("id", "repeat", "date", "start", "duration"),
    "weekly": ("id", "repeat", "days", "every", "start", "duration", "from", "until"),
    "monthly": ("id", "repeat", "nth", "weekday", "day", "start", "duration", "from", "until"),
}
EXCEPTION_KEYS = ("show", "slot", "date", "action", "start", "duration", "with")


class Reader:
    """Turns the parsed TOML into domain objects, noting every problem on the way."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []
        self.broken: set[str] = set()

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.source}: {where}: {message}")

    def grid(self, data: Mapping[str, object]) -> Grid:
        self.keys("the file", data, ("show", "exception"))
        shows = [
            show
            for i, table in enumerate(self.tables("the file", data, "show"), 1)
            if (show := self.show(i, table)) is not None
        ]
        exceptions = [
            exc
            for i, table in enumerate(self.tables("the file", data, "exception"), 1)
            if (exc := self.exception(i, table)) is not None
        ]
        return Grid(tuple(shows), tuple(exceptions))

    def tables(
        self, where: str, data: Mapping[str, object], key: str
    ) -> list[Mapping[str, object]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(where, f"'{key}' must be a list of tables, written [[{key}]].")
            return []
        return value

    def keys(self, where: str, table: Mapping[str, object], known: tuple[str, ...]) -> None:
        for key in table:
            if key not in known:
                self.problem(where, f"unknown key '{key}'; the keys here are {', '.join(known)}.")

    def value(
        self, where: str, table: Mapping[str, object], key: str, parse: Callable[[object], T]
    ) -> T | None:
        if key not in table:
            self.problem(where, f"'{key}' is missing.")
            return None
        try:
            return parse(table[key])
        except (ValueError, GridError) as exc:
            self.problem(where, f"{key} {str(exc).rstrip('.')}.")
            return None

    def optional(
        self, where: str, table: Mapping[str, object], key: str, parse: Callable[[object], T]
    ) -> T | None:
        return self.value(where, table, key, parse) if key in table else None

    def show(self, index: int, table: Mapping[str, object]) -> Show | None:
        slug = table.get("slug")
        where = f"show '{slug}'" if isinstance(slug, str) and slug else f"show #{index}"
        before = len(self.problems)
        self.keys(where, table, SHOW_KEYS)
        name = self.value(where, table, "slug", _text)
        title = self.value(where, table, "title", _text)
        kind = self.value(where, table, "kind", _choice(KINDS))
        description = self.optional(where, table, "description", _text)
        category = self.optional(where, table, "category", _text)
        colour = self.optional(where, table, "colour", _text)
        presenters = self.optional(where, table, "presenters", _names)
        repeat_latest = self.optional(where, table, "repeat_latest", _flag)
        listen_again = self.optional(where, table, "listen_again", _flag)
        slots = [
            self.slot(where, i, slot) for i, slot in enumerate(self.tables(where, table, "slot"), 1)
        ]
        parsed = tuple(s for s in slots if s)
        if name is not None and title is not None and kind is not None:
            # The show's own fields are checked even when a slot has problems: all at once.
            for message in show_problems(name, title, kind, colour or "", [s.id for s in parsed]):
                self.problem(where, message)
            if len(self.problems) == before:  # show_problems above found nothing to refuse
                return Show(
                    slug=name, title=title, kind=kind, description=description or "",
                    presenters=presenters or (), category=category or "", colour=colour or "",
                    repeat_latest=bool(repeat_latest), slots=parsed,
                    listen_again=bool(listen_again),
                )  # fmt: skip
        self.broken.add(str(slug))
        return None

    def slot(self, show: str, index: int, table: Mapping[str, object]) -> Slot | None:
        slot_id = table.get("id", f"r{index}")
        where = f"{show} slot '{slot_id}'"
        before = len(self.problems)
        repeat = self.value(where, table, "repeat", _choice(tuple(SLOT_KEYS)))
        if repeat is None:
            return None
        self.keys(where, table, SLOT_KEYS[repeat])
        start = self.value(where, table, "start", tf.parse_time)
        duration = self.value(where, table, "duration", tf.parse_duration)
        pattern: Pattern | None = Once()
        if repeat == "once":
            first = self.value(where, table, "date", tf.parse_date)
            last = first
        else:
            first = self.value(where, table, "from", tf.parse_date)
            last = self.optional(where, table, "until", tf.parse_date)
            if first is not None and last is not None and last < first:
                self.problem(where, f"The last date {last} is before the first date {first}.")
            pattern = self.pattern(where, repeat, table)
        if len(self.problems) > before:
            return None
        assert start is not None and duration is not None and first is not None and pattern
        try:
            return Slot(_text(slot_id), pattern, start, duration, first, last)
        except (ValueError, GridError) as exc:
            self.problem(where, str(exc) if isinstance(exc, GridError) else f"id {exc}.")
            return None

    def pattern(self, where: str, repeat: str, table: Mapping[str, object]) -> Pattern | None:
        try:
            if repeat == "weekly":
                days = self.value(where, table, "days", _weekdays)
                every = self.value(where, table, "every", _number) if "every" in table else 1
                return Weekly(days, every) if days and every else None
            if "day" in table:
                if "nth" in table or "weekday" in table:
                    self.problem(where, "write either day, or nth and weekday, not both.")
                    return None
                day = self.value(where, table, "day", _number)
                return None if day is None else MonthlyDay(day)
            nth = self.value(where, table, "nth", tf.parse_nth)
            weekday = self.value(where, table, "weekday", tf.parse_weekday)
            return None if nth is None or weekday is None else MonthlyWeekday(nth, weekday)
        except GridError as exc:
            self.problem(where, str(exc))
            return None

    def exception(self, index: int, table: Mapping[str, object]) -> SlotException | None:
        names = [str(table.get(k, "?")) for k in ("show", "slot", "date")]
        where = f"exception #{index} ({'.'.join(names)})"
        before = len(self.problems)
        self.keys(where, table, EXCEPTION_KEYS)
        show = self.value(where, table, "show", _text)
        slot = self.value(where, table, "slot", _text)
        day = self.value(where, table, "date", tf.parse_date)
        action = self.value(where, table, "action", _choice(ACTIONS))
        start = self.optional(where, table, "start", tf.parse_local_datetime)
        duration = self.optional(where, table, "duration", tf.parse_duration)
        other = self.optional(where, table, "with", _text)
        if len(self.problems) > before:
            return None
        assert show is not None and slot is not None and day is not None and action
        try:
            return SlotException(show, slot, day, action, start, duration, other)
        except GridError as exc:
            self.problem(where, str(exc))
            return None


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be text in quotes, not {value!r}")
    return value


def _names(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError('must be a list of names, e.g. ["Amina Khan", "Joe Bloggs"]')
    return tuple(value)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {value!r}")
    return value


def _number(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"must be a whole number, not {value!r}")
    return value


def _weekdays(value: object) -> tuple[int, ...]:
    if not isinstance(value, list) or not value:
        raise ValueError('must be a list of weekdays, e.g. ["mon", "wed"]')
    days = [tf.parse_weekday(v) for v in value]
    if len(set(days)) != len(days):
        raise ValueError("names a weekday twice")
    return tuple(sorted(days))


def _choice(options: tuple[C, ...]) -> Callable[[object], C]:
    def parse(value: object) -> C:
        for option in options:
            if value == option:
                return option
        raise ValueError(f"must be one of {', '.join(options)}, not {value!r}")

    return parse
