"""Behind Caddy, each visitor is still told apart: one guesser cannot lock everyone out.

The login form allows a client (by address) 20 failed attempts in 15 minutes, then answers
429 to that client. Behind a reverse proxy every request reaches the site from the proxy's
own address, so without care the "client" is the proxy: one person trying passwords would
soon shut every presenter out of the site. The probe runs the station behind a real Caddy and
connects from two loopback addresses (127.0.0.2 guessing, 127.0.0.3 a real admin), and
checks:

* the guesser, after 20 wrong passwords for 20 different e-mail addresses, gets 429;
* the admin, from the other address, still logs in (302), with no wait;
* a client cannot pick its own address by sending ``X-Forwarded-For`` (Caddy replaces it):
  a third address claiming to be the guesser does not get the guesser's 429, and the
  guesser claiming to be someone else still does.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.proxy.rig import Proxied, proxied_station

pytestmark = pytest.mark.stack

GUESSER, ADMIN_HOST, OTHER = "127.0.0.2", "127.0.0.3", "127.0.0.4"
CLIENT_LIMIT = 20


@pytest.fixture(scope="module")
def proxied(demo_media: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    with proxied_station(demo_media, tmp_path_factory.mktemp("clients")) as made:
        yield made


def test_one_guesser_does_not_lock_out_everyone(proxied: Proxied) -> None:
    guesser = proxied.browser(GUESSER)
    answers = [
        guesser.log_in(f"someone{n}@example.org", "not the password").status
        for n in range(CLIENT_LIMIT)
    ]
    assert answers == [401] * CLIENT_LIMIT
    assert guesser.log_in("someone-else@example.org", "still not it").status == 429

    admin = proxied.browser(ADMIN_HOST).log_in()
    assert admin.status == 302, admin.text


def test_x_forwarded_for_from_a_visitor_is_not_believed(proxied: Proxied) -> None:
    guesser = proxied.browser(GUESSER)
    guesser.log_in("another@example.org", "wrong")  # the guesser is throttled by now
    claimed = {"X-Forwarded-For": OTHER}
    token = guesser.csrf()
    answer = guesser.request(
        "POST", "/login",
        body=f"email=x%40example.org&password=wrong&csrf_token={token}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", **claimed},
    )  # fmt: skip
    assert answer.status == 429
    other = proxied.browser(OTHER)
    token = other.csrf()
    answer = other.request(
        "POST", "/login",
        body=f"email=y%40example.org&password=wrong&csrf_token={token}".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "X-Forwarded-For": GUESSER},
    )  # fmt: skip
    assert answer.status == 401, "a visitor claiming another's address was taken at its word"
