"""Listener figures on the site: each presenter's past airings, and the admins' charts and
CSV for funders' reports (from :mod:`radio.audience`)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue

from radio.audience import Figures
from radio.grid.model import Occurrence
from web import services
from web.auth import admin_required, me, now, presenter_required

bp = Blueprint("listeners", __name__)

#: How far back the presenter's page and the admins' daily chart look.
DAYS = 28
#: How many weeks the admins' weekly chart shows.
WEEKS = 12
#: The CSV's default reach, and the most it allows.
CSV_DAYS, CSV_MAX_DAYS = 90, 400


@dataclass(frozen=True)
class Airing:
    occurrence: Occurrence
    figures: Figures


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, its figures, and where it is drawn."""

    label: str
    figures: Figures
    x: float
    height: float


def airings(start: datetime, end: datetime, shows: frozenset[str] | None = None) -> list[Airing]:
    """The airings that began in ``[start, end)`` and have ended, newest first."""
    at = now()
    audience = services().audience
    found = [
        Airing(occ, audience.figures(occ.start, occ.end))
        for occ in services().grid.expand(start, end)
        if occ.start >= start and occ.end <= at and (shows is None or occ.show in shows)
    ]
    return sorted(found, key=lambda a: a.occurrence.start, reverse=True)


@bp.get("/dashboard/listeners")
@presenter_required
def mine() -> ResponseReturnValue:
    account = me()
    end = now()
    found = airings(end - timedelta(days=DAYS), end, account.shows)
    return render_template("dashboard/listeners.html", airings=found, days=DAYS)


@bp.get("/admin/listeners")
@admin_required
def overview() -> ResponseReturnValue:
    tz = services().settings.tz
    today = now().astimezone(tz).date()
    days = services().audience.days(today - timedelta(days=DAYS - 1), today, tz)
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=WEEKS - 1)
    weekly = services().audience.days(first, today, tz)
    weeks = [
        (first + timedelta(weeks=n), _merge([f for _, f in weekly[n * 7 : n * 7 + 7]]))
        for n in range(WEEKS)
    ]
    return render_template(
        "admin/listeners.html",
        daily=_bars([(d.strftime("%a %d %b"), f) for d, f in days]),
        weekly=_bars([(f"w/c {d.strftime('%d %b')}", f) for d, f in weeks]),
        latest=services().audience.latest(),
        days=DAYS,
        weeks=WEEKS,
        csv_days=CSV_DAYS,
    )


@bp.get("/admin/listeners.csv")
@admin_required
def export() -> Response:
    try:
        reach = min(max(int(request.args.get("days", CSV_DAYS)), 1), CSV_MAX_DAYS)
    except ValueError:
        reach = CSV_DAYS
    end = now()
    tz = services().settings.tz
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "start", "end", "show", "title", "peak_listeners",
                     "average_listeners", "listening_hours"])  # fmt: skip
    for airing in reversed(airings(end - timedelta(days=reach), end)):
        occ, fig = airing.occurrence, airing.figures
        start, stop = occ.start.astimezone(tz), occ.end.astimezone(tz)
        writer.writerow([start.date().isoformat(), start.strftime("%H:%M"),
                         stop.strftime("%H:%M"), occ.show, occ.title, fig.peak,
                         f"{fig.average:.1f}", f"{fig.hours:.2f}"])  # fmt: skip
    name = f"listeners-{end.astimezone(tz).date().isoformat()}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


#: The charts' drawing area (SVG user units).
CHART_W, CHART_H = 700.0, 160.0


def _bars(points: list[tuple[str, Figures]]) -> list[Bar]:
    top = max((f.hours for _, f in points), default=0.0) or 1.0
    step = CHART_W / max(len(points), 1)
    return [
        Bar(label, fig, x=n * step, height=round(fig.hours / top * CHART_H, 1))
        for n, (label, fig) in enumerate(points)
    ]


def _merge(parts: list[Figures]) -> Figures:
    samples = sum(f.samples for f in parts)
    total = sum(f.average * f.samples for f in parts)
    return Figures(
        peak=max((f.peak for f in parts), default=0),
        average=total / samples if samples else 0.0,
        hours=sum(f.hours for f in parts),
        samples=samples,
    )
