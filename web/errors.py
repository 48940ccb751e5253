"""Errors on the web: RFC 9457 problem details for the API, a plain page for people."""

from __future__ import annotations

import logging

from flask import Flask, Response, json, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import escape
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from radio.errors import NotFound, RadioError
from radio.jsontypes import JSON

log = logging.getLogger(__name__)

#: What people are told while the database cannot be reached (PostgreSQL stopped, say).
UNAVAILABLE = (
    "The station's database is not answering just now, so this cannot be shown or saved; "
    "the radio keeps playing. Try again in a minute."
)
#: Seconds a client is asked to wait before trying again.
RETRY_AFTER_S = 30


#: What a page says for an error raised without a message of its own.
PLAIN_WORDS = {
    400: "The form or address was not what we expected; go back and try again.",
    403: "This page is not open to your account. If you think it should be, ask the "
    "station's admin.",
    404: "There is no page at this address; it may have moved. Try the schedule or the "
    "list of shows.",
    405: "This page cannot be used that way; go back and try again.",
    413: "That is too big for the station to take.",
}


def problem(status: int, title: str, detail: str = "", **extra: JSON) -> Response:
    """A ``application/problem+json`` response."""
    body: dict[str, JSON] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def _wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.path in ("/healthz", "/openapi.json")
        or (request.accept_mimetypes.best == "application/json")
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> ResponseReturnValue:
        status = exc.code or 500
        if _wants_json():
            return problem(status, exc.name, exc.description or "")
        detail = exc.description
        if detail == type(exc).description:  # Werkzeug's own wording: say it for people
            detail = PLAIN_WORDS.get(status, detail)
        return render_template("error.html", status=status, title=exc.name, detail=detail), status

    @app.errorhandler(RadioError)
    def _radio(exc: RadioError) -> ResponseReturnValue:
        status = 404 if isinstance(exc, NotFound) else 400
        if _wants_json():
            return problem(status, "Not Found" if status == 404 else "Bad Request", str(exc))
        return render_template("error.html", status=status, title="Sorry", detail=str(exc)), status

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def _database_down(exc: Exception) -> ResponseReturnValue:
        # The engine checks each connection before use (pool_pre_ping): once the server is
        # back, the next request simply works. The outage is said once for the process.
        from web import services

        services().db.outage.failed(exc)
        log.info("503 for %s %s: the database is not answering", request.method, request.path)
        headers = {"Retry-After": str(RETRY_AFTER_S)}
        if _wants_json():
            response = problem(503, "Service Unavailable", UNAVAILABLE)
            response.headers.update(headers)
            return response
        try:
            page = render_template(
                "error.html", status=503, title="Service Unavailable", detail=UNAVAILABLE
            )
        except (OperationalError, InterfaceError):  # the page's menu asks who is logged in
            page = (
                "<!doctype html><html lang=en><meta charset=utf-8><title>Service Unavailable"
                f"</title><h1>Service Unavailable</h1><p>{escape(UNAVAILABLE)}</p></html>"
            )
        return page, 503, headers

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> ResponseReturnValue:
        log.exception("unexpected error on %s %s", request.method, request.path)
        detail = "Something went wrong on our side; it has been logged."
        if _wants_json():
            return problem(500, "Internal Server Error", detail)
        return render_template("error.html", status=500, title="Sorry", detail=detail), 500
