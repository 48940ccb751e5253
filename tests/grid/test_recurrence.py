"""Which local dates each kind of rule falls on."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from radio.grid.model import LAST, MonthlyDay, MonthlyWeekday, Once, Slot, Weekly
from radio.grid.recurrence import dates, occurs_on

from .build import slot

YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def days_of(s: Slot, lo: date = YEAR[0], hi: date = YEAR[1]) -> list[date]:
    return list(dates(s, lo, hi))


def test_weekly_on_chosen_weekdays_from_the_first_date() -> None:
    found = days_of(slot("07:00", 60, Weekly((0, 2)), first=date(2026, 11, 25)))
    assert found[:4] == [
        date(2026, 11, 25),
        date(2026, 11, 30),
        date(2026, 12, 2),
        date(2026, 12, 7),
    ]


def test_every_n_weeks_counts_from_the_week_of_the_first_date() -> None:
    # First date is a Wednesday; the Monday of that week is week 0 of the fortnight.
    found = days_of(slot("07:00", 60, Weekly((0, 4), every=2), first=date(2026, 1, 7)))
    assert found[:4] == [date(2026, 1, 9), date(2026, 1, 19), date(2026, 1, 23), date(2026, 2, 2)]


def test_last_friday_and_nth_weekday() -> None:
    last_friday = days_of(slot("21:00", 60, MonthlyWeekday(LAST, 4)))
    assert last_friday[:3] == [date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27)]
    assert all(d.weekday() == 4 and (d + timedelta(7)).month != d.month for d in last_friday)
    second_thursday = days_of(slot("14:00", 60, MonthlyWeekday(2, 3)))
    assert second_thursday[:2] == [date(2026, 1, 8), date(2026, 2, 12)]
    assert len(second_thursday) == 12


def test_day_of_month_skips_months_without_that_day() -> None:
    found = days_of(slot("13:00", 30, MonthlyDay(31)))
    assert [d.month for d in found] == [1, 3, 5, 7, 8, 10, 12]
    assert days_of(slot("13:00", 30, MonthlyDay(29)), date(2028, 2, 1), date(2028, 3, 1)) == [
        date(2028, 2, 29)
    ]


def test_first_and_last_dates_bound_the_rule() -> None:
    s = slot("07:00", 60, Weekly((0,)), first=date(2026, 3, 2), last=date(2026, 3, 23))
    assert days_of(s) == [date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23)]
    once = Slot.once("x", date(2026, 12, 24), slot("18:00", 1).start, timedelta(hours=1))
    assert days_of(once) == [date(2026, 12, 24)]
    assert days_of(once, date(2026, 12, 25)) == []


patterns = st.one_of(
    st.builds(Once),
    st.builds(
        Weekly,
        st.sets(st.integers(0, 6), min_size=1).map(lambda s: tuple(sorted(s))),
        st.integers(1, 8),
    ),
    st.builds(MonthlyWeekday, st.sampled_from([1, 2, 3, 4, LAST]), st.integers(0, 6)),
    st.builds(MonthlyDay, st.integers(1, 31)),
)


@given(
    pattern=patterns,
    first=st.dates(date(2020, 1, 1), date(2030, 1, 1)),
    span=st.integers(0, 800),
    lo=st.dates(date(2019, 6, 1), date(2031, 1, 1)),
    width=st.integers(0, 120),
)
def test_dates_agree_with_occurs_on_and_are_ordered(
    pattern: object, first: date, span: int, lo: date, width: int
) -> None:
    last = first if isinstance(pattern, Once) else first + timedelta(days=span)
    s = Slot("r1", pattern, slot("07:00", 1).start, timedelta(hours=1), first, last)  # type: ignore[arg-type]
    hi = lo + timedelta(days=width)
    found = list(dates(s, lo, hi))
    expected = [lo + timedelta(days=i) for i in range(width + 1)]
    assert found == [d for d in expected if airs(s, d)]
    assert all(occurs_on(s, d) == airs(s, d) for d in expected)


def airs(s: Slot, d: date) -> bool:
    """An independent statement of the rules, one date at a time."""
    p = s.pattern
    if d < s.first or (s.last is not None and d > s.last):
        return False
    if isinstance(p, Once):
        return d == s.first
    if isinstance(p, Weekly):
        anchor = s.first - timedelta(days=s.first.weekday())
        return d.weekday() in p.days and ((d - anchor).days // 7) % p.every == 0
    if isinstance(p, MonthlyDay):
        return d.day == p.day
    if d.weekday() != p.weekday:
        return False
    if p.nth == LAST:
        return (d + timedelta(days=7)).month != d.month
    return (d.day - 1) // 7 + 1 == p.nth


def test_occurs_on_checks_the_pattern_itself() -> None:
    s = slot("07:00", 60, Weekly((1,), every=3), first=date(2026, 1, 6))
    assert occurs_on(s, date(2026, 1, 6)) and occurs_on(s, date(2026, 1, 27))
    assert not occurs_on(s, date(2026, 1, 13)) and not occurs_on(s, date(2026, 1, 7))
