"""Time zones the clock-change tests run in, and the dates their clocks change."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

ZONES = (
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",  # southern hemisphere: forward in October, back in April
    "Australia/Lord_Howe",  # half-hour daylight saving
    "Pacific/Chatham",  # +12:45 / +13:45, changes at 02:45
    "America/Santiago",  # changes at midnight: some local midnights do not exist
    "Europe/Dublin",  # "negative" daylight saving in the tz database
    "Asia/Kolkata",  # +05:30 all year, no changes
)


@cache
def changes(zone: str, years: tuple[int, int] = (2024, 2030)) -> tuple[date, ...]:
    """Local dates (of the instant just after) on which the zone's offset changes."""
    tz = ZoneInfo(zone)
    found = []
    at = datetime(years[0], 1, 1, tzinfo=UTC)
    end = datetime(years[1], 12, 31, tzinfo=UTC)
    step = timedelta(hours=1)
    offset = at.astimezone(tz).utcoffset()
    while at < end:
        nxt = at + step
        now = nxt.astimezone(tz).utcoffset()
        if now != offset:
            found.append(nxt.astimezone(tz).date())
            offset = now
        at = nxt
    return tuple(found)
