"""Errors on the web: RFC 9457 problem details for the API, a plain page for people."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, json, render_template, request
from werkzeug.exceptions import HTTPException

from radio.errors import NotFound, RadioError

log = logging.getLogger(__name__)


def problem(status: int, title: str, detail: str = "", **extra: Any) -> Response:
    """A ``application/problem+json`` response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
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
    def _http(exc: HTTPException) -> Any:
        status = exc.code or 500
        if _wants_json():
            return problem(status, exc.name, exc.description or "")
        return render_template(
            "error.html", status=status, title=exc.name, detail=exc.description
        ), status

    @app.errorhandler(RadioError)
    def _radio(exc: RadioError) -> Any:
        status = 404 if isinstance(exc, NotFound) else 400
        if _wants_json():
            return problem(status, "Not Found" if status == 404 else "Bad Request", str(exc))
        return render_template("error.html", status=status, title="Sorry", detail=str(exc)), status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        log.exception("unexpected error on %s %s", request.method, request.path)
        detail = "Something went wrong on our side; it has been logged."
        if _wants_json():
            return problem(500, "Internal Server Error", detail)
        return render_template("error.html", status=500, title="Sorry", detail=detail), 500
