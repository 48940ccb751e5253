"""A forged ``Host`` header must never reach a link the site hands out.

Feeds and calendars are cached by players and proxies (``Cache-Control: public``), so a
request with ``Host: evil.example`` that made ``podcast.xml`` link to ``http://evil.example/``
would poison what every later listener gets. The probe sends such a request to every route
that writes absolute links (feeds, calendars, the public and LibreTime APIs, the OpenAPI
document, the listen playlists, invitation and reset links) and checks:

* without ``public_url``, the links use the configured address (``http://host:port``) and
  the forged host appears nowhere;
* with ``public_url`` set, a request for another host is refused with 400 and one sentence,
  while the public address, the bind host and ``localhost`` (health checks) are answered, and
  the links use ``public_url``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from flask import Flask

from radio.bootstrap import Services
from tests.web.listeners import ListenerStation, listener_station_fixture  # noqa: F401
from tests.web.people import PASSWORD, Station, post
from tests.web.people import make_station as make_people_station
from web import create_app

EVIL = "evil.example"
PUBLIC = "https://radio.example.org"
#: Every public route that writes absolute links.
LINKING = [
    "/schedule.ics",
    "/shows/jazz-night.ics",
    "/shows/jazz-night/podcast.xml",
    "/api/v1/schedule?start=2026-11-24&end=2026-11-26",
    "/api/v1/shows",
    "/api/v1/shows/jazz-night",
    "/openapi.json",
    "/api/live-info-v2",
    "/api/week-info",
    "/listen.m3u",
    "/listen.pls",
]


def with_public_url(services: Services, url: str) -> Flask:
    """The same station's site, configured with ``public_url``."""
    settings = dataclasses.replace(services.settings, public_url=url)
    made = create_app(settings, dataclasses.replace(services, settings=settings))
    made.config["TESTING"] = True
    return made


@pytest.mark.parametrize("path", LINKING)
def test_a_forged_host_never_appears_in_links(station: ListenerStation, path: str) -> None:
    reply = station.client().get(path, headers={"Host": EVIL})
    body = reply.get_data(as_text=True)
    assert reply.status_code == 200, body
    assert EVIL not in body
    if path.startswith("/listen."):
        return  # the playlists link to the stream, not to the site
    port = station.services.settings.http_port
    assert f"http://127.0.0.1:{port}" in body


def test_the_podcast_links_its_page_feed_and_audio_from_the_settings(
    station: ListenerStation,
) -> None:
    site = with_public_url(station.services, PUBLIC)
    body = site.test_client().get(
        "/shows/jazz-night/podcast.xml", headers={"Host": "radio.example.org"}
    )
    text = body.get_data(as_text=True)
    assert body.headers["Cache-Control"].startswith("public")
    assert f"<link>{PUBLIC}/shows/jazz-night</link>" in text
    assert f'href="{PUBLIC}/shows/jazz-night/podcast.xml"' in text
    assert f'url="{PUBLIC}/episodes/jazz-night.main.2026-11-10/audio"' in text


@pytest.mark.parametrize("path", [*LINKING, "/", "/schedule", "/healthz", "/login"])
def test_with_public_url_another_host_is_refused(station: ListenerStation, path: str) -> None:
    site = with_public_url(station.services, PUBLIC)
    reply = site.test_client().get(path, headers={"Host": EVIL})
    assert reply.status_code == 400
    assert "This site answers only at radio.example.org." in reply.get_data(as_text=True)


@pytest.mark.parametrize("path", LINKING)
def test_with_public_url_links_use_it(station: ListenerStation, path: str) -> None:
    site = with_public_url(station.services, PUBLIC)
    reply = site.test_client().get(path, headers={"Host": "RADIO.example.org"})
    body = reply.get_data(as_text=True)
    assert reply.status_code == 200, body
    if not path.startswith("/listen."):
        assert PUBLIC in body and "http://127.0.0.1" not in body


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
def test_with_public_url_local_health_checks_still_work(
    station: ListenerStation, host: str
) -> None:
    site = with_public_url(station.services, PUBLIC)
    port = station.services.settings.http_port
    reply = site.test_client().get("/healthz", headers={"Host": f"{host}:{port}"})
    assert reply.status_code in (200, 503) and "liquidsoap" in reply.get_json()


@pytest.fixture
def people(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Station]:
    made = make_people_station(tmp_path_factory.mktemp("people"))
    yield made
    made.services.db.dispose()


@pytest.mark.parametrize("public_url", ["", PUBLIC])
def test_invitation_and_reset_links_use_the_sites_address(people: Station, public_url: str) -> None:
    site = with_public_url(people.services, public_url) if public_url else people.app
    base = public_url or f"http://127.0.0.1:{people.services.settings.http_port}"
    host = "radio.example.org" if public_url else EVIL
    admin = site.test_client()
    admin.environ_base["HTTP_HOST"] = host
    form: dict[str, object] = {"email": "admin@example.org", "password": PASSWORD}
    assert post(admin, "/login", form, page="/login").status_code == 302
    invited = post(admin, "/admin/invite", {"email": "new@example.org", "role": "volunteer"})
    assert f'value="{base}/invite/' in invited.get_data(as_text=True)
    b = people.people["presenter_b"].id
    page = f"/admin/accounts/{b}"
    reset = post(admin, f"{page}/link", page=page).get_data(as_text=True)
    assert f"{base}/reset/" in reset and EVIL not in reset
