"""Every page carries the browser's protections, and no page runs inline script.

The probe crawls the site as a listener and as each role (presenter, volunteer, admin),
following every link on every page it reaches, and checks each answer: every response says
``X-Content-Type-Options: nosniff``, ``Referrer-Policy`` and ``X-Frame-Options: DENY``, and
every HTML page sends a Content-Security-Policy that allows only the site's own scripts
(``script-src 'self'``) and no framing (``frame-ancestors 'none'``). It also reads each page's
markup: a ``<script>`` without ``src`` (other than a JSON data block, which never runs), an
``on…=`` event attribute or a ``javascript:`` link would be blocked by that policy, so the page
would break; none may appear.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.web.people import Station, station_fixture  # noqa: F401

ROLES = [None, "presenter_a", "volunteer", "admin"]
#: Pages the crawl starts from (links lead from them to the rest), and an unknown page.
START = ["/", "/dashboard", "/grid", "/admin", "/admin/settings", "/changes", "/nowhere",
         "/static/now.js", "/api/v1/now", "/healthz", "/openapi.json"]  # fmt: skip
SKIP = re.compile(r"^/(logout|media/)")
MOST_PAGES = 150


class Markup(HTMLParser):
    """The links of a page, and what in it would need inline script."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.inline.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action") and (value or "").startswith("javascript:"):
                self.inline.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and not found.get("src") and found.get("type") != "application/json":
            self.inline.append("<script> without src")
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")


def shape(path: str) -> str:
    """One page of each kind: ``/schedule?from=2026-11-30`` as ``/schedule?from=``."""
    parts = urlsplit(path)
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(client: FlaskClient) -> dict[str, TestResponse]:
    seen: dict[str, TestResponse] = {}
    shapes: set[str] = set()
    queue = list(START)
    while queue and len(seen) < MOST_PAGES:
        path = queue.pop(0)
        if shape(path) in shapes or SKIP.match(path):
            continue
        shapes.add(shape(path))
        reply = client.get(path)
        reply.get_data()  # read it all, then let go of any file behind it
        reply.close()
        seen[path] = reply
        if reply.mimetype == "text/html":
            markup = Markup()
            markup.feed(reply.get_data(as_text=True))
            for href in markup.links:
                parts = urlsplit(href)
                if not parts.netloc and parts.path.startswith("/"):
                    queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "listener")
def test_every_page_has_the_headers_and_no_inline_script(station: Station, role: str) -> None:
    pages = crawl(station.client(role))
    html = {p: r for p, r in pages.items() if r.mimetype == "text/html"}
    assert len(html) >= 6, sorted(pages)  # the crawl reached the role's pages
    for path, reply in pages.items():
        assert reply.headers.get("X-Content-Type-Options") == "nosniff", path
        assert reply.headers.get("Referrer-Policy") == "same-origin", path
        assert reply.headers.get("X-Frame-Options") == "DENY", path
    for path, reply in html.items():
        policy = reply.headers.get("Content-Security-Policy", "")
        directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ") if d}
        assert directives.get("script-src") == ["'self'"], (path, policy)
        assert directives.get("frame-ancestors") == ["'none'"], (path, policy)
        assert directives.get("style-src-elem") == ["'self'"], (path, policy)
        assert directives.get("object-src") == ["'none'"], (path, policy)
        markup = Markup()
        markup.feed(reply.get_data(as_text=True))
        assert markup.inline == [], (path, markup.inline)


def test_the_crawl_reaches_the_pages_of_each_area(station: Station) -> None:
    pages = crawl(station.client("admin"))
    for expected in ("/schedule", "/shows", "/grid", "/admin", "/changes"):
        assert any(p == expected or p.startswith(expected + "/") for p in pages), expected
    assert pages["/nowhere"].status_code == 404
