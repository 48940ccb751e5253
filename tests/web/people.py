"""A station with people in it, for the web tests: four accounts, three shows, a fixed clock.

Import the fixture into a test module (it is named ``station``)::

    from tests.web.people import station_fixture  # noqa: F401

* ``show-a`` (prerecorded, every day 10:00–11:00) and ``live-a`` (live, every day
  20:00–21:00) are presented by ``a@example.org``;
* ``show-b`` (prerecorded, every day 12:00–13:00) by ``b@example.org``;
* ``v@example.org`` is a grid volunteer, ``admin@example.org`` an admin.
"""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from radio.accounts.model import Account
from radio.accounts.passwords import Passwords, cheap_hasher
from radio.accounts.service import AccountService
from radio.bootstrap import Services, build_services
from radio.config import PROJECT_DIR, Settings
from radio.grid import tomlfile
from radio.grid.model import Grid, Show, Slot, Weekly
from radio.grid.service import GridService
from tests.support import free_port
from web import create_app

#: Monday 23 November 2026, 09:00 in London.
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PASSWORD = "a long enough password"
EVERY_DAY = Weekly((0, 1, 2, 3, 4, 5, 6))
EMAILS = {
    "presenter_a": "a@example.org",
    "presenter_b": "b@example.org",
    "volunteer": "v@example.org",
    "admin": "admin@example.org",
}


def daily(slug: str, title: str, kind: str, hour: int) -> Show:
    slot = Slot("s1", EVERY_DAY, time(hour), timedelta(hours=1), date(2026, 1, 5))
    return Show(slug, title, kind, slots=(slot,))  # type: ignore[arg-type]


GRID = Grid(
    (
        daily("show-a", "Show A", "prerecorded", 10),
        daily("show-b", "Show B", "prerecorded", 12),
        daily("live-a", "Live A", "live", 20),
    )
)


@dataclass
class Station:
    app: Flask
    services: Services
    accounts: AccountService
    grid: GridService
    people: dict[str, Account]
    clock: list[datetime] = field(default_factory=lambda: [NOW])

    def client(self, role: str | None = None) -> FlaskClient:
        """A test client, logged in as ``role`` (a key of :data:`EMAILS`) unless None."""
        client = self.app.test_client()
        if role is not None:
            login(client, EMAILS[role])
        return client

    def occurrence(self, show: str, days: int = 1) -> str:
        """The id of ``show``'s occurrence ``days`` days after the clock's date."""
        return f"{show}.s1.{(NOW + timedelta(days=days)).date().isoformat()}"


def station_settings(tmp_path: Path) -> Settings:
    playlists = tmp_path / "playlists"
    playlists.mkdir(parents=True, exist_ok=True)
    for name in ("rotation.m3u8", "jingles.m3u8"):
        shutil.copy(PROJECT_DIR / "playlists" / name, playlists / name)
    return Settings(
        data_dir=tmp_path / "var",
        playlists_dir=playlists,
        http_port=free_port(),
        icecast_port=free_port(),
        harbor_port=free_port(),
    )


def make_station(tmp_path: Path, **changes: object) -> Station:
    """The station, with ``changes`` made to its settings (``smtp_host=...``)."""
    settings = dataclasses.replace(station_settings(tmp_path), **changes)  # type: ignore[arg-type]
    clock = [NOW]
    services = build_services(settings, clock=lambda: clock[0], passwords=Passwords(cheap_hasher()))
    grid = services.grid
    text = io.StringIO()
    tomlfile.dump(GRID, text)
    grid.import_grid(io.StringIO(text.getvalue()), "<test grid>")
    app = create_app(settings, services)
    app.config["TESTING"] = True
    accounts = services.accounts
    people = {
        "presenter_a": accounts.add(
            EMAILS["presenter_a"], "presenter", PASSWORD, ["show-a", "live-a"], name="Ada Presenter"
        ),
        "presenter_b": accounts.add(
            EMAILS["presenter_b"], "presenter", PASSWORD, ["show-b"], name="Bea Presenter"
        ),
        "volunteer": accounts.add(EMAILS["volunteer"], "volunteer", PASSWORD, name="Val"),
        "admin": accounts.add(EMAILS["admin"], "admin", PASSWORD, name="Ari Admin"),
    }
    return Station(app, services, accounts, grid, people, clock)


@pytest.fixture(name="station")
def station_fixture(tmp_path: Path, database_url: str) -> Iterator[Station]:
    """The station, once on SQLite and once on PostgreSQL (``database_url``)."""
    made = make_station(tmp_path, database_url=database_url)
    yield made
    made.services.db.dispose()


_TOKEN = re.compile(r'name="(?:[\w-]+-)?csrf_token" type="hidden" value="([^"]+)"')


def csrf(client: FlaskClient, page: str = "/logout") -> str:
    """A CSRF token for the client's session, read from a page with a form."""
    response = client.get(page)
    found = _TOKEN.search(response.get_data(as_text=True))
    if found is None:
        response = client.get("/login")
        found = _TOKEN.search(response.get_data(as_text=True))
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    token = csrf(client, "/login")
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def post(
    client: FlaskClient, path: str, data: dict[str, object] | None = None, page: str | None = None
) -> TestResponse:
    """POST a form with a valid CSRF token (taken from ``page``, or the logout page)."""
    body = dict(data or {})
    body.setdefault("csrf_token", csrf(client, page or "/logout"))
    return client.post(path, data=body)


#: The hours offered by :func:`offer_and_propose`: every Tuesday 21:00–22:00 from 24 Nov 2026.
OPEN_TUESDAY = Slot("open", Weekly((1,)), time(21), timedelta(hours=1), date(2026, 11, 24))


def offer_and_propose(station: Station, email: str = "olu@example.org") -> None:
    """Open slot 1 (:data:`OPEN_TUESDAY`) and proposal 1 for it, from ``email``."""
    from radio.proposals.model import ProposalInput

    offer = station.services.proposals.offers.add(OPEN_TUESDAY, "Music from the neighbourhood")
    station.services.proposals.propose(
        ProposalInput(
            "Night Owls", "Jazz after dark.", "prerecorded", (offer.id,), "Olu", email, ""
        )
    )
