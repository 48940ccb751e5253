"""Benchmark the programme grid: expand a year, and conflict-check one edit against it.

Run with ``.venv/bin/python bench/grid.py`` (or ``make bench``). It builds a grid of 150
shows with 200 exceptions (then 300 and 600 shows), made like a real station's: most shows
weekly, some fortnightly, some monthly on the n-th or last weekday, some on a day of the
month, overnight left to the rotation, and no overlaps. It prints the median of several runs.

Targets (the 2-core machine): a year's expansion of 150 shows in 100 ms or less, one edit's
conflict check in 5 ms or less, and both growing no worse than n log n with the shows.
"""

from __future__ import annotations

import argparse
import gc
import io
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from functools import partial
from zoneinfo import ZoneInfo

from radio.grid.clock import local_midnight
from radio.grid.conflicts import check_edit, first_clash
from radio.grid.edits import Edit
from radio.grid.expand import expand
from radio.grid.model import (
    LAST,
    Grid,
    Kind,
    MonthlyDay,
    MonthlyWeekday,
    Pattern,
    Show,
    Slot,
    SlotException,
    Weekly,
)
from radio.grid.recurrence import dates
from radio.grid.timeline import Timeline
from radio.grid.validate import validate_grid

TZ = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 23)
FIRST = date(2026, 1, 5)  # a Monday
WEEK = 7 * 24 * 60
#: Minutes of the week left to the rotation: Sunday 00:00-03:00 (the clock changes) and
#: every day's 05:00-06:00, which holds the day-of-month shows.
RESERVED = [(6 * 1440, 6 * 1440 + 180)] + [(d * 1440 + 300, d * 1440 + 360) for d in range(7)]
KINDS: tuple[Kind, ...] = ("live", "prerecorded", "music")


def free_stretches() -> list[tuple[int, int]]:
    edges = sorted(RESERVED)
    stretches, at = [], 0
    for lo, hi in edges:
        if lo > at:
            stretches.append((at, lo))
        at = max(at, hi)
    if at < WEEK:
        stretches.append((at, WEEK))
    return stretches


def make_grid(n: int, n_exceptions: int = 200) -> Grid:
    """``n`` shows that never overlap, and ``n_exceptions`` exceptions spread over them."""
    n_monthly_day = n // 10
    n_cells = n - n_monthly_day
    stretches = free_stretches()
    cell = sum(hi - lo for lo, hi in stretches) // n_cells
    while sum((hi - lo) // cell for lo, hi in stretches) < n_cells:
        cell -= 1
    shows: list[Show] = []
    i = 0
    for lo, hi in stretches:
        at = lo
        while at + cell <= hi and i < n_cells:
            day, minute = divmod(at, 1440)
            shows.append(cell_show(i, day, minute, cell - 2))
            at += cell
            i += 1
    for k in range(n_monthly_day):
        day_of_month, sub = k % 28 + 1, k // 28
        start = clock_time(5, 0) if sub == 0 else clock_time(5, 15 * sub)
        pattern = MonthlyDay(day_of_month)
        slot = Slot("r1", pattern, start, timedelta(minutes=14), FIRST)
        shows.append(Show(f"monthly-{k}", f"Monthly {k}", "live", slots=(slot,)))
    assert len(shows) == n, (len(shows), n)
    grid = Grid(tuple(shows))
    return Grid(grid.shows, tuple(make_exceptions(grid, n_exceptions)))


def cell_show(i: int, day: int, minute: int, length: int) -> Show:
    pattern: Pattern
    kind = i % 10
    if kind < 6:
        pattern = Weekly((day,))
    elif kind < 8:
        pattern = Weekly((day,), every=2)
    else:
        pattern = MonthlyWeekday((1, 2, 3, 4, LAST)[i % 5], day)
        if pattern.nth == LAST:
            pattern = MonthlyWeekday(1, day)
    start = clock_time(minute // 60, minute % 60)
    slot = Slot("r1", pattern, start, timedelta(minutes=length), FIRST)
    return Show(f"show-{i}", f"Show {i}", KINDS[i % 3], slots=(slot,))


def make_exceptions(grid: Grid, count: int) -> list[SlotException]:
    weekly = [s for s in grid.shows if isinstance(s.slots[0].pattern, Weekly)]
    found: list[SlotException] = []
    for k in range(count):
        show = weekly[(k * 7) % len(weekly)]
        slot = show.slots[0]
        day = next(dates(slot, TODAY + timedelta(days=k % 300), TODAY + timedelta(days=400)))
        if any(e.show == show.slug and e.date == day for e in found):
            continue
        action = ("cancel", "move", "replace")[k % 3]
        if action == "move":
            half = slot.duration / 2
            found.append(SlotException(show.slug, slot.id, day, "move", duration=half))
        elif action == "replace":
            other = weekly[(k * 7 + 1) % len(weekly)].slug
            found.append(SlotException(show.slug, slot.id, day, "replace", replacement=other))
        else:
            found.append(SlotException(show.slug, slot.id, day, "cancel"))
    return found


def median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def measure(n: int, repeat: int) -> dict[str, float]:
    grid = make_grid(n)
    start, end = local_midnight(TODAY, TZ), local_midnight(TODAY + timedelta(days=366), TZ)
    gc.collect()
    expand_ms = median_ms(lambda: expand(grid, TZ, start, end), repeat)
    occurrences = expand(grid, TZ, start, end)
    timeline = Timeline.of(occurrences, start, end)
    assert first_clash(occurrences) is None, "the benchmark grid must not overlap"
    # The edits: a weekly slot for an existing show, half of them clashing.
    victim = grid.shows[0].slots[0]
    assert isinstance(victim.pattern, Weekly)
    free = Slot("new", Weekly((6,)), clock_time(1), timedelta(minutes=30), TODAY)
    clash = Slot("new", victim.pattern, victim.start, victim.duration, TODAY)
    edits = [Edit.add_slot(grid.shows[k].slug, (free, clash)[k % 2]) for k in range(1, 21)]
    outcomes = []

    def one_edit(edit: Edit) -> None:
        new = edit.apply(grid)
        assert not validate_grid(new)
        clash_found, _ = check_edit(timeline, new, TZ, edit.touched)
        outcomes.append(clash_found is not None)

    edit_ms = statistics.median(median_ms(partial(one_edit, e), repeat) for e in edits)
    assert any(outcomes) and not all(outcomes)
    return {
        "shows": n,
        "exceptions": len(grid.exceptions),
        "occurrences": len(occurrences),
        "expand_ms": expand_ms,
        "index_ms": median_ms(lambda: Timeline.of(occurrences, start, end), repeat),
        "edit_ms": edit_ms,
    }


def service_edit_ms(n: int) -> tuple[float, float]:
    """The same edit through GridService on a real SQLite file: first (builds the year's
    timeline) and the median of the next ones (timeline kept up to date)."""
    from radio.db import Database
    from radio.grid.service import GridService
    from radio.grid.tomlfile import dumps

    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{folder}/bench.sqlite3")
        db.migrate()
        now = datetime.combine(TODAY, clock_time(12), tzinfo=UTC)
        service = GridService(db, TZ, clock=lambda: now)
        service.import_grid(io.StringIO(dumps(make_grid(n))), "bench")
        times = []
        for k in range(12):
            at = clock_time(0, 2 * k)  # Sunday just after midnight: rotation time
            slot = Slot(f"extra{k}", Weekly((6,)), at, timedelta(minutes=1), TODAY)
            start = time.perf_counter()
            service.add_slot(f"show-{k + 1}", slot)
            times.append((time.perf_counter() - start) * 1000)
        db.dispose()
    return times[0], statistics.median(times[1:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per figure (median)")
    args = parser.parse_args()
    rows = [measure(n, args.repeat) for n in (150, 300, 600)]
    print("shows  exceptions  occurrences/yr  expand-year  build-index  edit-check")
    for r in rows:
        print(
            f"{r['shows']:>5}  {r['exceptions']:>10}  {r['occurrences']:>14}  "
            f"{r['expand_ms']:>8.1f} ms  {r['index_ms']:>8.1f} ms  {r['edit_ms']:>7.2f} ms"
        )
    base = rows[0]
    print("\ngrowth against 150 shows (n log n would be x2.3 at 300, x5.1 at 600):")
    for r in rows[1:]:
        ratio = r["shows"] / base["shows"]
        nlogn = ratio * math.log(r["shows"]) / math.log(base["shows"])
        print(
            f"  {r['shows']} shows: expansion x{r['expand_ms'] / base['expand_ms']:.2f}, "
            f"edit check x{r['edit_ms'] / base['edit_ms']:.2f} (n log n: x{nlogn:.2f})"
        )
    first, later = service_edit_ms(150)
    print(
        f"\nthrough GridService on SQLite, 150 shows: first edit {first:.0f} ms "
        f"(builds the year's index), later edits {later:.1f} ms (write included)"
    )
    ok = (
        base["expand_ms"] <= 100
        and base["edit_ms"] <= 5
        and all(
            r["expand_ms"] / base["expand_ms"]
            <= 1.25 * (r["shows"] / 150) * math.log(r["shows"]) / math.log(150)
            for r in rows[1:]
        )
    )
    print(
        "\ntargets (<= 100 ms/year, <= 5 ms/edit at 150 shows; n log n growth):",
        "met" if ok else "NOT met",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
