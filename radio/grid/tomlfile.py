"""Grid files: ``load(fp)`` reads TOML text into a :class:`Grid`, ``dump(grid, fp)`` writes it.

The format is documented in ``schedules/README.md``. ``load`` reports every problem it finds
at once, each as one sentence naming the file and the show, through
:class:`~radio.grid.validate.InvalidGrid`. ``dump`` writes one canonical form, so loading what
it wrote and dumping again gives the same bytes.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import IO, Any, TypeVar

from radio.errors import GridError
from radio.grid import textforms as tf
from radio.grid.model import (
    ACTIONS,
    KINDS,
    LAST,
    WEEKDAYS,
    Grid,
    MonthlyDay,
    MonthlyWeekday,
    Once,
    Pattern,
    Show,
    Slot,
    SlotException,
    Weekly,
)
from radio.grid.validate import InvalidGrid, validate_grid

T = TypeVar("T")

SHOW_KEYS = ("slug", "title", "kind", "description", "presenters", "category", "colour",
             "repeat_latest", "slot")  # fmt: skip
SLOT_KEYS = {
    "once": ("id", "repeat", "date", "start", "duration"),
    "weekly": ("id", "repeat", "days", "every", "start", "duration", "from", "until"),
    "monthly": ("id", "repeat", "nth", "weekday", "day", "start", "duration", "from", "until"),
}
EXCEPTION_KEYS = ("show", "slot", "date", "action", "start", "duration", "with")
HEADER = (
    "# Programme grid: shows, their slots and one-off exceptions.\n"
    "# Dates and times are wall-clock times in the station's time zone.\n"
    "# The format is described in schedules/README.md.\n"
)


def load(fp: IO[str], source: str = "<grid>") -> Grid:
    """Read a grid file; raise :class:`InvalidGrid` listing every problem."""
    return loads(fp.read(), source)


def loads(text: str, source: str = "<grid>") -> Grid:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidGrid([f"{source}: this is not valid TOML: {exc}."]) from None
    reader = _Reader(source)
    grid = reader.grid(data)
    problems = reader.problems + [f"{source}: {p}" for p in validate_grid(grid, reader.broken)]
    if problems:
        raise InvalidGrid(problems)
    return grid


class _Reader:
    """Turns the parsed TOML into domain objects, noting every problem on the way."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []
        self.broken: set[str] = set()

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{self.source}: {where}: {message}")

    def grid(self, data: Mapping[str, Any]) -> Grid:
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

    def tables(self, where: str, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.problem(where, f"'{key}' must be a list of tables, written [[{key}]].")
            return []
        return value

    def keys(self, where: str, table: Mapping[str, Any], known: tuple[str, ...]) -> None:
        for key in table:
            if key not in known:
                self.problem(where, f"unknown key '{key}'; the keys here are {', '.join(known)}.")

    def value(
        self, where: str, table: Mapping[str, Any], key: str, parse: Callable[[Any], T]
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
        self, where: str, table: Mapping[str, Any], key: str, parse: Callable[[Any], T]
    ) -> T | None:
        return self.value(where, table, key, parse) if key in table else None

    def show(self, index: int, table: Mapping[str, Any]) -> Show | None:
        slug = table.get("slug")
        where = f"show '{slug}'" if isinstance(slug, str) and slug else f"show #{index}"
        before = len(self.problems)
        self.keys(where, table, SHOW_KEYS)
        fields: dict[str, Any] = {
            "slug": self.value(where, table, "slug", _text),
            "title": self.value(where, table, "title", _text),
            "kind": self.value(where, table, "kind", _choice(KINDS)),
        }
        for key, parse in (("description", _text), ("category", _text), ("colour", _text),
                           ("presenters", _names), ("repeat_latest", _flag)):  # fmt: skip
            if key in table:
                fields[key] = self.value(where, table, key, parse)
        slots = [
            self.slot(where, i, slot) for i, slot in enumerate(self.tables(where, table, "slot"), 1)
        ]
        if len(self.problems) == before:
            try:
                return Show(**fields, slots=tuple(s for s in slots if s))
            except GridError as exc:
                self.problem(where, str(exc))
        self.broken.add(str(slug))
        return None

    def slot(self, show: str, index: int, table: Mapping[str, Any]) -> Slot | None:
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
            pattern = self.pattern(where, repeat, table)
        if len(self.problems) > before:
            return None
        assert start is not None and duration is not None and first is not None and pattern
        try:
            return Slot(_text(slot_id), pattern, start, duration, first, last)
        except (ValueError, GridError) as exc:
            self.problem(where, str(exc) if isinstance(exc, GridError) else f"id {exc}.")
            return None

    def pattern(self, where: str, repeat: str, table: Mapping[str, Any]) -> Pattern | None:
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

    def exception(self, index: int, table: Mapping[str, Any]) -> SlotException | None:
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


def _choice(options: tuple[str, ...]) -> Callable[[object], Any]:
    def parse(value: object) -> str:
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}, not {value!r}")
        assert isinstance(value, str)
        return value

    return parse


def dump(grid: Grid, fp: IO[str]) -> None:
    """Write the grid in its canonical form."""
    fp.write(dumps(grid))


def dumps(grid: Grid) -> str:
    out = [HEADER]
    for show in grid.shows:
        out.append("\n[[show]]\n")
        out.append(_pairs(
            slug=show.slug, title=show.title, kind=show.kind, description=show.description,
            presenters=list(show.presenters), category=show.category, colour=show.colour,
            repeat_latest=show.repeat_latest,
        ))  # fmt: skip
        for slot in show.slots:
            out.append("\n[[show.slot]]\n")
            out.append(_pairs(**_slot_fields(slot)))
    for exc in grid.exceptions:
        out.append("\n[[exception]]\n")
        out.append(_pairs(
            show=exc.show, slot=exc.slot, date=exc.date, action=exc.action, start=exc.start,
            duration=exc.duration, **{"with": exc.replacement},
        ))  # fmt: skip
    return "".join(out)


def _slot_fields(slot: Slot) -> dict[str, object]:
    fields: dict[str, object] = {"id": slot.id}
    p = slot.pattern
    if isinstance(p, Once):
        fields.update(repeat="once", date=slot.first)
    elif isinstance(p, Weekly):
        days = [WEEKDAYS[d] for d in p.days]
        fields.update(repeat="weekly", days=days, every=p.every if p.every > 1 else None)
    elif isinstance(p, MonthlyWeekday):
        fields.update(repeat="monthly", nth="last" if p.nth == LAST else p.nth,
                      weekday=WEEKDAYS[p.weekday])  # fmt: skip
    else:
        fields.update(repeat="monthly", day=p.day)
    fields.update(start=tf.format_time(slot.start), duration=slot.duration)
    if not isinstance(p, Once):
        fields.update({"from": slot.first, "until": slot.last})
    return fields


def _pairs(**fields: object) -> str:
    """``key = value`` lines, leaving out empty values (None, "", [], false)."""
    empty: tuple[object, ...] = (None, "", [], False)
    return "".join(f"{key} = {_value(v)}\n" for key, v in fields.items() if v not in empty)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return _string(tf.format_duration(value))
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} to a grid file")


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}  # fmt: skip


def _string(text: str) -> str:
    """A TOML basic string."""
    chars = (
        _ESCAPES.get(c) or (f"\\u{ord(c):04X}" if ord(c) < 0x20 or ord(c) == 0x7F else c)
        for c in text
    )
    return '"' + "".join(chars) + '"'
