"""Probe: can a stranger who knows a presenter's e-mail address lock them out?

The probe plays a stranger at one address who tries wrong passwords for a presenter's
address, again and again, each time as soon as the site allows. What must hold:

* the stranger gets a few free tries, then 429 with a wait that doubles after each failure
  (30 s, 1 min, 2 min, …): guessing is slowed;
* the presenter, from their own address, still logs in at once, at every moment of it;
* a presenter who mistyped their own password until they had to wait, and then set a new
  one through a reset link, logs in with it at once (the link lifts the wait).

Before this, failures were counted per e-mail address: five wrong passwords from anywhere
kept the presenter out for 15 minutes, and a reset link did not help.
"""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.web.people import (
    EMAILS,
    PASSWORD,
    Station,
    csrf,
    station_fixture,  # noqa: F401
)

STRANGER, PRESENTER = "203.0.113.66", "198.51.100.7"
NEW_PASSWORD = "a brand new password"


def client_at(station: Station, address: str) -> FlaskClient:
    client = station.app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def log_in(client: FlaskClient, email: str, password: str) -> TestResponse:
    token = csrf(client, "/login")
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_a_stranger_guessing_is_slowed_and_the_presenter_still_logs_in(station: Station) -> None:
    email = EMAILS["presenter_a"]
    stranger = client_at(station, STRANGER)
    answers = [log_in(stranger, email, f"guess {n}").status_code for n in range(5)]
    assert answers == [401] * 5
    waits = []
    for n in range(5):
        refused = log_in(stranger, email, f"guess again {n}")
        assert refused.status_code == 429
        assert "Too many failed attempts" in refused.get_data(as_text=True)
        waits.append(int(refused.headers["Retry-After"]))
        # The presenter, at home, is not kept out (a fresh browser each time).
        assert log_in(client_at(station, PRESENTER), email, PASSWORD).status_code == 302
        station.clock[0] += timedelta(seconds=waits[-1])
        assert log_in(stranger, email, f"and again {n}").status_code == 401
    assert waits == [30, 60, 120, 240, 480]


def test_a_reset_link_lifts_the_wait(station: Station) -> None:
    email = EMAILS["presenter_b"]
    presenter = client_at(station, PRESENTER)
    for n in range(5):
        assert log_in(presenter, email, f"mistyped {n}").status_code == 401
    assert log_in(presenter, email, PASSWORD).status_code == 429
    token = station.accounts.reset_link(station.people["presenter_b"].id)
    answer = presenter.post(
        f"/reset/{token}",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf(presenter)},
    )
    assert answer.status_code == 302
    fresh = client_at(station, PRESENTER)  # another browser at the same address
    assert log_in(fresh, email, NEW_PASSWORD).status_code == 302
