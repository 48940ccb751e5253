"""The listeners' words for the grid: when a show airs, and how a slot is served right now.

Pure functions over the grid's dataclasses, so they are tested without a request.
"""

from __future__ import annotations

from datetime import date, datetime, time

from radio.grid.model import LAST, MonthlyDay, MonthlyWeekday, Once, Slot, Weekly

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NTH = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", LAST: "Last"}


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def long_date(day: date) -> str:
    """'Tuesday 24 November 2026'."""
    return f"{DAYS[day.weekday()]} {day.day} {day:%B %Y}"


def hours(start: time, end: time) -> str:
    """'19:00–20:00' (seconds only when a time has them)."""

    def hm(t: time) -> str:
        return f"{t:%H:%M:%S}" if t.second else f"{t:%H:%M}"

    return f"{hm(start)}–{hm(end)}"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def rule_words(slot: Slot) -> str:
    """The slot's pattern: 'Every other Tuesday', 'Last Friday of the month'."""
    p = slot.pattern
    if isinstance(p, Once):
        return long_date(slot.first)
    if isinstance(p, Weekly):
        if p.days == (0, 1, 2, 3, 4, 5, 6):
            days = "day"
        elif p.days == (0, 1, 2, 3, 4):
            days = "weekday"
        else:
            days = _and([DAYS[d] for d in p.days])
        if p.every == 1:
            return f"Every {days}"
        if p.every == 2:
            return f"Every other {days}"
        return f"Every {p.every} weeks on {days if days not in ('day', 'weekday') else days + 's'}"
    if isinstance(p, MonthlyWeekday):
        return f"{_NTH[p.nth]} {DAYS[p.weekday]} of the month"
    assert isinstance(p, MonthlyDay)
    return f"The {ordinal(p.day)} of every month"


def slot_words(slot: Slot, today: date | None = None) -> str:
    """'Every other Tuesday, 19:00–20:00' (with 'from' a future first date, 'until' a last)."""
    end = (datetime.combine(slot.first, slot.start) + slot.duration).time()
    text = f"{rule_words(slot)}, {hours(slot.start, end)}"
    if isinstance(slot.pattern, Once):
        return text
    if today is not None and slot.first > today:
        text += f", from {slot.first.day} {slot.first:%B %Y}"
    if slot.last is not None:
        text += f", until {slot.last.day} {slot.last:%B %Y}"
    return text


#: How the home page names each ``status`` of ``/api/v1/now`` (also in now.js).
STATUS_WORDS = {
    "episode": "Scheduled programme",
    "repeat": "A repeat of an earlier episode",
    "missing": "This programme's episode has not arrived, so music from our rotation is filling in",
    "fill": "This programme's episode has finished; music from our rotation until the next one",
    "live": "Live in the studio",
    "waiting": "The presenter is not on air at the moment, so music from our rotation is "
    "playing until they are",
    "music": "Music programme",
    "unscheduled": "Nothing is scheduled now: music from our rotation",
}
