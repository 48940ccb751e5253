"""Ending a session must end every copy of its cookie.

The probe logs in, copies the session cookie (as a thief with a moment at the keyboard, or
malware, would), then ends the session the ordinary way: logging out, an admin disabling
the account or changing its role, a password change through a reset link made on the web
or by ``radio user reset``. Replaying the copied cookie must then lead to the login page,
also on a second instance of the site working on the same database (the site may run as
several processes).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from radio.bootstrap import build_services
from radio.cli import main
from tests.web.people import Station, csrf, post, station_fixture  # noqa: F401
from web import create_app


def stolen_copy(station: Station, client: FlaskClient) -> FlaskClient:
    """A second client holding a copy of ``client``'s session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = station.app.test_client()
    thief.set_cookie("session", cookie.value)
    assert thief.get("/dashboard").status_code == 200  # the copy works, for now
    return thief


def assert_logged_out(client: FlaskClient) -> None:
    answer = client.get("/dashboard")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")


def set_password(station: Station, link_page: str) -> None:
    token = re.search(r"/(?:reset|invite)/([\w-]{40,})", link_page)
    assert token is not None, link_page
    stranger = station.app.test_client()
    new = "a brand new password"
    answer = stranger.post(
        f"/reset/{token.group(1)}",
        data={"password": new, "confirm": new, "csrf_token": csrf(stranger, "/login")},
    )
    assert answer.status_code == 302


def test_a_cookie_copied_before_logout_no_longer_opens_the_dashboard(station: Station) -> None:
    client = station.client("presenter_a")
    thief = stolen_copy(station, client)
    assert post(client, "/logout").status_code == 302
    assert_logged_out(thief)


def test_logout_ends_the_session_in_every_process_on_the_database(station: Station) -> None:
    elsewhere_services = build_services(station.services.settings)
    other = create_app(elsewhere_services.settings, elsewhere_services)
    client = station.client("presenter_a")
    cookie = client.get_cookie("session")
    assert cookie is not None
    elsewhere = other.test_client()
    elsewhere.set_cookie("session", cookie.value)
    assert elsewhere.get("/dashboard").status_code == 200
    post(client, "/logout")
    assert_logged_out(elsewhere)
    elsewhere_services.db.dispose()


def _disable(station: Station, admin: FlaskClient, path: str) -> None:
    post(admin, path, {"name": "Bea", "role": "presenter", "shows": ["show-b"], "disabled": "y"},
         page=path)  # fmt: skip


def _make_volunteer(station: Station, admin: FlaskClient, path: str) -> None:
    post(admin, path, {"name": "Bea", "role": "volunteer"}, page=path)


def _reset_by_admin(station: Station, admin: FlaskClient, path: str) -> None:
    set_password(station, post(admin, f"{path}/link", page=path).get_data(as_text=True))


@pytest.mark.parametrize("change", [_disable, _make_volunteer, _reset_by_admin])
def test_an_admins_change_ends_the_persons_sessions(
    station: Station, change: Callable[[Station, FlaskClient, str], None]
) -> None:
    thief = stolen_copy(station, station.client("presenter_b"))
    admin = station.client("admin")
    change(station, admin, f"/admin/accounts/{station.people['presenter_b'].id}")
    assert_logged_out(thief)


def test_a_password_set_from_radio_user_reset_ends_the_sessions(
    station: Station, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    thief = stolen_copy(station, station.client("presenter_b"))
    for name in [n for n in __import__("os").environ if n.startswith("RADIO_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("RADIO_DATA_DIR", str(station.services.settings.data_dir))
    monkeypatch.setenv("RADIO_DATABASE_URL", station.services.settings.database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["user", "reset", "b@example.org"]) == 0
    set_password(station, capsys.readouterr().out)
    assert_logged_out(thief)
