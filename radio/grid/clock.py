"""Wall-clock times to instants: the station's policy for clock changes.

The grid is written in wall-clock time (what the studio clock shows). Turning a wall-clock
reading into an instant follows three rules, written up in ``schedules/README.md``:

* a time that happens twice (clocks go back) means the **first** of the two instants;
* a time that does not exist (clocks go forward) means **the moment the clocks jump**, i.e.
  the first wall-clock time after the gap (02:00 BST in London);
* a slot ends at its wall-clock end (start + duration on the wall clock), read by the same
  two rules: a show spanning the change is an hour shorter in spring and longer in autumn.
  A slot lying wholly inside skipped time is not lost: it starts when the clocks jump and
  keeps its length.

The mapping is monotone (a later wall-clock time is never an earlier instant), so two slots
that do not overlap on the wall clock never overlap on air, and each local date of a rule
gives exactly one occurrence, so none is lost or doubled by a change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache

_DAY = timedelta(days=1)


def to_utc(wall: datetime, tz: tzinfo) -> datetime:
    """The aware UTC instant that the naive wall-clock reading ``wall`` in ``tz`` names."""
    day = wall.date()
    steady = steady_offset(tz, day)
    if steady is not None:
        return datetime.combine(day, wall.time(), tzinfo=UTC) - steady
    earlier = wall.replace(tzinfo=tz, fold=0).utcoffset()
    later = wall.replace(tzinfo=tz, fold=1).utcoffset()
    assert earlier is not None and later is not None
    if earlier >= later:
        # The same offset, or a repeated time: fold=0 is the offset before the change,
        # which is the larger one when clocks go back, i.e. the first instant.
        return (wall - earlier).replace(tzinfo=UTC)
    return _jump(wall - later, wall - earlier, tz)


def _jump(before: datetime, after: datetime, tz: tzinfo) -> datetime:
    """The first whole second in (before, after] (naive UTC) at which ``tz`` has changed offset."""
    base = before.replace(tzinfo=UTC)
    old = base.astimezone(tz).utcoffset()
    lo, hi = 0, int((after - before).total_seconds())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (base + timedelta(seconds=mid)).astimezone(tz).utcoffset() == old:
            lo = mid
        else:
            hi = mid
    return base + timedelta(seconds=hi)


@lru_cache(maxsize=1 << 16)
def steady_offset(tz: tzinfo, day: date) -> timedelta | None:
    """The zone's UTC offset on local date ``day`` if it holds all day (and so no clock
    change touches the day's wall-clock times), else None. Cached: the fast path."""
    midnight = datetime.combine(day, time())
    offsets = {
        tz.utcoffset(at.replace(fold=fold)) for at in (midnight, midnight + _DAY) for fold in (0, 1)
    }
    return offsets.pop() if len(offsets) == 1 else None


def interval(wall: datetime, duration: timedelta, tz: tzinfo) -> tuple[datetime, datetime]:
    """The instants ``[start, end)`` of a slot starting at ``wall`` and lasting ``duration``."""
    day = wall.date()
    steady = steady_offset(tz, day)
    if steady is not None:
        end_day = (wall + duration).date()
        if end_day == day or steady_offset(tz, end_day) == steady:
            start = datetime.combine(day, wall.time(), tzinfo=UTC) - steady
            return start, start + duration
    start = to_utc(wall, tz)
    end = to_utc(wall + duration, tz)
    if end <= start:
        # Only when the whole slot lies in skipped time: it airs from the jump, full length.
        end = start + duration
    return start, end


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """The instant the local date ``day`` begins (its first wall-clock second)."""
    return to_utc(datetime.combine(day, time()), tz)


def local_date(at: datetime, tz: tzinfo) -> date:
    """The local date in ``tz`` at the aware instant ``at``."""
    return at.astimezone(tz).date()
