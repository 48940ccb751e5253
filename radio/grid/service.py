"""The grid service: the stored grid, read and edited safely. Playout, media and web use this.

Reads come from a cached :class:`Grid` that is reloaded when the stored version counter moves.
Every edit runs inside :meth:`Database.write` (SQLite's write lock, taken up front), re-reads
the grid if another process changed it, validates the result and checks it for clashes over
the horizon before writing. So the stored grid never holds an overlap, and of two people
editing at once the second sees the first one's change and gets the conflict.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from radio.clock import Clock, system_clock
from radio.db import Database
from radio.errors import GridConflict, GridError
from radio.grid import store, tomlfile
from radio.grid.clock import local_midnight
from radio.grid.conflicts import (
    HORIZON,
    check_edit,
    check_windows,
    conflict_message,
    describe,
    grid_clashes,
)
from radio.grid.edits import Edit
from radio.grid.expand import expand, find
from radio.grid.model import Gap, Grid, Occurrence, Show, Slot, SlotException
from radio.grid.timeline import Timeline, find_gaps, next_occurrences
from radio.grid.validate import InvalidGrid, validate_grid

log = logging.getLogger(__name__)


class GridService:
    """The programme grid as stored in ``db``, in the station's zone ``tz``."""

    def __init__(
        self,
        db: Database,
        tz: ZoneInfo,
        *,
        horizon: timedelta = HORIZON,
        clock: Clock = system_clock,
    ) -> None:
        self.db = db
        self.tz = tz
        self.horizon = horizon
        self.clock = clock
        self._grid: tuple[int, Grid] | None = None
        self._timeline: tuple[int, date, Timeline] | None = None

    # Reading ---------------------------------------------------------------------------

    def grid(self) -> Grid:
        """The stored grid (cached until it changes)."""
        with self.db.session() as session:
            return self._load(session)[1]

    def version(self) -> int:
        """The stored grid's version: it moves on every change, made by any process.

        Cheap (one row on a pooled connection, no session or transaction around it): pages
        ask on every request whether what they rendered is still current."""
        return store.read_version(self.db.engine)

    def list_shows(self) -> list[Show]:
        return list(self.grid().shows)

    def get_show(self, slug: str) -> Show | None:
        return self.grid().show(slug)

    def expand(self, start: datetime, end: datetime, show: str | None = None) -> list[Occurrence]:
        """Occurrences overlapping ``[start, end)`` in start order (of one show, if named:
        the show on air, so replacements count for the show that airs)."""
        found = self._between(start, end)
        return [o for o in found if o.show == show] if show else found

    def scheduled_at(self, at: datetime) -> Occurrence | None:
        """What is on air at ``at`` (start <= at < end), or None in a gap."""
        return Timeline.of(self._between(at, at + timedelta(microseconds=1)), at, at).at(at)

    def next_occurrences(self, after: datetime, n: int) -> list[Occurrence]:
        """The next ``n`` occurrences starting strictly after ``after``."""
        with self.db.session() as session:
            version, grid = self._load(session)
        cached = self._timeline
        if cached and cached[0] == version and cached[2].start <= after:
            found = cached[2].after(after, n)
            if len(found) == n:
                return found
        return next_occurrences(grid, self.tz, after, n)

    def gaps(self, start: datetime, end: datetime) -> list[Gap]:
        """The unscheduled stretches of ``[start, end)``, for the rotation."""
        return find_gaps(self._between(start, end), start, end)

    def find_occurrence(self, occurrence_id: str) -> Occurrence | None:
        """The occurrence with this id as it airs (moved or replaced), None if there is none
        (unknown, or cancelled)."""
        return find(self.grid(), self.tz, occurrence_id)

    def export_grid(self, fp: IO[str]) -> None:
        tomlfile.dump(self.grid(), fp)

    # Whole grids -------------------------------------------------------------------------

    def check(self, grid: Grid, source: str = "<grid>") -> list[str]:
        """Problems beyond the file's own: clashes over the horizon from today."""
        return [
            f"{source}: {describe(c, self.tz)}"
            for c in grid_clashes(grid, self.tz, self._today(), self.horizon)
        ]

    def import_grid(self, fp: IO[str], source: str = "<grid>") -> Grid:
        """Replace the stored grid with the file's, all or nothing (:class:`InvalidGrid`)."""
        grid = tomlfile.load(fp, source)
        problems = self.check(grid, source)
        if problems:
            raise InvalidGrid(problems)
        self._write(lambda version, old, session: grid)
        log.info("imported the grid from %s: %d shows", source, len(grid.shows))
        return grid

    def seed_if_empty(self, path: Path) -> bool:
        """Import ``path`` if the database has no shows yet; True if it did."""
        with self.db.session() as session:
            if not store.is_empty(session):
                return False
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise GridError(f"Cannot read the grid file {path}: {exc.strerror}.") from None
        grid = tomlfile.loads(text, str(path))
        problems = self.check(grid, str(path))
        if problems:
            raise InvalidGrid(problems)
        stored = self._write(lambda version, old, session: old if old.shows else grid)
        if stored is grid:
            log.info("seeded the grid from %s", path)
        return stored is grid

    # Edits --------------------------------------------------------------------------------

    def save_show(self, show: Show) -> Grid:
        """Add a show, or replace the one with the same slug (details and slots)."""
        return self.apply(Edit.save_show(show))

    def add_show(self, show: Show) -> Grid:
        """Add a new show; refused if one of that slug was added meanwhile."""
        return self.apply(Edit.add_show(show))

    def save_details(self, show: Show) -> Grid:
        """Change a show's details; its slots stay as they are (``show.slots`` is ignored)."""
        return self.apply(Edit.save_details(show))

    def remove_show(self, slug: str) -> Grid:
        return self.apply(Edit.remove_show(slug))

    def add_slot(self, slug: str, slot: Slot) -> Grid:
        return self.apply(Edit.add_slot(slug, slot))

    def add_new_slot(self, slug: str, slot: Slot) -> tuple[Grid, Slot]:
        """Add ``slot`` under the show's next free id; the grid and the slot as added."""
        grid = self.apply(Edit.add_new_slot(slug, slot))
        show = grid.show(slug)
        assert show is not None
        return grid, show.slots[-1]

    def change_slot(self, slug: str, slot: Slot) -> Grid:
        """Replace the show's slot that has ``slot.id``."""
        return self.apply(Edit.change_slot(slug, slot))

    def remove_slot(self, slug: str, slot_id: str) -> Grid:
        """Remove a slot and the exceptions on its occurrences."""
        return self.apply(Edit.remove_slot(slug, slot_id))

    def add_exception(self, exception: SlotException) -> Grid:
        """Cancel, move or replace one occurrence (replacing an earlier exception for it)."""
        return self.apply(Edit.add_exception(exception))

    def remove_exception(self, occurrence_id: str) -> Grid:
        return self.apply(Edit.remove_exception(occurrence_id))

    def apply(self, edit: Edit, *, within: Callable[[Session], None] | None = None) -> Grid:
        """Apply one edit under the write lock; refuse it with :class:`InvalidGrid`,
        :class:`GridConflict` or :class:`NotFound`, leaving the stored grid as it was.

        ``within`` runs first in the same transaction (for rows of other areas that must
        change with the grid, or not at all); whatever it raises refuses the edit too."""

        timelines: list[tuple[date, Timeline]] = []

        def change(version: int, old: Grid, session: Session) -> Grid:
            if within is not None:
                within(session)
            new = edit.apply(old)
            problems = validate_grid(new)
            if problems:
                raise InvalidGrid(problems)
            timelines.append(self._check_edit(version, old, new, edit.touched))
            return new

        new = self._write(change)
        if timelines and self._grid is not None and self._grid[1] is new:
            self._timeline = (self._grid[0], *timelines[-1])
        return new

    def try_edit(self, edit: Edit) -> None:
        """Refuse ``edit`` as :meth:`apply` would, without saving anything (a dry run)."""
        with self.db.session() as session:
            version, old = self._load(session)
        new = edit.apply(old)
        problems = validate_grid(new)
        if problems:
            raise InvalidGrid(problems)
        self._check_edit(version, old, new, edit.touched)

    # Inside --------------------------------------------------------------------------------

    def _today(self) -> date:
        return self.clock().astimezone(self.tz).date()

    def _load(self, session: Session) -> tuple[int, Grid]:
        version = store.version(session)
        cached = self._grid
        if cached is None or cached[0] != version:
            cached = (version, store.load_grid(session))
            self._grid = cached
        return cached

    def _write(self, change: Callable[[int, Grid, Session], Grid]) -> Grid:
        """Run ``change`` on the stored grid under the write lock and store what it returns."""
        with self.db.write() as session:
            version, old = self._load(session)
            new = change(version, old, session)
            if new is old:
                return old
            store.sync(session, old, new)
            new_version = store.bump(session)
        self._grid = (new_version, new)
        return new

    def _between(self, start: datetime, end: datetime) -> list[Occurrence]:
        with self.db.session() as session:
            version, grid = self._load(session)
        cached = self._timeline
        if cached and cached[0] == version and cached[2].covers(start, end):
            return cached[2].between(start, end)
        return expand(grid, self.tz, start, end)

    def _main_timeline(self, version: int, grid: Grid, today: date) -> Timeline:
        cached = self._timeline
        if cached and cached[0] == version and cached[1] == today:
            return cached[2]
        start = local_midnight(today, self.tz)
        end = local_midnight(today + self.horizon, self.tz)
        timeline = Timeline.build(grid, self.tz, start, end)
        self._timeline = (version, today, timeline)
        return timeline

    def _check_edit(
        self, version: int, old: Grid, new: Grid, touched: frozenset[str]
    ) -> tuple[date, Timeline]:
        """Refuse the edit if it clashes; else return the main timeline as it will be."""
        today = self._today()
        main = self._main_timeline(version, old, today)
        part = Grid(
            tuple(s for s in new.shows if s.slug in touched),
            tuple(e for e in new.exceptions if e.show in touched),
        )
        updated = None
        for lo, hi in check_windows(part, today, self.horizon):
            start, end = local_midnight(lo, self.tz), local_midnight(hi, self.tz)
            timeline = main if main.covers(start, end) else Timeline.build(old, self.tz, start, end)
            clash, added = check_edit(timeline, new, self.tz, touched)
            if clash is not None:
                raise GridConflict(conflict_message(clash, touched, self.tz))
            if timeline is main:
                updated = main.replace(touched, added)
        if updated is None:
            _, added = check_edit(main, new, self.tz, touched)
            updated = main.replace(touched, added)
        return today, updated
