"""How grid files spell times, durations, dates and weekdays, both ways.

Each ``parse_*`` returns the value or raises ``ValueError`` with the end of a sentence that
says what is wrong and how to write it; the file reader puts the file, show and key in front.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from radio.grid.model import LAST, MAX_DURATION, MIN_DURATION, WEEKDAYS

_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def parse_time(value: object) -> time:
    if isinstance(value, time) and value.tzinfo is None and not value.microsecond:
        return value
    match = _TIME.fullmatch(value) if isinstance(value, str) else None
    if match:
        hour, minute, second = (int(part or 0) for part in match.groups())
        if hour < 24 and minute < 60 and second < 60:
            return time(hour, minute, second)
    raise ValueError(
        f"{_show(value)} is not a time of day; write HH:MM or HH:MM:SS from 00:00 to 23:59:59"
    )


def format_time(value: time) -> str:
    return f"{value:%H:%M:%S}" if value.second else f"{value:%H:%M}"


def parse_duration(value: object) -> timedelta:
    if not isinstance(value, str):
        raise ValueError(f'{_show(value)} is not a duration; write text such as "1h30m"')
    match = _DURATION.fullmatch(value.strip())
    if value.strip().startswith("-"):
        raise ValueError(f"{_show(value)} is negative; a duration is from 1 second to 24 hours")
    if not value.strip() or not match:
        raise ValueError(
            f"{_show(value)} is not a duration; write hours, minutes and seconds such as "
            '"2h", "1h30m", "45m" or "90s"'
        )
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    duration = timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if not MIN_DURATION <= duration <= MAX_DURATION:
        raise ValueError(f"{_show(value)} is not between 1 second and 24 hours")
    return duration


def format_duration(value: timedelta) -> str:
    total = int(value.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(hours, "h"), (minutes, "m"), (seconds, "s")]
    return "".join(f"{n}{unit}" for n, unit in parts if n) or "0s"


def parse_date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{_show(value)} is not a date; write YYYY-MM-DD, e.g. 2026-11-24")


def parse_local_datetime(value: object) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None and not value.microsecond:
            return value
        raise ValueError(
            f"{_show(value)} must be a local date and time (no offset, whole seconds), "
            "e.g. 2026-12-24T09:00:00"
        )
    if isinstance(value, str):
        day, _, clock = value.replace("T", " ").partition(" ")
        try:
            return datetime.combine(parse_date(day), parse_time(clock))
        except ValueError:
            pass
    raise ValueError(f"{_show(value)} is not a local date and time; write 2026-12-24T09:00:00")


def parse_weekday(value: object) -> int:
    name = value.strip().lower() if isinstance(value, str) else ""
    if name in WEEKDAYS:
        return WEEKDAYS.index(name)
    if name in _FULL_DAYS:
        return _FULL_DAYS.index(name)
    raise ValueError(f"{_show(value)} is not a weekday; write mon, tue, wed, thu, fri, sat or sun")


def parse_nth(value: object) -> int:
    if value == "last":
        return LAST
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4:
        return value
    raise ValueError(f'{_show(value)} is not 1, 2, 3, 4 or "last"')


def _show(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)
