"""Security headers on every response, and a Content-Security-Policy on every HTML page.

The pages run only the site's own script files (``script-src 'self'``: no inline script, no
inline event handlers; data for a script travels in ``<script type="application/json">``,
which is never run). Style sheets and ``<style>`` elements must come from the site too
(``style-src-elem 'self'``); ``style=""`` attributes are allowed (``style-src-attr``), as the
week grid places each programme with a computed ``grid-row``. An attribute can restyle only
its own element — it cannot read the page the way an injected style sheet can with
attribute selectors — and the templates escape everything they insert. Browsers without the
CSP 3 ``-elem``/``-attr`` directives fall back to ``style-src 'self' 'unsafe-inline'``.
The listeners' player may play the stream from Icecast's own address and the relays'
(``media-src``). The go-live page streams to the harbor (``connect-src``): through Caddy at
the site's own address (``wss:``, covered by ``'self'``) when the site is public over HTTPS,
else at the harbor's port on the names the site is reached by.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response

from radio.config import Settings

REFERRER_POLICY = "same-origin"


def content_security_policy(settings: Settings) -> str:
    # blob: lets a presenter listen back to what they recorded on the page (recorder.js).
    origins = ["'self'", "blob:"]
    for base in (settings.stream_url, *settings.relays):  # the player's sources
        parts = urlsplit(base)
        if parts.netloc and f"{parts.scheme}://{parts.netloc}" not in origins:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    media = " ".join(origins)
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "style-src-elem 'self'",
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' data:",
            f"media-src {media}",
            f"connect-src {_connect(settings)}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def _connect(settings: Settings) -> str:
    public = urlsplit(settings.public_url)
    if public.scheme == "https":
        return "'self'"
    names = {"localhost", "127.0.0.1", settings.http_host, public.hostname or ""}
    names -= {"", "0.0.0.0", "::"}
    hosts = sorted(f"[{n}]" if ":" in n else n for n in names)
    return " ".join(["'self'", *(f"ws://{h}:{settings.harbor_port}" for h in hosts)])


def init_app(app: Flask, settings: Settings) -> None:
    policy = content_security_policy(settings)

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", REFERRER_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
        if response.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", policy)
        return response
