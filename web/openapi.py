"""The OpenAPI 3.1 document of the public API, served at ``/openapi.json``.

The schemas are strict where a client relies on them (required keys, enums) and say
``additionalProperties`` is allowed, so adding a field later does not break anyone.

Written by hand beside the routes; ``tests/web/test_openapi.py`` fails when the two drift:
a public route missing here or a path here with no route, a field an answer has that is
not listed here, or a property listed here that no answer has.
"""

from __future__ import annotations

from radio.jsontypes import JSON

_STR: JSON = {"type": "string"}
_NSTR: JSON = {"type": ["string", "null"]}
_INSTANT: JSON = {
    "type": "string",
    "format": "date-time",
    "description": "UTC, e.g. 2026-11-24T19:00:00Z",
}
_NINSTANT: JSON = {"type": ["string", "null"], "format": "date-time"}
_KIND: JSON = {"type": "string", "enum": ["prerecorded", "live", "music"]}
_LT_TIME: JSON = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$",
    "description": "YYYY-MM-DD HH:MM:SS in the answer's time zone",
}


def _obj(props: dict[str, JSON], required: list[str] | None = None) -> dict[str, JSON]:
    return {"type": "object", "properties": props, "required": list(required or props)}


def _ref(name: str) -> dict[str, JSON]:
    return {"$ref": f"#/components/schemas/{name}"}


def _problem_response(text: str) -> dict[str, JSON]:
    return {
        "description": text,
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    }


def _json(text: str, schema: dict[str, JSON], *, jsonp: bool = False) -> dict[str, JSON]:
    content: dict[str, JSON] = {"application/json": {"schema": schema}}
    if jsonp:
        content["application/javascript"] = {"schema": {"type": "string"}}
    return {"description": text, "content": content, "headers": {"ETag": {"schema": _STR}}}


SCHEMAS: dict[str, JSON] = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details",
        "properties": {
            "type": _STR,
            "title": _STR,
            "status": {"type": "integer"},
            "detail": _STR,
        },
        "required": ["type", "title", "status"],
    },
    "ShowRef": _obj({"slug": _STR, "title": _STR, "url": {"type": "string", "format": "uri"}}),
    "Occurrence": _obj(
        {
            "id": {"type": "string", "description": "show.slot.YYYY-MM-DD; never changes"},
            "start": _INSTANT,
            "end": _INSTANT,
            "local_start": {"type": "string", "format": "date-time"},
            "local_end": {"type": "string", "format": "date-time"},
            "show": _ref("ShowRef"),
            "kind": _KIND,
            "status": {"type": "string", "enum": ["aired", "on-air", "scheduled"]},
            "change": {"enum": ["moved", "replaced", None]},
        }
    ),
    "Schedule": _obj(
        {
            "start": _INSTANT,
            "end": _INSTANT,
            "timezone": _STR,
            "items": {"type": "array", "items": _ref("Occurrence")},
        }
    ),
    "ShowSummary": _obj(
        {
            "slug": _STR,
            "title": _STR,
            "kind": _KIND,
            "description": _STR,
            "presenters": {"type": "array", "items": _STR},
            "category": _STR,
            "colour": _NSTR,
            "regular": {
                "type": "array",
                "items": _STR,
                "description": "e.g. 'Every other Tuesday, 19:00–20:00' (station time)",
            },
            "url": {"type": "string", "format": "uri"},
            "calendar": {"type": "string", "format": "uri"},
            "podcast": {"type": "string", "format": "uri"},
        }
    ),
    "Episode": _obj(
        {
            "occurrence_id": _STR,
            "title": _STR,
            "aired": _INSTANT,
            "url": _STR,
            "mime_type": _STR,
            "size_bytes": {"type": ["integer", "null"]},
            "duration_s": {"type": ["integer", "null"]},
            "notes": _STR,
        }
    ),
    "Now": _obj(
        {
            "station": _STR,
            "on_air": {
                "oneOf": [
                    {"type": "null"},
                    _obj(
                        {
                            "title": _NSTR,
                            "artist": _NSTR,
                            "show": _NSTR,
                            "started_at": _NINSTANT,
                            "ends_at": _NINSTANT,
                            "source": {
                                "type": "string",
                                "enum": ["rotation", "scheduled", "live", "emergency"],
                            },
                        }
                    ),
                ]
            },
            "show": {
                "oneOf": [{"type": "null"}, _obj({"slug": _STR, "title": _STR, "kind": _KIND})]
            },
            "status": {
                "type": "string",
                "enum": [
                    "episode",
                    "repeat",
                    "missing",
                    "fill",
                    "live",
                    "waiting",
                    "music",
                    "unscheduled",
                ],
                "description": "how the grid's slot is served now: its episode, a repeat, the "
                "rotation filling in for a missing episode or after a short one, a live "
                "presenter, a presenter not connected, a music slot, or no slot",
            },
            "episode": {"oneOf": [{"type": "null"}, _obj({"title": _NSTR, "media_id": _NSTR})]},
            "slot_start": _NINSTANT,
            "slot_end": _NINSTANT,
            "next": {
                "oneOf": [
                    {"type": "null"},
                    _obj({"slug": _STR, "title": _STR, "start": _INSTANT, "end": _INSTANT}),
                ]
            },
            "listeners": {
                "type": ["integer", "null"],
                "minimum": 0,
                "description": "everyone listening at the last count (the station's Icecast "
                "and its relays, counted every 30 s); null when not counted lately",
            },
        },
        ["station", "on_air"],
    ),
    "LibreTimeShow": {
        "type": "object",
        "properties": {
            "name": _STR,
            "description": _STR,
            "genre": _STR,
            "id": {"type": "integer"},
            "instance_id": {"type": "integer"},
            "record": {"type": "integer"},
            "url": _STR,
            "image_path": _STR,
            "starts": _LT_TIME,
            "ends": _LT_TIME,
            "start_timestamp": _LT_TIME,
            "end_timestamp": _LT_TIME,
            "instance_description": _STR,
        },
        "required": [
            "name",
            "description",
            "id",
            "instance_id",
            "record",
            "url",
            "image_path",
            "starts",
            "ends",
        ],
    },
    "LibreTimeTrack": {
        "type": "object",
        "description": "a track, or a live show (type livestream: no metadata)",
        "properties": {
            "starts": _LT_TIME,
            "ends": _LT_TIME,
            "type": {"type": "string", "enum": ["track", "livestream"]},
            "name": {"type": "string", "description": "'artist - title' or 'show - Live Stream'"},
            "media_item_played": {"type": "boolean"},
            "record": {"type": "string", "enum": ["0"]},
            "metadata": _obj(
                {
                    "id": {"type": ["integer", "null"]},
                    "track_title": _STR,
                    "artist_name": _STR,
                    "album_title": _STR,
                    "genre": _STR,
                    "artwork_url": _STR,
                }
            ),
        },
        "required": ["starts", "ends", "type", "name", "media_item_played", "record"],
    },
    "LiveInfoV2": _obj(
        {
            "station": _obj(
                {
                    "env": _STR,
                    "schedulerTime": _LT_TIME,
                    "source_enabled": _STR,
                    "timezone": _STR,
                    "AIRTIME_API_VERSION": _STR,
                }
            ),
            "tracks": _obj(
                {
                    k: {"oneOf": [{"type": "null"}, _ref("LibreTimeTrack")]}
                    for k in ("previous", "current", "next")
                }
            ),
            "shows": _obj(
                {
                    "previous": {"type": "array", "items": _ref("LibreTimeShow")},
                    "current": {"oneOf": [{"type": "null"}, _ref("LibreTimeShow")]},
                    "next": {"type": "array", "items": _ref("LibreTimeShow")},
                }
            ),
            "sources": _obj(
                {
                    k: {"type": "string", "enum": ["on", "off"]}
                    for k in ("livedj", "masterdj", "scheduledplay")
                }
            ),
        }
    ),
    "WeekInfo": {
        "type": "object",
        "properties": {
            **{
                prefix + day: {"type": "array", "items": _ref("LibreTimeShow")}
                for prefix in ("", "next")
                for day in (
                    "monday",
                    "tuesday",
                    "wednesday",
                    "thursday",
                    "friday",
                    "saturday",
                    "sunday",
                )
            },
            "AIRTIME_API_VERSION": _STR,
        },
        "required": ["monday", "sunday", "nextmonday", "nextsunday", "AIRTIME_API_VERSION"],
    },
}

_SLUG: JSON = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 60},
}
_LT_PARAMS: list[JSON] = [
    {"name": "timezone", "in": "query", "schema": _STR,
     "description": "IANA zone for the times (default: the station's)"},
    {"name": "callback", "in": "query",
     "schema": {"type": "string", "pattern": "^[A-Za-z_$][A-Za-z0-9_$]*$", "maxLength": 64},
     "description": "JSONP: wrap the answer in a call to this function"},
]  # fmt: skip


def document(station: str, server: str) -> dict[str, JSON]:
    """The OpenAPI 3.1 document, with ``server`` (this site's root URL) as its server."""
    bad = _problem_response("The request's parameters are wrong (problem details say how).")
    missing = _problem_response("No such show.")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{station}: public API",
            "version": "1",
            "description": "What is on air, the schedule and the shows. Read-only, no "
            "authentication, CORS open to every origin; answers carry an ETag and "
            "Cache-Control. Errors are RFC 9457 problem details.",
        },
        "servers": [{"url": server}],
        "paths": {
            "/api/v1/now": {
                "get": {
                    "summary": "What is on air now, the grid's slot, and what is next",
                    "description": "Prepared when the on-air item changes; poll with "
                    "If-None-Match.",
                    "responses": {
                        "200": _json("On air now", _ref("Now")),
                        "304": {"description": "Not modified"},
                    },
                }
            },
            "/api/v1/schedule": {
                "get": {
                    "summary": "Occurrences overlapping [start, end)",
                    "parameters": [
                        {
                            "name": "start",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "ISO 8601 instant or date (default: now); a time "
                            "without an offset is in the station's zone",
                        },
                        {
                            "name": "end",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "ISO 8601 (default: start + 7 days; at most 31 days)",
                        },
                    ],
                    "responses": {"200": _json("The schedule", _ref("Schedule")), "400": bad},
                }
            },
            "/api/v1/shows": {
                "get": {
                    "summary": "All shows",
                    "responses": {
                        "200": _json(
                            "Shows",
                            _obj({"items": {"type": "array", "items": _ref("ShowSummary")}}),
                        )
                    },
                }
            },
            "/api/v1/shows/{slug}": {
                "get": {
                    "summary": "One show, its next dates and its episodes",
                    "parameters": [_SLUG],
                    "responses": {
                        "200": _json(
                            "The show",
                            {
                                "allOf": [
                                    _ref("ShowSummary"),
                                    _obj(
                                        {
                                            "next": {"type": "array", "items": _ref("Occurrence")},
                                            "episodes": {"type": "array", "items": _ref("Episode")},
                                        }
                                    ),
                                ]
                            },
                        ),
                        "404": missing,
                    },
                }
            },
            "/api/live-info-v2": {
                "get": {
                    "summary": "LibreTime-compatible live info (for existing website widgets)",
                    "parameters": [
                        {"name": "days", "in": "query", "schema": {"type": "string"}},
                        {"name": "shows", "in": "query", "schema": {"type": "string"}},
                        *_LT_PARAMS,
                    ],
                    "responses": {
                        "200": _json("Live info", _ref("LiveInfoV2"), jsonp=True),
                        "400": bad,
                    },
                }
            },
            "/api/week-info": {
                "get": {
                    "summary": "LibreTime-compatible week info: this week and next, Monday first",
                    "parameters": _LT_PARAMS,
                    "responses": {
                        "200": _json("Week info", _ref("WeekInfo"), jsonp=True),
                        "400": bad,
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
