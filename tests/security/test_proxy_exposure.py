"""Icecast behind Caddy: only the two mounts are public, whatever the path looks like.

Icecast's admin pages (``/admin/…``: list listeners, change the title, kick the source,
move listeners) and its status documents (``/status-json.xsl``, ``/status.xsl``) answer
anyone who has the admin password, and the status documents answer anyone at all. Behind
``radio proxy config`` they must not be reachable at the public address: the probe asks for
each through Caddy, with Icecast's real admin password, and also through paths written to
slip past a path match (``/admin/../stream.mp3``, ``/stream.mp3/../admin/…``, encoded
slashes, doubled slashes, other letter case).

What must hold: no answer comes from Icecast (no Icecast ``Server`` header, no ``icestats``
document, no admin page), each is refused with 404 or 403, and afterwards both mounts are
still on air (a ``killsource`` that got through would have taken one off).
"""

from __future__ import annotations

import base64
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from radio.credentials import load_or_create
from tests.proxy.rig import Proxied, proxied_station

pytestmark = pytest.mark.stack

ICECAST_ONLY = [
    "/admin/", "/admin/stats", "/admin/stats.xsl", "/admin/listmounts",
    "/admin/listclients?mount=/stream.mp3", "/admin/listclients.xsl?mount=/stream.mp3",
    "/admin/metadata?mount=/stream.mp3&mode=updinfo&song=hijacked",
    "/admin/killsource?mount=/stream.ogg", "/status-json.xsl", "/status.xsl",
    "/server_version.xsl", "/admin.html",
]  # fmt: skip
#: Paths that name a mount on one side of a path clean-up and Icecast's admin on the other.
DISGUISED = [
    "/admin/../stream.mp3", "/admin/killsource/../../stream.ogg",
    "/admin/stats.xsl?x=/../../stream.mp3", "/stream.mp3/../admin/stats",
    "/stream.mp3/../status-json.xsl", "/stream.mp3%2F..%2Fadmin%2Fstats",
    "/%2e%2e/admin/stats", "//admin/stats", "/ADMIN/stats", "/Admin/listmounts",
    "/admin%2Fstats", "/status-json.xsl%00/stream.mp3",
    "/admin/metadata/../../stream.mp3?mount=/stream.mp3&mode=updinfo&song=hijacked",
]  # fmt: skip


@pytest.fixture(scope="module")
def proxied(demo_media: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    with proxied_station(demo_media, tmp_path_factory.mktemp("exposure")) as made:
        yield made


def icecast_admin(proxied: Proxied) -> dict[str, str]:
    password = load_or_create(proxied.station.settings.data_dir).icecast_admin_password
    basic = base64.b64encode(f"admin:{password}".encode()).decode()
    return {"Authorization": f"Basic {basic}"}


@pytest.mark.parametrize("path", ICECAST_ONLY + DISGUISED)
def test_icecast_beyond_the_mounts_is_not_reachable(proxied: Proxied, path: str) -> None:
    answer = proxied.browser().request("GET", path, headers=icecast_admin(proxied))
    server = answer.headers.get("Server", "")
    assert "icecast" not in server.lower(), f"{path} reached Icecast ({answer.status})"
    assert b"icestats" not in answer.body and b"Icecast" not in answer.body, path
    assert answer.status in (400, 403, 404), f"{path}: {answer.status}"


def test_both_mounts_are_still_on_air_after_the_probes(proxied: Proxied) -> None:
    for path in ICECAST_ONLY + DISGUISED:
        proxied.browser().request("GET", path, headers=icecast_admin(proxied))
    status = f"http://127.0.0.1:{proxied.station.settings.icecast_port}/status-json.xsl"
    with urllib.request.urlopen(status, timeout=5) as reply:
        sources = json.loads(reply.read())["icestats"]["source"]
    mounts = {s["listenurl"].rsplit("/", 1)[-1] for s in sources}
    assert mounts == {"stream.mp3", "stream.ogg"}
    titles = json.dumps(sources)
    assert "hijacked" not in titles
