"""The grid as an RFC 5545 calendar that calendar apps keep right across clock changes.

Each slot becomes one recurring event in the station's zone (``DTSTART;TZID=…`` with an
``RRULE``), and the zone's ``VTIMEZONE`` is included, so a weekly 19:00 show stays at 19:00
on the wall clock when the clocks change. The grid's exceptions follow the standard:

* a cancelled occurrence, or one given to another show, is an ``EXDATE`` of its series;
* a moved occurrence is an override (``RECURRENCE-ID``) with its new start and end;
* a show put in another's place is an event of its own (in that show's calendar too);
* where the station's clock-change policy (``radio.grid.clock``) gives other instants than
  a calendar app would compute from the rule (a start inside the skipped hour, a show
  spanning the change), an override carries the instants that really air.

Overrides and standalone events use UTC instants, which no app can read two ways.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vRecur

from radio.grid.clock import steady_offset
from radio.grid.expand import apply_exception, make
from radio.grid.model import (
    Grid,
    MonthlyDay,
    MonthlyWeekday,
    Occurrence,
    Once,
    Show,
    Slot,
    SlotException,
    Weekly,
)
from radio.grid.recurrence import dates, occurs_on
from web.wording import slot_words

_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: How far a slot's first airing can lie after its first date (a monthly rule, every 8 weeks).
_FIRST_SEARCH = timedelta(days=400)


@lru_cache(maxsize=16)
def vtimezone(key: str, first_year: int, last_year: int) -> Timezone:
    """The zone's VTIMEZONE with its transitions over the years (slow to make: cached)."""
    return Timezone.from_tzinfo(
        ZoneInfo(key),
        tzid=key,
        first_date=date(first_year, 1, 1),
        last_date=date(last_year, 12, 31),
    )


def build(
    grid: Grid,
    shows: Sequence[Show],
    tz: ZoneInfo,
    *,
    name: str,
    host: str,
    show_url: str,
    stamp: datetime,
    window: tuple[date, date],
) -> bytes:
    """The calendar of ``shows`` (and of the occurrences others give them).

    ``show_url`` is a pattern with ``{slug}``; clock-change overrides are worked out for
    the local dates in ``window``; ``stamp`` is the DTSTAMP.
    """
    cal = Calendar()
    cal.add("prodid", "-//Community Radio//Station schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    cal.add("refresh-interval", timedelta(hours=12), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT12H")
    events = [e for show in shows for e in _show_events(grid, show, tz, host, show_url, window)]
    slugs = {show.slug for show in shows}
    for exc in grid.exceptions:
        if exc.action == "replace" and exc.replacement in slugs:
            occ = apply_exception(grid, exc, tz)
            if occ is not None:
                events.append(_single(occ, grid.show(occ.show), f"{occ.id}@{host}", show_url))
    first_year = min([window[0].year] + [s.first.year for sh in shows for s in sh.slots])
    cal.add_component(vtimezone(tz.key, first_year, window[1].year + 10))
    for event in events:
        event.add("dtstamp", stamp.astimezone(UTC).replace(microsecond=0))
        cal.add_component(event)
    return bytes(cal.to_ical())


def _show_events(
    grid: Grid, show: Show, tz: ZoneInfo, host: str, show_url: str, window: tuple[date, date]
) -> Iterator[Event]:
    changes: dict[str, list[SlotException]] = {}
    for exc in grid.exceptions:
        if exc.show == show.slug:
            changes.setdefault(exc.slot, []).append(exc)
    for slot in show.slots:
        first = next(dates(slot, slot.first, slot.first + _FIRST_SEARCH), None)
        if first is None:
            continue
        uid = f"{show.slug}.{slot.id}@{host}"
        master = _event(show, uid, show_url)
        master.add("dtstart", _wall(first, slot, tz))
        master.add("duration", slot.duration)
        rule = rrule(slot, tz)
        if rule is not None:
            master.add("rrule", rule)
        master.add("comment", slot_words(slot))
        overrides: list[Event] = []
        handled = set()
        for exc in changes.get(slot.id, []):
            handled.add(exc.date)
            if not occurs_on(slot, exc.date):
                occ = apply_exception(grid, exc, tz)
                if occ is not None and occ.show == show.slug:
                    yield _single(occ, show, f"{occ.id}@{host}", show_url)
                continue
            if exc.action in ("cancel", "replace"):
                master.add("exdate", _wall(exc.date, slot, tz))
                continue
            occ = apply_exception(grid, exc, tz)
            if occ is not None:
                overrides.append(_override(occ, show, slot, uid, tz, show_url))
        for day in dates(slot, *window):
            if day in handled or not _near_change(day, slot, tz):
                continue
            occ = make(show, slot, day, tz)
            start = _wall(day, slot, tz).astimezone(UTC)
            if occ.start != start or occ.end != start + slot.duration:
                overrides.append(_override(occ, show, slot, uid, tz, show_url))
        yield master
        yield from overrides


def rrule(slot: Slot, tz: ZoneInfo) -> vRecur | None:
    """The RFC 5545 rule for the slot's pattern (None for a one-off)."""
    p = slot.pattern
    if isinstance(p, Once):
        return None
    rule = vRecur()
    if isinstance(p, Weekly):
        rule["FREQ"] = "WEEKLY"
        if p.every > 1:
            rule["INTERVAL"] = p.every
        rule["BYDAY"] = [_BYDAY[d] for d in p.days]
        rule["WKST"] = "MO"
    elif isinstance(p, MonthlyWeekday):
        rule["FREQ"] = "MONTHLY"
        rule["BYDAY"] = f"{p.nth}{_BYDAY[p.weekday]}"
    else:
        assert isinstance(p, MonthlyDay)
        rule["FREQ"] = "MONTHLY"
        rule["BYMONTHDAY"] = p.day
    if slot.last is not None:
        rule["UNTIL"] = _wall(slot.last, slot, tz).astimezone(UTC)
    return rule


def _wall(day: date, slot: Slot, tz: ZoneInfo) -> datetime:
    """The slot's start on ``day`` as a calendar app reads ``DTSTART;TZID`` (fold 0)."""
    return datetime.combine(day, slot.start, tzinfo=tz)


def _near_change(day: date, slot: Slot, tz: ZoneInfo) -> bool:
    """Whether a clock change falls on the days this occurrence touches."""
    span = (datetime.combine(day, slot.start) + slot.duration).date()
    return any(
        steady_offset(tz, day + timedelta(days=n)) is None for n in range((span - day).days + 1)
    )


def _event(show: Show, uid: str, show_url: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("summary", show.title)
    details = [show.description] if show.description else []
    if show.presenters:
        details.append("Presented by " + ", ".join(show.presenters) + ".")
    if details:
        event.add("description", "\n\n".join(details))
    if show.category:
        event.add("categories", [show.category])
    event.add("url", show_url.format(slug=show.slug))
    event.add("transp", "TRANSPARENT")
    return event


def _override(
    occ: Occurrence, show: Show, slot: Slot, uid: str, tz: ZoneInfo, show_url: str
) -> Event:
    event = _event(show, uid, show_url)
    event.add("recurrence-id", _wall(occ.date, slot, tz))
    event.add("dtstart", occ.start.astimezone(UTC))
    event.add("dtend", occ.end.astimezone(UTC))
    return event


def _single(occ: Occurrence, show: Show | None, uid: str, show_url: str) -> Event:
    assert show is not None
    event = _event(show, uid, show_url)
    event.add("dtstart", occ.start.astimezone(UTC))
    event.add("dtend", occ.end.astimezone(UTC))
    return event
