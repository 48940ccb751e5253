"""Invitations and password reset links by e-mail, through a real SMTP server on loopback.

The admin invites on the site, the outbox sends, and the link in the message opens the
page that sets the password; "Forgot your password?" answers the same for a known and an
unknown address, and only the known one gets mail; a mail server that is down keeps the
message queued, to be delivered once it is up; the CLI mails the link too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from radio.cli import main
from radio.config import PROJECT_DIR
from radio.mail.links import queue_link
from radio.mail.store import OutboxRow
from tests.mail.conftest import MailServer, body, link_in
from tests.web.people import Station, csrf, make_station, post

SENDER = "Demo Radio <radio@example.org>"


def mail_station(tmp_path: Path, server: MailServer, database_url: str = "") -> Station:
    return make_station(
        tmp_path,
        database_url=database_url,
        smtp_host="127.0.0.1",
        smtp_port=server.port,
        smtp_security="none",
        mail_from=SENDER,
        public_url="https://radio.example.org",
    )


@pytest.fixture
def station(tmp_path: Path, smtp_server: MailServer, database_url: str) -> Iterator[Station]:
    """The station with a mail server, once on SQLite and once on PostgreSQL."""
    made = mail_station(tmp_path, smtp_server, database_url)
    yield made
    made.services.db.dispose()


def outbox(station: Station) -> list[OutboxRow]:
    with station.services.db.session() as session:
        rows = list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
        session.expunge_all()
        return rows


def path_of(link: str) -> str:
    assert link.startswith("https://radio.example.org/"), link
    return urlsplit(link).path


def test_an_invitation_arrives_and_its_link_sets_the_password(
    station: Station, smtp_server: MailServer
) -> None:
    smtp_server.start()
    admin = station.client("admin")
    reply = post(
        admin,
        "/admin/invite",
        {"email": "Newcomer@Example.org", "role": "presenter", "shows": ["show-a"]},
        page="/admin",
    )
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200
    assert "An invitation is on its way to newcomer@example.org by e-mail." in page
    assert "/invite/" not in page  # the link goes to the person, not onto the admin's screen
    assert station.services.mail.send_due() == 1
    [message] = smtp_server.to("newcomer@example.org")
    assert message["From"] == SENDER
    assert message["Subject"] == "Your invitation to Demo Community Radio"
    assert "invited to help run Demo Community Radio as a presenter" in body(message)
    link = path_of(link_in(message))
    newcomer = station.app.test_client()
    assert "Welcome to Demo Community Radio" in newcomer.get(link).get_data(as_text=True)
    done = newcomer.post(
        link,
        data={
            "password": "my very own password",
            "confirm": "my very own password",
            "csrf_token": csrf(newcomer, link),
        },
    )
    assert done.status_code == 302 and done.headers["Location"] == "/dashboard"
    assert station.accounts.authenticate("newcomer@example.org", "my very own password")
    assert station.services.mail.send_due() == 0  # sent once, not again


def test_an_admin_reset_link_is_mailed(station: Station, smtp_server: MailServer) -> None:
    smtp_server.start()
    admin = station.client("admin")
    person = station.people["presenter_b"]
    page = f"/admin/accounts/{person.id}"
    reply = admin.post(f"{page}/link", data={"link-csrf_token": csrf(admin, page)})
    assert reply.status_code == 302
    shown = admin.get(reply.headers["Location"]).get_data(as_text=True)
    assert "A password reset link is on its way to b@example.org by e-mail." in shown
    station.services.mail.send_due()
    [message] = smtp_server.to("b@example.org")
    assert re.fullmatch(r"/reset/[\w-]+", path_of(link_in(message)))


def test_a_server_that_is_down_keeps_the_message_until_it_is_up(
    station: Station, smtp_server: MailServer, caplog: pytest.LogCaptureFixture
) -> None:
    station.services.accounts.invite("late@example.org", "volunteer")
    account = station.accounts.by_email("late@example.org")
    assert account is not None
    queue_link(station.services.mail, station.services.settings, account, "invite", "tok")
    assert station.services.mail.send_due() == 0
    [row] = outbox(station)
    assert row.sent_at is None and row.attempts == 1
    assert row.next_try > station.clock[0]
    assert f"The mail server 127.0.0.1:{smtp_server.port} could not be reached" in row.last_error
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warned == [
        f"The mail server 127.0.0.1:{smtp_server.port} could not be reached "
        "(Connection refused). 1 message(s) wait to be retried."
    ]
    smtp_server.start()
    assert station.services.mail.send_due() == 0  # not due yet
    assert smtp_server.messages() == []
    station.clock[0] = row.next_try
    assert station.services.mail.send_due() == 1
    [message] = smtp_server.to("late@example.org")
    assert "/invite/tok" in body(message)
    assert [r.sent_at for r in outbox(station)] == [station.clock[0]]


def test_the_wait_grows_after_each_failure(station: Station) -> None:
    mail = station.services.mail
    mail.queue("x@example.org", "Hello", "Hello.")
    waits = []
    for _ in range(4):
        [row] = outbox(station)
        station.clock[0] = row.next_try
        mail.send_due()
        [row] = outbox(station)
        waits.append(row.next_try - station.clock[0])
    assert waits == [timedelta(seconds=s) for s in (30, 60, 120, 240)]


@pytest.fixture
def cli_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(__import__("os").environ):
        if name.startswith("RADIO_"):
            monkeypatch.delenv(name)
    (tmp_path / "var").mkdir()
    monkeypatch.setenv("RADIO_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(tmp_path)
    assert main(["grid", "import", str(PROJECT_DIR / "schedules" / "demo.toml")]) == 0
    return tmp_path / "var"


def test_the_cli_mails_the_link_when_a_server_is_set(
    cli_data: Path,
    mail_server: MailServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    assert main(["user", "invite", "sam@example.org", "--role", "volunteer"]) == 0
    printed = capsys.readouterr().out
    assert "/invite/" in printed  # no mail server: the link is printed, as before
    assert mail_server.messages() == []
    monkeypatch.setenv("RADIO_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RADIO_SMTP_PORT", str(mail_server.port))
    monkeypatch.setenv("RADIO_SMTP_SECURITY", "none")
    monkeypatch.setenv("RADIO_MAIL_FROM", "radio@example.org")
    assert main(["user", "reset", "sam@example.org"]) == 0
    printed = capsys.readouterr().out
    assert printed == "The invitation is on its way to sam@example.org by e-mail.\n"
    [message] = mail_server.to("sam@example.org")
    assert re.search(r"http://127\.0\.0\.1:8080/invite/[\w-]+", body(message))
