"""The week calendar's data: the grid's occurrences as JSON, and moving one by dragging.

``/grid/calendar.json?start=&end=`` answers FullCalendar's event source: each occurrence (in
the station's zone, with its show's colour and the link to its form), the open slots and
the clock changes as background bands. ``POST /grid/occurrences/<id>/move`` takes
``{"start": ..., "end": ...}`` (ISO 8601; without an offset they are the station's wall
clock) and makes the same move, with the same conflict check and the same entry on
``/changes``, as the occurrence form; a refusal is a JSON problem with the sentence.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from typing import Any

from flask import abort, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from radio.errors import GridError
from radio.grid.clock import local_midnight
from radio.grid.model import Occurrence, SlotException, parse_occurrence_id
from radio.grid.recurrence import occurs_on
from web import services
from web.auth import volunteer_required
from web.errors import problem
from web.grid_editor import bp
from web.grid_editor.common import attempt, grid, record, refused_status
from web.grid_editor.occurrences import move_words

#: The longest window one request may ask for.
MOST_DAYS = 62
#: Colours for shows without their own: dark enough for white text (WCAG AA).
PALETTE = ("#1f4e79", "#7a3b00", "#2d5f2e", "#6b2c6b", "#8a1c1c", "#005f6b", "#4a4a8a")


@bp.get("/calendar.json")
@volunteer_required
def calendar_json() -> ResponseReturnValue:
    start, end = _instant(request.args.get("start")), _instant(request.args.get("end"))
    if start is None or end is None or not start < end <= start + timedelta(days=MOST_DAYS):
        return problem(400, "Bad Request", f"Ask for a window of up to {MOST_DAYS} days.")
    shows = {s.slug: s for s in grid().list_shows()}
    events: list[dict[str, Any]] = []
    for occ in grid().expand(start, end):
        show = shows.get(occ.show)
        colour = show.colour if show and show.colour else _colour(occ.show)
        events.append(
            {
                "id": occ.id,
                "title": occ.title + _note(occ),
                "start": _wall(occ.start),
                "end": _wall(occ.end),
                "url": url_for("grid_editor.occurrence", occurrence_id=occ.id),
                "color": colour,
                "contrastColor": "#ffffff",
                # Another show put in: change that on the form, not by dragging.
                "editable": occ.change != "replaced",
                "extendedProps": {"kind": occ.kind, "day": _day(occ)},
            }
        )
    events += _open_slots(start, end) + _clock_changes(start, end)
    return jsonify(events)


@bp.post("/occurrences/<occurrence_id>/move")
@volunteer_required
def move(occurrence_id: str) -> ResponseReturnValue:
    parsed = parse_occurrence_id(occurrence_id)
    found = grid().grid().show(parsed[0]) if parsed else None
    slot = found.slot(parsed[1]) if found and parsed else None
    if parsed is None or found is None or slot is None or not occurs_on(slot, parsed[2]):
        abort(404)
    slug, slot_id, day = parsed
    body = request.get_json(silent=True) or {}
    start, end = _instant(body.get("start")), _instant(body.get("end"))
    if start is None or end is None or not start < end:
        return problem(422, "Unprocessable Content", "Give the new start and end of the airing.")
    tz = services().settings.tz
    wall = start.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
    minutes = round((end - start).total_seconds() / 60)
    errors: list[str] = []
    try:
        exc = SlotException(
            slug, slot_id, day, "move", start=wall, duration=timedelta(minutes=minutes)
        )
    except GridError as exc_:
        return problem(422, "Unprocessable Content", str(exc_))
    if attempt(lambda: grid().add_exception(exc), errors) is None:
        status = refused_status(errors)
        title = "Conflict" if status == 409 else "Unprocessable Content"
        return problem(status, title, " ".join(errors) + " The airing was put back.")
    what = move_words(f"{found.title} on {day:%A} {day.day} {day:%B %Y}", wall, minutes)
    record(what, show=slug, reason=str(body.get("reason") or "")[:500])
    return jsonify({"message": what})


def _instant(raw: object) -> datetime | None:
    """An ISO 8601 instant; one without an offset is the station's wall clock."""
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            value = datetime.combine(date.fromisoformat(raw), datetime.min.time())
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=services().settings.tz)
    return value


def _colour(slug: str) -> str:
    digest = hashlib.sha256(slug.encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def _day(occ: Occurrence) -> str:
    local = occ.local_start
    return f"{local:%A} {local.day} {local:%B}"


def _open_slots(start: datetime, end: datetime) -> list[dict[str, Any]]:
    from radio.grid.expand import make
    from radio.grid.model import Show
    from radio.grid.recurrence import dates

    tz = services().settings.tz
    found = []
    for offer in services().proposals.offers.offered():
        probe = Show("open", "Open for new shows", "music")
        lo = start.astimezone(tz).date() - timedelta(days=2)
        for day in dates(offer.slot, lo, end.astimezone(tz).date() + timedelta(days=1)):
            occ = make(probe, offer.slot, day, tz)
            if occ.start < end and occ.end > start:
                found.append(
                    {
                        "start": _wall(occ.start),
                        "end": _wall(occ.end),
                        "display": "background",
                        "title": "Open for new shows",
                        "className": "open-slot",
                    }
                )
    return found


def _clock_changes(start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Each clock change: a band over its day (a 23- or 25-hour day), and one over the hour
    that does not exist (clocks go forward) or that happens twice (clocks go back)."""
    tz = services().settings.tz
    found: list[dict[str, Any]] = []
    day = start.astimezone(tz).date()
    while local_midnight(day, tz) < end:
        lo, hi = local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)
        hours = round((hi - lo).total_seconds() / 3600)
        if hours != 24:
            way = "forward" if hours < 24 else "back"
            found.append(
                {
                    # Timed, not all-day: the all-day row's cells are named by their date.
                    "start": f"{day.isoformat()}T00:00:00",
                    "end": f"{(day + timedelta(days=1)).isoformat()}T00:00:00",
                    "display": "background",
                    "title": f"{hours}-hour day: clocks go {way}",
                    "className": "clock-change",
                }
            )
            found.append(_changed_hour(lo, hi))
        day += timedelta(days=1)
    return found


def _changed_hour(lo: datetime, hi: datetime) -> dict[str, Any]:
    """The band over the wall-clock hour a clock change skips or repeats."""
    tz = services().settings.tz
    at, step = lo, timedelta(minutes=15)
    while at < hi and at.astimezone(tz).utcoffset() == lo.astimezone(tz).utcoffset():
        at += step
    before = (at - timedelta(microseconds=1)).astimezone(tz) + timedelta(microseconds=1)
    after = at.astimezone(tz)
    first, second = sorted((before.replace(tzinfo=None), after.replace(tzinfo=None)))
    if after.replace(tzinfo=None) > before.replace(tzinfo=None):
        what = f"No such time: clocks go forward from {before:%H:%M} to {after:%H:%M}"
    else:
        what = f"This happens twice: clocks go back from {before:%H:%M} to {after:%H:%M}"
    return {
        "start": first.isoformat(),
        "end": second.isoformat(),
        "display": "background",
        "title": what,
        "className": "clock-change-hour",
    }


def _wall(at: datetime) -> str:
    """An instant as the station's wall clock shows it (what the calendar draws)."""
    return at.astimezone(services().settings.tz).replace(tzinfo=None).isoformat()


def _note(occ: Occurrence) -> str:
    """What the title adds: a change made to this airing, and its true length across a
    clock change (the calendar draws wall-clock times)."""
    notes: list[str] = [occ.change] if occ.change else []
    wall = occ.local_end.replace(tzinfo=None) - occ.local_start.replace(tzinfo=None)
    if wall != occ.duration:
        notes.append(f"{occ.duration.total_seconds() / 3600:g} h on air: the clocks change")
    return f" ({'; '.join(notes)})" if notes else ""
