"""Probe: does "Forgot your password?" tell anyone which addresses have an account?

The probe asks for reset links for an address with an account, one without, and a disabled
account's, through the site, with a real SMTP server on loopback. What must hold: the three
answers are the same page, none comes back sooner than ``FORGOT_ANSWER_S`` (so the time
taken does not tell them apart either), only the active account gets mail, and its link sets
the password; a fourth request within the hour is refused with 429, so the page cannot be
used to flood someone's mailbox.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mail.conftest import MailServer, link_in, mail_server, smtp_server  # noqa: F401
from tests.mail.test_links import mail_station, path_of
from tests.web.people import EMAILS, Station, csrf
from web.auth import FORGOT_ANSWER_S


@pytest.fixture
def station(tmp_path: Path, smtp_server: MailServer) -> Iterator[Station]:  # noqa: F811
    made = mail_station(tmp_path, smtp_server)
    yield made
    made.services.db.dispose()


def test_forgot_password_answers_alike_and_mails_only_an_active_account(
    station: Station,
    smtp_server: MailServer,  # noqa: F811
) -> None:
    smtp_server.start()
    station.accounts.update(station.people["presenter_b"].id, disabled=True)
    visitor = station.app.test_client()
    assert 'href="/forgot"' in visitor.get("/login").get_data(as_text=True)
    answers, took = [], []
    for address in (EMAILS["presenter_a"], "nobody@example.org", EMAILS["presenter_b"]):
        started = time.monotonic()
        reply = visitor.post(
            "/forgot", data={"email": address, "csrf_token": csrf(visitor, "/forgot")}
        )
        took.append(time.monotonic() - started)
        assert reply.status_code == 200
        answers.append(re.sub(r'value="[^"]*"', "", reply.get_data(as_text=True)))
    assert answers[0] == answers[1] == answers[2]
    assert "If there is an account for that address, a link" in answers[0]
    assert min(took) >= FORGOT_ANSWER_S, took
    station.services.mail.send_due()
    assert [m["To"] for m in smtp_server.messages()] == [EMAILS["presenter_a"]]
    [message] = smtp_server.messages()
    assert message["Subject"] == "Set a new password for Demo Community Radio"
    link = path_of(link_in(message))
    client = station.app.test_client()
    reply = client.post(
        link,
        data={
            "password": "a brand new password",
            "confirm": "a brand new password",
            "csrf_token": csrf(client, link),
        },
    )
    assert reply.status_code == 302
    assert station.accounts.authenticate(EMAILS["presenter_a"], "a brand new password")


def test_forgot_password_is_throttled(
    station: Station,
    smtp_server: MailServer,  # noqa: F811
) -> None:
    visitor = station.app.test_client()
    codes = []
    for _ in range(4):
        reply = visitor.post(
            "/forgot", data={"email": "x@example.org", "csrf_token": csrf(visitor, "/forgot")}
        )
        codes.append(reply.status_code)
    assert codes == [200, 200, 200, 429]
    assert "Too many requests for a reset link. Please wait 60 minutes" in reply.get_data(
        as_text=True
    )
