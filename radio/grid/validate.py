"""Checks that span the whole grid: unique slugs, and exceptions that name real occurrences."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

from radio.errors import GridError
from radio.grid.model import Grid
from radio.grid.recurrence import occurs_on


class InvalidGrid(GridError):
    """A grid (file or edit) has problems; ``problems`` holds one sentence for each."""

    def __init__(self, problems: Sequence[str], readable: Grid | None = None) -> None:
        self.problems = tuple(problems)
        #: For a file: the shows (and their exceptions) that read cleanly, for further checks.
        self.readable = readable
        more = len(self.problems) - 1
        summary = self.problems[0] if self.problems else "The grid is invalid."
        if more:
            summary = f"{summary} (and {more} more problem{'s' if more > 1 else ''})"
        super().__init__(summary)


def validate_grid(grid: Grid, broken: Collection[str] = ()) -> list[str]:
    """One sentence per problem; empty when the grid holds together.

    ``broken`` names shows that failed to load: exceptions mentioning them are not
    reported again as naming an unknown show.
    """
    problems = [
        f"show '{slug}' appears {count} times; each show needs its own slug."
        for slug, count in Counter(show.slug for show in grid.shows).items()
        if count > 1
    ]
    seen: set[str] = set()
    for exc in grid.exceptions:
        where = f"exception for {exc.occurrence_id}"
        if exc.show in broken or (exc.replacement or "") in broken:
            continue
        show = grid.show(exc.show)
        slot = show.slot(exc.slot) if show else None
        if show is None:
            problems.append(f"{where}: there is no show '{exc.show}'.")
        elif slot is None:
            problems.append(f"{where}: show '{exc.show}' has no slot '{exc.slot}'.")
        elif not occurs_on(slot, exc.date):
            problems.append(
                f"{where}: show '{exc.show}' slot '{exc.slot}' does not air on "
                f"{exc.date:%A} {exc.date.isoformat()}; name a date it airs on."
            )
        if exc.occurrence_id in seen:
            problems.append(f"{where}: there is already an exception for that occurrence.")
        seen.add(exc.occurrence_id)
        if exc.action == "replace":
            if grid.show(exc.replacement or "") is None:
                problems.append(f"{where}: there is no show '{exc.replacement}' to put in.")
            elif exc.replacement == exc.show:
                problems.append(f"{where}: a show cannot replace itself; use a move.")
    return problems
