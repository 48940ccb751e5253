"""The public JSON API: the schedule, the shows, and the OpenAPI document that describes them.

Every answer here is read-only and the same for everyone, so it carries CORS headers (any
site may embed the schedule), an ETag and ``Cache-Control``; errors are RFC 9457 problem
details (:func:`web.errors.problem`).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, Response, abort, json, request

from radio.grid.model import EARLIEST, LATEST, Occurrence, Show
from radio.jsontypes import JSON
from web import programme, services
from web.address import absolute, external, site_url
from web.openapi import document
from web.wording import slot_words

bp = Blueprint("api_public", __name__)

#: The longest window one ``/api/v1/schedule`` request may ask for.
MAX_WINDOW = timedelta(days=31)
DEFAULT_WINDOW = timedelta(days=7)


def cors(response: Response) -> Response:
    """Let any site read the answer (no cookies are involved)."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


bp.after_request(cors)


def json_response(data: JSON, max_age: int = 60, mimetype: str = "application/json") -> Response:
    """A cacheable JSON answer: ETag of the body, 304 when the client has it."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.set_etag(hashlib.sha1(body.encode("utf-8")).hexdigest()[:20])
    response.make_conditional(request)
    return response


def instant_arg(name: str, default: datetime) -> datetime:
    """``?name=`` as an aware instant: ISO 8601 with an offset or ``Z``; a time without one,
    or a date alone (its midnight), is read in the station's zone."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        if len(raw) == 10:
            value = datetime.combine(date.fromisoformat(raw), time())
        else:
            value = datetime.fromisoformat(raw.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        abort(400, description=f"{name} must be an ISO 8601 date or time such as "
              f"2026-11-24T19:00:00Z, not {raw!r}.")  # fmt: skip
    if not EARLIEST <= value.date() <= LATEST - timedelta(days=40):
        abort(400, description=f"{name} must fall between the years 2000 and 2199.")
    if value.tzinfo is None:
        value = value.replace(tzinfo=programme.tz())
    return value.astimezone(UTC)


def occurrence_item(occ: Occurrence, at: datetime) -> dict[str, JSON]:
    tz = programme.tz()
    status = "aired" if occ.end <= at else "on-air" if occ.start <= at else "scheduled"
    return {
        "id": occ.id,
        "start": programme.iso_z(occ.start),
        "end": programme.iso_z(occ.end),
        "local_start": occ.start.astimezone(tz).isoformat(),
        "local_end": occ.end.astimezone(tz).isoformat(),
        "show": {
            "slug": occ.show,
            "title": occ.title,
            "url": external("public.show", slug=occ.show),
        },
        "kind": occ.kind,
        "status": status,
        "change": occ.change,
    }


@bp.get("/api/v1/schedule")
def schedule() -> Response:
    at = programme.now()
    start = instant_arg("start", at)
    end = instant_arg("end", start + DEFAULT_WINDOW)
    if end <= start:
        abort(400, description="end must be after start.")
    if end - start > MAX_WINDOW:
        abort(400, description="Ask for at most 31 days at a time (end - start).")
    return json_response(schedule_document(start, end, at))


def schedule_document(start: datetime, end: datetime, at: datetime) -> dict[str, JSON]:
    """``/api/v1/schedule``'s document for ``[start, end)``, with each item's status at ``at``
    (also written as a static file: :mod:`web.public_files`)."""
    items: list[JSON] = [occurrence_item(o, at) for o in programme.grid().expand(start, end)]
    return {
        "start": programme.iso_z(start),
        "end": programme.iso_z(end),
        "timezone": programme.tz().key,
        "items": items,
    }


def show_summary(show: Show) -> dict[str, JSON]:
    today = programme.today()
    return {
        "slug": show.slug,
        "title": show.title,
        "kind": show.kind,
        "description": show.description,
        "presenters": list(show.presenters),
        "category": show.category,
        "colour": show.colour or None,
        "regular": [slot_words(slot, today) for slot in show.slots],
        "url": external("public.show", slug=show.slug),
        "calendar": external("feeds.show_ics", slug=show.slug),
        "podcast": external("feeds.podcast", slug=show.slug),
    }


@bp.get("/api/v1/shows")
def shows() -> Response:
    found = sorted(programme.grid().list_shows(), key=lambda s: s.title.casefold())
    return json_response({"items": [show_summary(s) for s in found]}, max_age=300)


@bp.get("/api/v1/shows/<slug>")
def show(slug: str) -> Response:
    found = programme.grid().get_show(slug)
    if found is None:
        abort(404, description=f"There is no show called {slug!r}; /api/v1/shows lists them.")
    at = programme.now()
    upcoming = programme.grid().expand(at, at + timedelta(days=120), show=slug)
    body = show_summary(found)
    body["next"] = [occurrence_item(o, at) for o in upcoming[:10]]
    body["episodes"] = [
        {
            "occurrence_id": occ.id,
            "title": ep.title or found.title,
            "aired": programme.iso_z(occ.start),
            "url": absolute(programme.audio_url(ep)),
            "mime_type": ep.mime_type,
            "size_bytes": ep.size_bytes,
            "duration_s": int(ep.duration.total_seconds()) if ep.duration else None,
            "notes": ep.notes,
        }
        for occ, ep in programme.aired(found)
    ]
    return json_response(body)


@bp.get("/openapi.json")
def openapi() -> Response:
    body = document(services().settings.station_name, site_url())
    return json_response(body, max_age=3600)
