"""Conflicts: two occurrences that overlap. Back-to-back (one ends as the next starts) is fine."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from radio.grid.clock import local_midnight
from radio.grid.expand import expand
from radio.grid.model import Grid, Occurrence
from radio.grid.timeline import Timeline

#: How far ahead edits and files are checked, from today.
HORIZON = timedelta(days=366)


@dataclass(frozen=True)
class Clash:
    """Two overlapping occurrences; ``earlier`` starts first (or at the same time)."""

    earlier: Occurrence
    later: Occurrence

    @property
    def at(self) -> datetime:
        """When the overlap begins."""
        return self.later.start


def clashes(occurrences: Iterable[Occurrence]) -> Iterator[Clash]:
    """Every occurrence that starts before an earlier one has ended, with that one."""
    reach: Occurrence | None = None
    for occ in sorted(occurrences, key=lambda o: (o.start, o.show)):
        if reach is not None and occ.start < reach.end:
            yield Clash(reach, occ)
        if reach is None or occ.end > reach.end:
            reach = occ


def when(at: datetime, tz: tzinfo) -> str:
    """A local date and time for people: 'Sunday 29 March 2026 at 02:00 BST'."""
    local = at.astimezone(tz)
    clock = f"{local:%H:%M:%S}" if local.second else f"{local:%H:%M}"
    return f"{local:%A} {local.day} {local:%B %Y} at {clock} {local.tzname()}"


def check_windows(grid: Grid, today: date, horizon: timedelta = HORIZON) -> list[tuple[date, date]]:
    """The local-date windows ``[lo, hi)`` worth checking for clashes.

    From today for the horizon; the first horizon of every slot that starts later; and a
    day either side of every later one-off change. The past is not checked: it has aired.
    """
    windows = [(today, today + horizon)]
    for show in grid.shows:
        for slot in show.slots:
            if slot.last is not None and slot.last < today:
                continue
            first = max(slot.first, today)
            stop = first + horizon
            if slot.last is not None:
                stop = min(stop, slot.last + timedelta(days=2))
            windows.append((max(first - timedelta(days=1), today), stop))
    for exc in grid.exceptions:
        for day in (exc.date, exc.start.date() if exc.start else exc.date):
            if day >= today:
                windows.append((max(day - timedelta(days=1), today), day + timedelta(days=2)))
    merged: list[tuple[date, date]] = []
    for lo, hi in sorted(windows):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


def grid_clashes(grid: Grid, tz: tzinfo, today: date, horizon: timedelta = HORIZON) -> list[Clash]:
    """The first clash of each pair of clashing slots, in order of time."""
    first: dict[tuple[tuple[str, str], ...], Clash] = {}
    for lo, hi in check_windows(grid, today, horizon):
        occs = expand(grid, tz, local_midnight(lo, tz), local_midnight(hi, tz))
        for clash in clashes(occs):
            key = tuple(sorted((o.slot_show, o.slot) for o in (clash.earlier, clash.later)))
            if key not in first or clash.at < first[key].at:
                first[key] = clash
    return sorted(first.values(), key=lambda c: c.at)


def describe(clash: Clash, tz: tzinfo) -> str:
    """A sentence for a clash found in a whole grid (a file being checked or imported)."""
    a, b = clash.earlier, clash.later
    return (
        f"show '{a.show}' ({a.id.rsplit('.', 1)[0]}) and show '{b.show}' "
        f"({b.id.rsplit('.', 1)[0]}) overlap, first on {when(clash.at, tz)}; "
        "move one of them or add an exception for that date."
    )


def edit_clash(
    timeline: Timeline, added: Sequence[Occurrence], touched: Collection[str]
) -> Clash | None:
    """The first clash an edit makes, or None.

    ``timeline`` holds the grid before the edit. Only the slots and exceptions of the
    ``touched`` shows changed; ``added`` are their occurrences after the edit (over the
    timeline's window). Each is checked against the others and, with a bisection, against
    every untouched occurrence: O(k log n) for k new occurrences among n.
    """
    found = list(clashes(added))
    others = timeline.occurrences
    for occ in added:
        i = bisect_right(timeline.reach, occ.start)
        while i < len(others) and others[i].start < occ.end:
            other = others[i]
            if other.end > occ.start and other.slot_show not in touched:
                found.append(Clash(*sorted((other, occ), key=lambda o: o.start)))
                break
            i += 1
    return min(found, key=lambda c: c.at, default=None)


def check_edit(
    timeline: Timeline, grid: Grid, tz: tzinfo, touched: Collection[str]
) -> tuple[Clash | None, list[Occurrence]]:
    """:func:`edit_clash` for the edited ``grid``; also returns the touched shows' new
    occurrences, so the caller can update its timeline without expanding everything again."""
    added = expand(grid, tz, timeline.start, timeline.end, shows=touched)
    return edit_clash(timeline, added, touched), added


def conflict_message(clash: Clash, touched: Collection[str], tz: tzinfo) -> str:
    """The sentence a refused edit shows: the other show, and the first clashing local time."""
    ours, other = clash.earlier, clash.later
    if ours.slot_show not in touched:
        ours, other = other, ours
    if other.slot_show in touched:
        what = f"another occurrence of {ours.title} ({ours.id})"
        return f"{ours.title} would overlap {what} on {when(clash.at, tz)}."
    return (
        f"{ours.title} would overlap {other.title} ({other.show}) on {when(clash.at, tz)}; "
        "choose another time, or add an exception for that date."
    )


def first_clash(occurrences: Sequence[Occurrence]) -> Clash | None:
    return next(clashes(occurrences), None)
