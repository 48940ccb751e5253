"""Edits to a grid as pure functions: each makes a new :class:`Grid` from the old one.

An :class:`Edit` also names the shows whose occurrences it can change (``touched``), which is
what the conflict check re-expands; everything else is compared by bisection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from radio.errors import GridError, NotFound
from radio.grid.model import Grid, Show, Slot, SlotException, parse_occurrence_id


@dataclass(frozen=True)
class Edit:
    touched: frozenset[str]
    change: Callable[[Grid], Grid]

    def apply(self, grid: Grid) -> Grid:
        return self.change(grid)

    @classmethod
    def save_show(cls, show: Show) -> Edit:
        def change(grid: Grid) -> Grid:
            slots = {s.id for s in show.slots}
            kept = tuple(e for e in grid.exceptions if e.show != show.slug or e.slot in slots)
            if grid.show(show.slug) is None:
                return Grid((*grid.shows, show), kept)
            shows = tuple(show if s.slug == show.slug else s for s in grid.shows)
            return Grid(shows, kept)

        return cls(frozenset({show.slug}), change)

    @classmethod
    def add_show(cls, show: Show) -> Edit:
        """Add a new show; refused if the grid has one of that slug by now."""

        def change(grid: Grid) -> Grid:
            if grid.show(show.slug) is not None:
                raise GridError(
                    f"There is already a show called {show.slug!r}; choose another name."
                )
            return cls.save_show(show).apply(grid)

        return cls(frozenset({show.slug}), change)

    @classmethod
    def save_details(cls, details: Show) -> Edit:
        """Change a show's details (everything but its slots), keeping its slots as they
        are when the edit applies, whatever ``details.slots`` says."""

        def change(grid: Grid) -> Grid:
            show = _show(grid, details.slug)
            return cls.save_show(replace(details, slots=show.slots)).apply(grid)

        return cls(frozenset({details.slug}), change)

    @classmethod
    def remove_show(cls, slug: str) -> Edit:
        def change(grid: Grid) -> Grid:
            _show(grid, slug)
            return Grid(
                tuple(s for s in grid.shows if s.slug != slug),
                tuple(e for e in grid.exceptions if e.show != slug),
            )

        return cls(frozenset({slug}), change)

    @classmethod
    def add_slot(cls, slug: str, slot: Slot) -> Edit:
        return cls._slots(slug, lambda show: (*show.slots, slot))

    @classmethod
    def add_new_slot(cls, slug: str, slot: Slot) -> Edit:
        """Add ``slot`` under the show's next free id (``s1``, ``s2``…) as the grid is when
        the edit applies, whatever ``slot.id`` says: two volunteers adding a slot to one show
        at once each get their own."""
        return cls._slots(slug, lambda show: (*show.slots, replace(slot, id=next_slot_id(show))))

    @classmethod
    def change_slot(cls, slug: str, slot: Slot) -> Edit:
        def slots(show: Show) -> tuple[Slot, ...]:
            _slot(show, slot.id)
            return tuple(slot if s.id == slot.id else s for s in show.slots)

        return cls._slots(slug, slots)

    @classmethod
    def remove_slot(cls, slug: str, slot_id: str) -> Edit:
        def slots(show: Show) -> tuple[Slot, ...]:
            _slot(show, slot_id)
            return tuple(s for s in show.slots if s.id != slot_id)

        return cls._slots(slug, slots)

    @classmethod
    def _slots(cls, slug: str, slots: Callable[[Show], tuple[Slot, ...]]) -> Edit:
        def change(grid: Grid) -> Grid:
            show = _show(grid, slug)
            return cls.save_show(replace(show, slots=slots(show))).apply(grid)

        return cls(frozenset({slug}), change)

    @classmethod
    def add_exception(cls, exception: SlotException) -> Edit:
        def change(grid: Grid) -> Grid:
            _slot(_show(grid, exception.show), exception.slot)
            key = exception.occurrence_id
            if key not in grid.by_occurrence:
                return Grid(grid.shows, (*grid.exceptions, exception))
            excs = tuple(exception if e.occurrence_id == key else e for e in grid.exceptions)
            return Grid(grid.shows, excs)

        return cls(frozenset({exception.show}), change)

    @classmethod
    def remove_exception(cls, occurrence_id: str) -> Edit:
        parsed = parse_occurrence_id(occurrence_id)
        slug = parsed[0] if parsed else ""

        def change(grid: Grid) -> Grid:
            if occurrence_id not in grid.by_occurrence:
                raise NotFound(f"There is no exception for {occurrence_id}.")
            excs = tuple(e for e in grid.exceptions if e.occurrence_id != occurrence_id)
            return Grid(grid.shows, excs)

        return cls(frozenset({slug}), change)


def next_slot_id(show: Show) -> str:
    """The first ``s<n>`` from the number of slots up that the show does not use."""
    used = {s.id for s in show.slots}
    n = len(used) + 1
    while f"s{n}" in used:
        n += 1
    return f"s{n}"


def _show(grid: Grid, slug: str) -> Show:
    show = grid.show(slug)
    if show is None:
        raise NotFound(f"There is no show '{slug}' in the grid.")
    return show


def _slot(show: Show, slot_id: str) -> Slot:
    slot = show.slot(slot_id)
    if slot is None:
        raise NotFound(f"Show '{show.slug}' has no slot '{slot_id}'.")
    return slot
