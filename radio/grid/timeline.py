"""Now, next and gaps: questions asked of the grid at an instant or over a window."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from itertools import accumulate

from radio.grid.expand import expand
from radio.grid.model import Gap, Grid, Occurrence

#: The longest an occurrence lasts on air: 24 hours plus a clock change.
LONGEST = timedelta(hours=26)


@dataclass(frozen=True)
class Timeline:
    """The occurrences of one window ``[start, end)``, sorted, for quick look-ups by bisection."""

    start: datetime
    end: datetime
    occurrences: tuple[Occurrence, ...]
    starts: tuple[datetime, ...] = field(repr=False, compare=False)
    ends: tuple[datetime, ...] = field(repr=False, compare=False)
    #: ``reach[i]``: the latest end among occurrences ``0..i`` (sorted even if some overlap).
    reach: tuple[datetime, ...] = field(repr=False, compare=False)

    @classmethod
    def of(cls, occurrences: Sequence[Occurrence], start: datetime, end: datetime) -> Timeline:
        occs = tuple(sorted(occurrences, key=lambda o: (o.start, o.show)))
        ends = tuple(o.end for o in occs)
        reach = tuple(accumulate(ends, max))
        return cls(start, end, occs, tuple(o.start for o in occs), ends, reach)

    def replace(self, shows: Collection[str], occurrences: Sequence[Occurrence]) -> Timeline:
        """This timeline with the occurrences of ``shows``' slots swapped for ``occurrences``."""
        kept = [o for o in self.occurrences if o.slot_show not in shows]
        return Timeline.of(kept + list(occurrences), self.start, self.end)

    @classmethod
    def build(cls, grid: Grid, tz: tzinfo, start: datetime, end: datetime) -> Timeline:
        return cls.of(expand(grid, tz, start, end), start, end)

    def covers(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end

    def between(self, start: datetime, end: datetime) -> list[Occurrence]:
        """The occurrences overlapping ``[start, end)`` (within the timeline's window)."""
        lo = bisect_left(self.starts, start - LONGEST)
        hi = bisect_left(self.starts, end)
        return [o for o in self.occurrences[lo:hi] if o.end > start]

    def at(self, at: datetime) -> Occurrence | None:
        """The occurrence on air at ``at`` (the latest-starting one, should two overlap)."""
        i = bisect_right(self.starts, at) - 1
        while i >= 0 and self.starts[i] > at - LONGEST:
            if self.ends[i] > at:
                return self.occurrences[i]
            i -= 1
        return None

    def after(self, at: datetime, n: int) -> list[Occurrence]:
        """Up to ``n`` occurrences starting strictly after ``at``."""
        i = bisect_right(self.starts, at)
        return list(self.occurrences[i : i + n])


def scheduled_at(grid: Grid, tz: tzinfo, at: datetime) -> Occurrence | None:
    """What is scheduled at instant ``at`` (start <= at < end), or None in a gap."""
    return Timeline.build(grid, tz, at, at + timedelta(microseconds=1)).at(at)


def next_occurrences(
    grid: Grid, tz: tzinfo, after: datetime, n: int, within: timedelta = timedelta(days=800)
) -> list[Occurrence]:
    """The next ``n`` occurrences starting strictly after ``after``, looking ahead at most
    ``within`` (fewer come back when the grid has fewer)."""
    span = timedelta(days=8)
    while True:
        end = after + min(span, within)
        found = [o for o in expand(grid, tz, after, end) if o.start > after]
        if len(found) >= n or span >= within:
            return found[:n]
        span *= 4


def find_gaps(occurrences: Sequence[Occurrence], start: datetime, end: datetime) -> list[Gap]:
    """The stretches of ``[start, end)`` that no occurrence covers, in order."""
    gaps = []
    covered = start
    for occ in sorted(occurrences, key=lambda o: o.start):
        if occ.start > covered:
            gaps.append(Gap(covered, min(occ.start, end)))
        covered = max(covered, occ.end)
        if covered >= end:
            break
    if covered < end:
        gaps.append(Gap(covered, end))
    return [g for g in gaps if g.start < g.end]


def gaps(grid: Grid, tz: tzinfo, start: datetime, end: datetime) -> list[Gap]:
    """The unscheduled stretches of ``[start, end)``: what the rotation fills."""
    return find_gaps(expand(grid, tz, start, end), start, end)
