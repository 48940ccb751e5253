"""The JSON API under ``/api/v1/`` and the health check."""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, json, request, send_file

from web import events, services

bp = Blueprint("api", __name__)


@bp.get("/api/v1/now")
def now() -> Response:
    """What is on air, from Liquidsoap's own report as the scheduler published it (prepared
    when it changes)."""
    snap = services().on_air.current()
    if request.if_none_match.contains(snap.etag.strip('"')):
        response = Response(status=304)
    else:
        response = Response(snap.body, mimetype="application/json")
    response.headers["ETag"] = snap.etag
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/healthz")
def healthz() -> Response:
    # The engine's health as the scheduler published it, with the site's own checks; kept
    # fresh in the background (web.__main__.keep_fresh): a request copies the report.
    report = services().published_health.check(max_age_s=2.0)
    return Response(
        json.dumps(report.as_dict()),
        status=200 if report.ok else 503,
        mimetype="application/json",
        headers={"Cache-Control": "no-store"},
    )


@bp.get("/api/v1/now/events")
def now_events() -> Response:
    """Server-Sent Events of ``/api/v1/now``. Behind Caddy the events server holds the
    streams (:mod:`web.events`); here the current document is sent and the stream ends, with
    ``retry:`` bringing the browser back in a few seconds (a waitress thread is never held)."""
    snap = services().on_air.current()
    body = events.retry_line()
    if request.headers.get("Last-Event-ID", "") != snap.etag.strip('"'):
        body += events.event(snap)
    response = Response(body, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


#: The HLS stream's files by their ending: the playlist changes every segment, a segment never.
HLS_TYPES = {".m3u8": ("application/vnd.apple.mpegurl", "no-cache"),
             ".ts": ("video/mp2t", "public, max-age=86400, immutable")}  # fmt: skip
_HLS_NAME = re.compile(r"^live[0-9]*\.(m3u8|ts)$")


@bp.get("/hls/<filename>")
def hls(filename: str) -> Response:
    """The HLS stream Liquidsoap and ffmpeg write in ``public_dir/hls`` (Caddy serves the
    same files itself)."""
    if not _HLS_NAME.match(filename):
        abort(404, description="There is no such file of the HLS stream; try /hls/live.m3u8.")
    mimetype, cache = HLS_TYPES[filename[filename.rindex(".") :]]
    path = services().settings.hls_dir / filename
    try:
        response = send_file(path, mimetype=mimetype, conditional=True, etag=True)
    except FileNotFoundError:
        abort(404, description="The HLS stream is not being written just now; try again soon.")
    response.headers["Cache-Control"] = cache
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
