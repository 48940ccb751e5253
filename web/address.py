"""The site's own address: every absolute link starts with ``public_url``, never the request.

A link built from the request's ``Host`` header would let anyone who sends
``Host: evil.example`` put their address into a cacheable feed. So feeds, calendars, the
APIs and invitation links use :func:`external` and :func:`absolute`. When ``public_url`` is
set, a request for any other host is refused with 400; the bind host and loopback names
stay allowed, for health checks from the same machine.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, request, url_for

from radio.config import Settings
from web import services

LOOPBACK = ("localhost", "127.0.0.1", "::1")
_ANY_ADDRESS = ("0.0.0.0", "::", "")


def site_url() -> str:
    """The site's address, without a trailing slash."""
    return services().settings.site_url


def external(endpoint: str, **values: Any) -> str:
    """The absolute address of a view, e.g. ``https://radio.example.org/shows/jazz``."""
    return site_url() + url_for(endpoint, **values)


def absolute(path: str) -> str:
    """``path`` (``/media/...``) on this site; an address that is already absolute as it is."""
    if urlsplit(path).scheme:
        return path
    return site_url() + "/" + path.lstrip("/")


def allowed_hosts(settings: Settings) -> frozenset[str] | None:
    """The host names the site answers to (None: any, when ``public_url`` is not set)."""
    if not settings.public_url:
        return None
    names = {urlsplit(settings.public_url).hostname or "", *LOOPBACK}
    if settings.http_host not in _ANY_ADDRESS:
        names.add(settings.http_host.strip("[]").lower())
    return frozenset(names - {""})


def init_app(app: Flask, settings: Settings) -> None:
    hosts = allowed_hosts(settings)
    if hosts is None:
        return
    public = urlsplit(settings.public_url).hostname

    @app.before_request
    def _known_host() -> None:
        asked = urlsplit("//" + request.host).hostname if request.host else None
        if asked not in hosts:
            abort(400, description=f"This site answers only at {public}.")
