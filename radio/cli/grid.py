"""``radio grid …``: check, import, export and expand the programme grid."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from radio.clock import utc_iso
from radio.config import Settings
from radio.errors import GridError
from radio.grid import tomlfile
from radio.grid.clock import local_midnight
from radio.grid.conflicts import clashes, describe, grid_clashes
from radio.grid.expand import expand
from radio.grid.model import Grid, Occurrence, check_date
from radio.grid.validate import InvalidGrid


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("grid", help="the programme grid")
    actions = parser.add_subparsers(dest="grid_command", metavar="ACTION", required=True)

    check = actions.add_parser("check", help="check a grid file; print every problem")
    check.add_argument("file", type=Path, metavar="FILE")
    check.set_defaults(handler=_check, needs_station=False)

    load = actions.add_parser(
        "import", help="replace the database's grid with a file's (all or nothing)"
    )
    load.add_argument("file", type=Path, metavar="FILE")
    load.add_argument("--reason", default="", help="why (shown on the public change log)")
    load.set_defaults(handler=_import)

    export = actions.add_parser("export", help="write the database's grid as TOML")
    export.add_argument("file", type=Path, nargs="?", metavar="FILE", help="(default: stdout)")
    export.set_defaults(handler=_export)

    show = actions.add_parser(
        "expand",
        help="list a grid file's occurrences between two local dates",
        description="List the occurrences overlapping [--from, --to): local midnight to "
        "local midnight in the station's time zone, --to not included.",
    )
    show.add_argument("file", type=Path, metavar="FILE")
    show.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    show.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD")
    show.add_argument("--json", action="store_true", help="print a JSON list")
    show.set_defaults(handler=_expand, needs_station=False)


def _check(args: argparse.Namespace, settings: Settings) -> int:
    today = datetime.now(UTC).astimezone(settings.tz).date()
    problems: list[str] = []
    try:
        grid: Grid | None = tomlfile.loads(_text(args.file), str(args.file))
    except InvalidGrid as exc:
        # Every problem at once: overlaps among the shows that read cleanly too.
        grid, problems = exc.readable, list(exc.problems)
    if grid is not None:
        try:
            clashing = grid_clashes(grid, settings.tz, today)
        except GridError:  # a part too broken to expand: its problems are already listed
            clashing = []
        problems += [f"{args.file}: {describe(c, settings.tz)}" for c in clashing]
    if grid is None or problems:
        return _report(args.file, problems)
    slots = sum(len(show.slots) for show in grid.shows)
    print(
        f"{args.file}: OK: {len(grid.shows)} shows, {slots} slots, "
        f"{len(grid.exceptions)} exceptions; no overlaps in the year from {today}."
    )
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from radio.cli import station_services

    text = _text(args.file)
    with station_services(settings) as services:
        try:
            grid = services.grid.import_grid(io.StringIO(text), str(args.file))
        except InvalidGrid as exc:
            return _report(args.file, exc.problems)
        summary = f"{len(grid.shows)} shows, {len(grid.exceptions)} exceptions"
        # The grid's decisions are open: a whole import is on /changes like any edit.
        services.changelog.record(
            at=services.clock(),
            who="the station's command line",
            what=f"Replaced the whole grid from {args.file.name}: {summary}.",
            reason=args.reason,
        )
    print(f"Imported {args.file}: {summary}.")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from radio.cli import station_services

    text = io.StringIO()
    with station_services(settings) as services:
        services.grid.export_grid(text)
    if args.file is None:
        sys.stdout.write(text.getvalue())
        return 0
    partial = args.file.with_name(f".{args.file.name}.partial")
    try:
        partial.write_text(text.getvalue(), encoding="utf-8")
        os.replace(partial, args.file)
    except OSError as exc:
        raise GridError(f"Cannot write {args.file}: {exc.strerror}.") from None
    print(f"Exported the grid to {args.file}.", file=sys.stderr)
    return 0


def _expand(args: argparse.Namespace, settings: Settings) -> int:
    first, last = _day("--from", args.start), _day("--to", args.end)
    if last <= first:
        raise GridError("--to must be a later date than --from (--to is not included).")
    grid = _read(args.file)
    if grid is None:
        return 1
    tz = settings.tz
    occurrences = expand(grid, tz, local_midnight(first, tz), local_midnight(last, tz))
    for clash in clashes(occurrences):
        print(f"warning: {args.file}: {describe(clash, tz)}", file=sys.stderr)
    if args.json:
        print(json.dumps([_json(o) for o in occurrences], indent=2))
    else:
        for occ in occurrences:
            print(_line(occ))
    return 0


def _read(path: Path) -> Grid | None:
    """The grid in ``path``, or None after printing every problem."""
    try:
        return tomlfile.loads(_text(path), str(path))
    except InvalidGrid as exc:
        _report(path, exc.problems)
        return None


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise GridError(f"{path} is not UTF-8 text; save it as UTF-8 and try again.") from None
    except OSError as exc:
        raise GridError(f"Cannot read the grid file {path}: {exc.strerror}.") from None


def _report(path: Path, problems: tuple[str, ...] | list[str]) -> int:
    for problem in problems:
        print(problem, file=sys.stderr)
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    print(f"radio: {path} has {count}; nothing was changed.", file=sys.stderr)
    return 1


def _day(option: str, value: str) -> date:
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            check_date(day)
            return day
    except (ValueError, GridError):
        pass
    raise GridError(
        f"{option} must be a date from 2000 to 2199 written YYYY-MM-DD, e.g. 2026-11-24, "
        f"not {value!r}."
    )


def _iso(at: datetime) -> str:
    return utc_iso(at)


def _json(occ: Occurrence) -> dict[str, str]:
    return {"show": occ.show, "start": _iso(occ.start), "end": _iso(occ.end), "id": occ.id}


def _line(occ: Occurrence) -> str:
    local = occ.local_start
    end = occ.local_end
    return (
        f"{local:%a %Y-%m-%d %H:%M:%S %Z} to {end:%H:%M:%S %Z}  {occ.show:<24} "
        f"{occ.title} ({occ.kind}){'  [' + occ.change + ']' if occ.change else ''}"
    )
