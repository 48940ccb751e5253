"""The JSON API under ``/api/v1/`` and the health check."""

from __future__ import annotations

from flask import Blueprint, Response, json, request

from web import services

bp = Blueprint("api", __name__)


@bp.get("/api/v1/now")
def now() -> Response:
    """What is on air, from Liquidsoap's own report (prepared when it changes)."""
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
    # Kept fresh in the background (web.__main__.keep_fresh): a request copies the report.
    report = services().health.check(max_age_s=2.0)
    return Response(
        json.dumps(report.as_dict()),
        status=200 if report.ok else 503,
        mimetype="application/json",
        headers={"Cache-Control": "no-store"},
    )
