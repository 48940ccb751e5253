"""The clock-change policy: wall-clock times to instants, in several zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from radio.grid.clock import interval, local_midnight, to_utc

from .build import utc
from .zones import ZONES, changes

LONDON = ZoneInfo("Europe/London")


def test_normal_times_in_winter_and_summer() -> None:
    assert to_utc(datetime(2026, 1, 5, 7), LONDON) == utc(2026, 1, 5, 7)
    assert to_utc(datetime(2026, 7, 6, 7), LONDON) == utc(2026, 7, 6, 6)
    assert to_utc(datetime(2026, 7, 6, 7), ZoneInfo("Asia/Kolkata")) == utc(2026, 7, 6, 1, 30)


def test_a_time_that_does_not_exist_starts_when_the_clocks_jump() -> None:
    # London, 29 March 2026: 01:00 GMT becomes 02:00 BST.
    assert to_utc(datetime(2026, 3, 29, 1, 30), LONDON) == utc(2026, 3, 29, 1)
    assert to_utc(datetime(2026, 3, 29, 1, 0), LONDON) == utc(2026, 3, 29, 1)
    assert to_utc(datetime(2026, 3, 29, 2, 0), LONDON) == utc(2026, 3, 29, 1)
    # Lord Howe Island jumps half an hour, 02:00 -> 02:30, on 4 October 2026.
    assert to_utc(datetime(2026, 10, 4, 2, 10), ZoneInfo("Australia/Lord_Howe")).astimezone(
        ZoneInfo("Australia/Lord_Howe")
    ).time() == time(2, 30)
    # Chatham jumps 02:45 -> 03:45 on 27 September 2026.
    chatham = ZoneInfo("Pacific/Chatham")
    jumped = to_utc(datetime(2026, 9, 27, 3, 0), chatham).astimezone(chatham)
    assert jumped.time() == time(3, 45)


def test_a_time_that_happens_twice_means_the_first() -> None:
    # London, 25 October 2026: 02:00 BST becomes 01:00 GMT; 01:30 happens at 00:30 and 01:30 UTC.
    assert to_utc(datetime(2026, 10, 25, 1, 30), LONDON) == utc(2026, 10, 25, 0, 30)
    assert to_utc(datetime(2026, 10, 25, 2, 0), LONDON) == utc(2026, 10, 25, 2)


def test_durations_across_a_change_follow_the_wall_clock() -> None:
    # Night Owls, Saturday 23:00 for 3 hours, ends at 02:00 on the wall clock.
    spring = interval(datetime(2026, 3, 28, 23), timedelta(hours=3), LONDON)
    assert spring == (utc(2026, 3, 28, 23), utc(2026, 3, 29, 1))
    autumn = interval(datetime(2026, 10, 24, 23), timedelta(hours=3), LONDON)
    assert autumn == (utc(2026, 10, 24, 22), utc(2026, 10, 25, 2))


def test_a_slot_wholly_in_skipped_time_keeps_its_length() -> None:
    start, end = interval(datetime(2026, 3, 29, 1, 15), timedelta(minutes=30), LONDON)
    assert (start, end) == (utc(2026, 3, 29, 1), utc(2026, 3, 29, 1, 30))


def test_local_midnight_that_does_not_exist() -> None:
    santiago = ZoneInfo("America/Santiago")
    day = date(2026, 9, 6)  # clocks go from 24:00 to 01:00
    assert local_midnight(day, santiago).astimezone(santiago).time() == time(1)
    assert local_midnight(date(2026, 9, 7), santiago).astimezone(santiago).time() == time(0)


@st.composite
def near_change(draw: st.DrawFn) -> tuple[ZoneInfo, datetime]:
    """A zone and a wall-clock time within two days of one of its changes (or any, if none)."""
    zone = draw(st.sampled_from(ZONES))
    days = changes(zone)
    if days:
        day = draw(st.sampled_from(days))
        base = datetime.combine(day, time()) + timedelta(days=-1)
        wall = base + timedelta(seconds=draw(st.integers(0, 3 * 86400)))
    else:
        wall = draw(st.datetimes(datetime(2024, 1, 1), datetime(2030, 12, 31)))
        wall = wall.replace(microsecond=0)
    return ZoneInfo(zone), wall


@settings(max_examples=300)
@given(near_change(), st.integers(0, 6 * 3600))
def test_the_mapping_never_runs_backwards(case: tuple[ZoneInfo, datetime], step: int) -> None:
    tz, wall = case
    assert to_utc(wall, tz) <= to_utc(wall + timedelta(seconds=step), tz)


@settings(max_examples=300)
@given(near_change())
def test_existing_times_are_exact_and_missing_ones_jump(case: tuple[ZoneInfo, datetime]) -> None:
    tz, wall = case
    at = to_utc(wall, tz)
    assert at.tzinfo is UTC
    local = at.astimezone(tz).replace(tzinfo=None)
    candidates = {wall.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1)}
    exists = any(c.astimezone(tz).replace(tzinfo=None) == wall for c in candidates)
    if exists:
        assert local == wall
        # The first of two instants when the time happens twice.
        assert at == min(c for c in candidates if c.astimezone(tz).replace(tzinfo=None) == wall)
    else:
        # Skipped: the first instant after the gap; a second earlier is before it.
        assert local > wall
        assert (at - timedelta(seconds=1)).astimezone(tz).replace(tzinfo=None) < wall


@settings(max_examples=300)
@given(near_change(), st.integers(1, 86400))
def test_every_slot_has_a_positive_length(case: tuple[ZoneInfo, datetime], seconds: int) -> None:
    tz, wall = case
    duration = timedelta(seconds=seconds)
    start, end = interval(wall, duration, tz)
    assert end > start
    # Never more than the zone's biggest change away from the written duration.
    assert abs((end - start) - duration) <= timedelta(hours=2)


@pytest.mark.parametrize("zone", ZONES)
def test_zones_under_test_have_the_changes_they_claim(zone: str) -> None:
    assert (len(changes(zone)) == 0) == (zone == "Asia/Kolkata")
