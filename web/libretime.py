"""LibreTime's public widget endpoints, so a station's existing website widgets keep working.

``/api/live-info-v2`` and ``/api/week-info`` answer with the JSON shapes of LibreTime's
``ApiController`` (legacy PHP API, ``AIRTIME_API_VERSION`` 1.1): the same keys, times as
``"YYYY-MM-DD HH:MM:SS"`` in the station's zone (or ``?timezone=``), strings HTML-escaped
as LibreTime escapes them (widgets put them straight into pages), and JSONP with
``?callback=``. Shows get stable numeric ids from their slugs, instances from occurrence ids.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, json, request

from radio.grid.clock import local_midnight
from radio.grid.model import Occurrence
from radio.jsontypes import JSON
from radio.onair import NowDocument
from web import programme, services
from web.address import external
from web.api_public import cors, json_response

bp = Blueprint("libretime", __name__)
bp.after_request(cors)

API_VERSION = "1.1"
DEFAULT_DAYS, DEFAULT_SHOWS = 2, 5
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CALLBACK = re.compile(r"[A-Za-z_$][\w$]{0,63}(?:\.[A-Za-z_$][\w$]{0,63}){0,4}")
_ESCAPES = {"&": "&amp;", '"': "&quot;", "'": "&#039;", "<": "&lt;", ">": "&gt;"}
_ESCAPE_RE = re.compile("[&\"'<>]")


def escape(value: JSON) -> JSON:
    """PHP's ``htmlspecialchars($v, ENT_QUOTES)`` on every string, as LibreTime does."""
    if isinstance(value, str):
        return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], value)
    if isinstance(value, dict):
        return {k: escape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escape(v) for v in value]
    return value


@lru_cache(maxsize=1)
def _zones() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def answer_zone() -> ZoneInfo:
    """``?timezone=`` (an IANA name, any case) or the station's zone."""
    # Lenient like LibreTime, so an existing widget never breaks: an unknown zone (or a
    # bad days/shows below) falls back to the station's default.
    asked = (request.args.get("timezone") or "").strip().lower()
    name = _zones().get(asked)
    return ZoneInfo(name) if name else programme.tz()


def stamp(at: datetime, tz: ZoneInfo) -> str:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def show_row(occ: Occurrence, tz: ZoneInfo, *, week: bool = False) -> dict[str, JSON]:
    """One show instance as LibreTime's ``cc_show_instances`` joined with ``cc_show``."""
    show = programme.grid().get_show(occ.show)
    row: dict[str, JSON] = {}
    if week:
        row["start_timestamp"] = stamp(occ.start, tz)
        row["end_timestamp"] = stamp(occ.end, tz)
    row["name"] = occ.title
    row["description"] = show.description if show else ""
    if not week:
        row["genre"] = show.category if show else ""
    row["id"] = programme.stable_number(occ.show, 6)
    row["instance_id"] = programme.stable_number(occ.id)
    if week:
        row["instance_description"] = ""
    row["record"] = 0
    row["url"] = external("public.show", slug=occ.show)
    row["image_path"] = ""
    row["starts"] = stamp(occ.start, tz)
    row["ends"] = stamp(occ.end, tz)
    return row


def _int_arg(name: str, default: int, most: int) -> int:
    raw = request.args.get(name, "")
    return min(max(int(raw), 0), most) if raw.isdigit() else default


def _reply(data: JSON, max_age: int) -> Response:
    callback = request.args.get("callback")
    if not callback:
        return json_response(data, max_age)
    if not _CALLBACK.fullmatch(callback):
        abort(400, description="callback must be a JavaScript function name.")
    body = f"/**/{callback}({json.dumps(data, ensure_ascii=False, sort_keys=False)});"
    response = Response(body, mimetype="application/javascript")
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/api/live-info-v2", strict_slashes=False)
def live_info_v2() -> Response:
    tz = answer_zone()
    at = programme.now()
    days = _int_arg("days", DEFAULT_DAYS, 14) or DEFAULT_DAYS
    limit = _int_arg("shows", DEFAULT_SHOWS, 50)
    end = local_midnight(at.astimezone(tz).date() + timedelta(days=days), tz)
    found = programme.grid().expand(at - timedelta(days=2), end) if end > at else []
    found = [o for o in found if o.start >= at - timedelta(days=2) and o.start < end]
    found.sort(key=lambda o: (1 if o.start <= at < o.end else 2 if o.start > at else 3, o.start))
    current: JSON = None
    upcoming: list[JSON] = []
    previous: list[JSON] = []
    for occ in found[:limit]:
        if occ.start <= at < occ.end:
            current = show_row(occ, tz)
        elif occ.end < at:
            previous.append(show_row(occ, tz))
        elif occ.start > at:
            upcoming.append(show_row(occ, tz))
    now = services().on_air.current().data
    on_air = now.get("on_air")
    live = on_air is not None and on_air.get("source") == "live"
    data: dict[str, JSON] = {
        "station": {
            "env": "production",
            "schedulerTime": stamp(at, tz),
            "source_enabled": "Live" if live else "Scheduled",
            "timezone": tz.key,
            "AIRTIME_API_VERSION": API_VERSION,
        },
        "tracks": {
            "previous": previous_track(tz),
            "current": current_track(now, tz, at),
            "next": None,
        },
        "shows": {"previous": previous, "current": current, "next": upcoming},
        "sources": {
            "livedj": "on" if live else "off",
            "masterdj": "off",
            "scheduledplay": "off" if live else "on",
        },
    }
    return _reply(escape(data), 5)


def current_track(now: NowDocument, tz: ZoneInfo, at: datetime) -> dict[str, JSON] | None:
    """What is on air as LibreTime's ``tracks.current``."""
    item = now.get("on_air")
    if not item:
        return None
    started = _parse(item.get("started_at")) or at
    ends = _parse(item.get("ends_at")) or _parse(now.get("slot_end")) or started
    if item.get("source") == "live":
        ref = now.get("show")
        show = (ref.get("title") if ref else None) or item.get("show") or "Live"
        return track(_parse(now.get("slot_start")) or started, ends, tz, live_show=show)
    return track(started, max(ends, started), tz, item.get("artist"), item.get("title"))


def previous_track(tz: ZoneInfo) -> dict[str, JSON] | None:
    """The item that aired before the current one, from the as-run log."""
    from radio.playout.asrun import last_ended

    entry = last_ended(services().db)
    if entry is None or entry.ended_at is None:
        return None
    starts, ends = (
        t if t.tzinfo else t.replace(tzinfo=UTC) for t in (entry.started_at, entry.ended_at)
    )
    if entry.source == "live":
        return track(starts, ends, tz, live_show=entry.show or "Live")
    return track(starts, ends, tz, entry.artist, entry.title)


def track(
    starts: datetime,
    ends: datetime,
    tz: ZoneInfo,
    artist: str | None = None,
    title: str | None = None,
    live_show: str | None = None,
) -> dict[str, JSON]:
    """One of LibreTime's ``tracks`` entries: a live stream (``live_show``) or a track."""
    if live_show is not None:
        return {
            "starts": stamp(starts, tz),
            "ends": stamp(ends, tz),
            "type": "livestream",
            "name": f"{live_show} - Live Stream",
            "media_item_played": False,
            "record": "0",
        }
    artist, title = artist or "", title or ""
    return {
        "starts": stamp(starts, tz),
        "ends": stamp(ends, tz),
        "type": "track",
        "name": f"{artist} - {title}",
        "media_item_played": True,
        "metadata": {
            "id": programme.stable_number(f"{artist}\n{title}") if title else None,
            "track_title": title,
            "artist_name": artist,
            "album_title": "",
            "genre": "",
            "artwork_url": "",
        },
        "record": "0",
    }


def _parse(value: str | None) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@bp.get("/api/week-info", strict_slashes=False)
def week_info() -> Response:
    """This week and next, Monday first: ``monday`` … ``sunday``, ``nextmonday`` … ."""
    tz = answer_zone()
    today = programme.now().astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    found = programme.grid().expand(local_midnight(monday, tz), local_midnight(
        monday + timedelta(days=14), tz))  # fmt: skip
    data: dict[str, JSON] = {}
    for n in range(14):
        lo = local_midnight(monday + timedelta(days=n), tz)
        hi = local_midnight(monday + timedelta(days=n + 1), tz)
        key = ("next" if n >= 7 else "") + WEEKDAYS[n % 7]
        data[key] = [show_row(o, tz, week=True) for o in found if lo <= o.start < hi]
    data["AIRTIME_API_VERSION"] = API_VERSION
    return _reply(escape(data), 60)
