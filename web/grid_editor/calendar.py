"""The week calendar and the list of slots that still need an episode."""

from __future__ import annotations

from datetime import date, timedelta

from flask import render_template, request
from flask.typing import ResponseReturnValue

from radio.grid.model import Occurrence
from web import services
from web.auth import now, volunteer_required
from web.grid_editor import bp
from web.grid_editor.common import grid, local_day_bounds, today, week_start

CHASE_DAYS = 14


@bp.get("")
@volunteer_required
def week() -> ResponseReturnValue:
    start = week_start(_week_param() or today())
    lo, hi = local_day_bounds(start, 7)
    days: dict[date, list[Occurrence]] = {start + timedelta(days=i): [] for i in range(7)}
    for occ in grid().expand(lo, hi):
        local_day = occ.local_start.date()
        if local_day in days:
            days[local_day].append(occ)
        elif local_day < start:
            days[start].append(occ)
    shows = sorted(grid().list_shows(), key=lambda s: s.title.lower())
    return render_template(
        "grid/week.html",
        start=start,
        days=days,
        today=today(),
        previous=start - timedelta(days=7),
        following=start + timedelta(days=7),
        shows=shows,
        cancelled=_cancelled(start),
        day_hours=_clock_change_days(start),
        timezone=services().settings.timezone,
        now_local=now().astimezone(services().settings.tz).isoformat(),
    )


@bp.get("/missing")
@volunteer_required
def missing() -> ResponseReturnValue:
    from web.dashboard import episode_status

    lo, hi = local_day_bounds(today(), CHASE_DAYS)
    wanted = [o for o in grid().expand(lo, hi) if o.kind == "prerecorded"]
    rows = [(occ, episode_status(occ)) for occ in wanted]
    empty = [(occ, st) for occ, st in rows if st.key == "missing"]
    return render_template("grid/missing.html", rows=empty, days=CHASE_DAYS, checked=len(rows))


def _week_param() -> date | None:
    raw = request.args.get("week", "")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _clock_change_days(start: date) -> dict[date, int]:
    """The days of the week whose clock goes forward or back, with their length in hours."""
    found = {}
    for i in range(7):
        lo, hi = local_day_bounds(start + timedelta(days=i))
        hours = round((hi - lo).total_seconds() / 3600)
        if hours != 24:
            found[start + timedelta(days=i)] = hours
    return found


def _cancelled(start: date) -> list[tuple[str, str, date]]:
    """Cancelled occurrences of the week (id, show title, date), so they can be restored."""
    g = grid().grid()
    found = []
    for exc in g.exceptions:
        if exc.action == "cancel" and start <= exc.date < start + timedelta(days=7):
            show = g.show(exc.show)
            found.append((exc.occurrence_id, show.title if show else exc.show, exc.date))
    return sorted(found, key=lambda item: item[2])
