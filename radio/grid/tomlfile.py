"""Grid files: ``load(fp)`` reads TOML text into a :class:`Grid`, ``dump(grid, fp)`` writes it.

The format is documented in ``schedules/README.md``. ``load`` reports every problem it finds
at once, each as one sentence naming the file and the show, through
:class:`~radio.grid.validate.InvalidGrid`. ``dump`` writes one canonical form, so loading what
it wrote and dumping again gives the same bytes.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, timedelta
from typing import IO

from radio.grid import textforms as tf
from radio.grid.model import LAST, WEEKDAYS, Grid, MonthlyWeekday, Once, Slot, Weekly
from radio.grid.reader import Reader
from radio.grid.validate import InvalidGrid, validate_grid

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
    reader = Reader(source)
    grid = reader.grid(data)
    problems = reader.problems + [f"{source}: {p}" for p in validate_grid(grid, reader.broken)]
    if problems:
        raise InvalidGrid(problems, readable=_readable(grid))
    return grid


def _readable(grid: Grid) -> Grid:
    """The part of a grid with problems that can still be checked for overlaps."""
    slugs = {show.slug for show in grid.shows}
    exceptions = tuple(
        e for e in grid.exceptions if e.show in slugs and (e.replacement or e.show) in slugs
    )
    return Grid(grid.shows, exceptions)


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
            repeat_latest=show.repeat_latest, listen_again=show.listen_again,
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
