"""Which local dates a slot rule falls on."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, timedelta

from radio.grid.model import LAST, MonthlyDay, MonthlyWeekday, Once, Slot, Weekly


def dates(slot: Slot, lo: date, hi: date) -> Iterator[date]:
    """The slot's local dates from ``lo`` to ``hi`` (both included), in order."""
    lo = max(lo, slot.first)
    if slot.last is not None:
        hi = min(hi, slot.last)
    if lo > hi:
        return
    pattern = slot.pattern
    if isinstance(pattern, Once):
        yield slot.first
    elif isinstance(pattern, Weekly):
        yield from _weekly(pattern, slot.first, lo, hi)
    else:
        for year, month in _months(lo, hi):
            day = month_date(pattern, year, month)
            if day is not None and lo <= day <= hi:
                yield day


def occurs_on(slot: Slot, day: date) -> bool:
    """Whether the slot has an occurrence on local date ``day``."""
    return next(dates(slot, day, day), None) is not None


def month_date(pattern: MonthlyWeekday | MonthlyDay, year: int, month: int) -> date | None:
    """The date a monthly pattern names in the given month, if that month has one."""
    length = calendar.monthrange(year, month)[1]
    if isinstance(pattern, MonthlyDay):
        return date(year, month, pattern.day) if pattern.day <= length else None
    if pattern.nth == LAST:
        last = date(year, month, length)
        return last - timedelta(days=(last.weekday() - pattern.weekday) % 7)
    first = date(year, month, 1)
    offset = (pattern.weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (pattern.nth - 1))


def _weekly(pattern: Weekly, first: date, lo: date, hi: date) -> Iterator[date]:
    anchor = first - timedelta(days=first.weekday())
    week = lo - timedelta(days=lo.weekday())
    week += timedelta(weeks=-((week - anchor).days // 7) % pattern.every)
    step = timedelta(weeks=pattern.every)
    while week <= hi:
        for weekday in pattern.days:
            day = week + timedelta(days=weekday)
            if lo <= day <= hi:
                yield day
        week += step


def _months(lo: date, hi: date) -> Iterator[tuple[int, int]]:
    year, month = lo.year, lo.month
    while (year, month) <= (hi.year, hi.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
