"""Conflicts: overlaps are found, back-to-back is fine, an edit's check agrees with brute force."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from radio.grid.clock import local_midnight
from radio.grid.conflicts import (
    check_edit,
    check_windows,
    clashes,
    conflict_message,
    describe,
    grid_clashes,
)
from radio.grid.edits import Edit
from radio.grid.expand import expand
from radio.grid.model import Grid, MonthlyDay, MonthlyWeekday, Slot, SlotException, Weekly
from radio.grid.timeline import Timeline

from .build import grid, show, slot

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 11, 22)


def test_back_to_back_is_fine_and_overlap_is_not() -> None:
    fine = grid(show("a", slot("07:00", 60)), show("b", slot("08:00", 60)))
    assert grid_clashes(fine, LONDON, TODAY) == []
    bad = grid(show("a", slot("07:00", 61)), show("b", slot("08:00", 60, Weekly((2,)))))
    (clash,) = grid_clashes(bad, LONDON, TODAY)
    assert describe(clash, LONDON) == (
        "show 'a' (a.r1) and show 'b' (b.r1) overlap, first on Wednesday 25 November 2026 at "
        "08:00 GMT; move one of them or add an exception for that date."
    )


def test_a_clash_only_on_the_spring_night_is_found() -> None:
    # 02:00 BST is 01:00 UTC, where a slot in the skipped hour airs on that one night.
    g = grid(
        show("early", slot("02:00", 60, Weekly((6,)))),
        show("monthly", slot("01:30", 30, MonthlyWeekday(-1, 6))),
    )
    (clash,) = grid_clashes(g, LONDON, TODAY)
    assert "Sunday 28 March 2027 at 02:00 BST" in describe(clash, LONDON)


def test_clashes_after_the_horizon_are_checked_for_later_rules_and_changes() -> None:
    later = date(2029, 5, 1)
    g = Grid(
        (
            show("a", slot("07:00", 60)),
            show("b", slot("07:30", 60, first=later)),
        )
    )
    (clash,) = grid_clashes(g, LONDON, TODAY)
    assert clash.at.date() == later
    windows = check_windows(g, TODAY)
    assert windows[0][0] == TODAY and windows[-1][0] <= later < windows[-1][1]


def test_past_clashes_are_history() -> None:
    g = grid(
        show("a", slot("07:00", 60, last=date(2026, 1, 31))),
        show("b", slot("07:30", 60, last=date(2026, 1, 31))),
    )
    assert grid_clashes(g, LONDON, TODAY) == []
    assert grid_clashes(g, LONDON, date(2026, 1, 1)) != []


def timeline(g: Grid, lo: date = TODAY, days: int = 366) -> Timeline:
    return Timeline.build(
        g, LONDON, local_midnight(lo, LONDON), local_midnight(lo + timedelta(days), LONDON)
    )


def test_an_edit_that_clashes_names_the_other_show_and_first_time() -> None:
    old = grid(
        show("morning-coffee", slot("09:00", 90, Weekly((1, 3))), title="Morning Coffee"),
        show("breakfast", slot("07:00", 120, Weekly((0, 1, 2, 3, 4))), title="Breakfast"),
    )
    edit = Edit.add_slot("breakfast", slot("10:00", 60, Weekly((3,)), id="thu"))
    new = edit.apply(old)
    clash = check_edit(timeline(old), new, LONDON, edit.touched)[0]
    assert clash is not None
    assert conflict_message(clash, edit.touched, LONDON) == (
        "Breakfast would overlap Morning Coffee (morning-coffee) on Thursday 26 November 2026 "
        "at 10:00 GMT; choose another time, or add an exception for that date."
    )
    # Cancelling or moving the clashing occurrence is checked the same way.
    move = Edit.add_exception(
        SlotException("breakfast", "r1", date(2026, 12, 1), "move", start=datetime(2026, 12, 1, 8))
    )
    clash = check_edit(timeline(old), move.apply(old), LONDON, move.touched)[0]
    assert clash is not None and clash.at.date() == date(2026, 12, 1)
    shorter = Edit.add_exception(
        SlotException("breakfast", "r1", date(2026, 12, 1), "move", duration=timedelta(hours=1))
    )
    assert check_edit(timeline(old), shorter.apply(old), LONDON, shorter.touched)[0] is None


def test_an_edit_clashing_with_its_own_show() -> None:
    old = grid(show("a", slot("07:00", 60)))
    edit = Edit.add_slot("a", slot("07:30", 60, Weekly((4,)), id="fri"))
    clash = check_edit(timeline(old), edit.apply(old), LONDON, edit.touched)[0]
    assert clash is not None
    assert "another occurrence of A" in conflict_message(clash, edit.touched, LONDON)


patterns = st.one_of(
    st.builds(Weekly, st.sets(st.integers(0, 6), min_size=1).map(lambda s: tuple(sorted(s))),
              st.integers(1, 4)),
    st.builds(MonthlyWeekday, st.sampled_from([1, 2, 3, 4, -1]), st.integers(0, 6)),
    st.builds(MonthlyDay, st.integers(1, 31)),
)  # fmt: skip


@st.composite
def tiled_week(draw: st.DrawFn) -> Grid:
    """Shows whose weekly slots tile parts of the week without overlapping."""
    cuts = sorted(draw(st.sets(st.integers(0, 7 * 96 - 1), min_size=2, max_size=12)))
    shows = []
    for i, (a, b) in enumerate(itertools.pairwise(cuts)):
        if draw(st.booleans()) and (b - a) <= 96:
            day, quarter = divmod(a, 96)
            start = time(quarter // 4, 15 * (quarter % 4))
            shows.append(show(f"s{i}", slot(start.isoformat(), 15 * (b - a), Weekly((day,)))))
    return Grid(tuple(shows))


@settings(max_examples=120, deadline=None)
@given(
    tiled_week(),
    patterns,
    st.integers(0, 96 * 4 - 1),
    st.integers(1, 6 * 4),
    st.sampled_from(["new", "s0", "s1"]),
)
def test_edit_check_agrees_with_brute_force(
    old: Grid, pattern: object, start_q: int, length_q: int, slug: str
) -> None:
    lo = date(2027, 2, 1)  # eight weeks around the spring change
    tl = timeline(old, lo, 56)
    assume(next(clashes(tl.occurrences), None) is None)
    start = time(start_q // 16, 15 * (start_q % 4))
    length = timedelta(minutes=15 * length_q)
    new_slot = Slot("x", pattern, start, length, date(2027, 1, 1))  # type: ignore[arg-type]
    edit = Edit.add_slot(slug, new_slot) if old.show(slug) else Edit.save_show(show(slug, new_slot))
    new = edit.apply(old)
    found, added = check_edit(tl, new, LONDON, edit.touched)
    occs = expand(new, LONDON, tl.start, tl.end)
    brute = [
        max(a.start, b.start)
        for i, a in enumerate(occs)
        for b in occs[i + 1 :]
        if (a.slot_show in edit.touched or b.slot_show in edit.touched)
        and a.start < b.end
        and b.start < a.end
    ]
    assert (found is None) == (not brute)
    if found is not None:
        assert found.at == min(brute)
    assert tl.replace(edit.touched, added) == timeline(new, lo, 56)
