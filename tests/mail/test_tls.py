"""Mail over an encrypted connection: STARTTLS and TLS from the first byte (SMTPS).

The SMTP server is aiosmtpd on loopback with a certificate made for the test; the station
trusts it through OpenSSL's ``SSL_CERT_FILE``, as a server whose certificate comes from a
private CA would be trusted. A server whose certificate is not trusted, or one that cannot
do what ``smtp_security`` asks, keeps the message queued and says why in one sentence.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from radio.mail.store import OutboxRow
from tests.mail.conftest import MailServer, body
from tests.support import free_port
from tests.web.people import Station, make_station


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def serve(tmp_path: Path, *tls: str) -> Iterator[MailServer]:
    server = MailServer(tmp_path / "mailbox", free_port(), list(tls))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def starttls_server(tmp_path: Path, certificate: tuple[Path, Path]) -> Iterator[MailServer]:
    """A server that takes mail only after STARTTLS."""
    cert, key = certificate
    yield from serve(tmp_path, "--tlscert", str(cert), "--tlskey", str(key))


@pytest.fixture
def smtps_server(tmp_path: Path, certificate: tuple[Path, Path]) -> Iterator[MailServer]:
    """A server that speaks TLS from the first byte."""
    cert, key = certificate
    yield from serve(tmp_path, "--smtpscert", str(cert), "--smtpskey", str(key))


def station_for(tmp_path: Path, server: MailServer, security: str) -> Station:
    return make_station(
        tmp_path / "station",
        smtp_host="127.0.0.1",
        smtp_port=server.port,
        smtp_security=security,
        mail_from="Demo Radio <radio@example.org>",
        public_url="https://radio.example.org",
    )


def last_error(station: Station) -> str | None:
    with station.services.db.session() as session:
        row = session.scalars(select(OutboxRow)).one()
        return row.last_error


@pytest.mark.parametrize(("security", "server"), [("starttls", "starttls_server"),
                                                  ("tls", "smtps_server")])  # fmt: skip
def test_mail_goes_over_tls_to_a_trusted_server(
    tmp_path: Path,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    security: str,
    server: str,
) -> None:
    mail_server: MailServer = request.getfixturevalue(server)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    station = station_for(tmp_path, mail_server, security)
    station.services.mail.queue("someone@example.org", "Hello", "Sent encrypted.")
    assert station.services.mail.send_due() == 1
    [message] = mail_server.to("someone@example.org")
    assert body(message).strip() == "Sent encrypted."


def test_an_untrusted_certificate_keeps_the_message_and_says_so(
    tmp_path: Path, starttls_server: MailServer
) -> None:
    station = station_for(tmp_path, starttls_server, "starttls")
    station.services.mail.queue("someone@example.org", "Hello", "Not sent in the clear.")
    assert station.services.mail.send_due() == 0
    assert starttls_server.messages() == []
    assert last_error(station) == (
        f"The mail server 127.0.0.1:{starttls_server.port} could not be reached (its "
        "certificate is not trusted: self-signed certificate)."
    )


def test_a_server_without_starttls_is_not_sent_mail_in_the_clear(
    tmp_path: Path, smtp_server: MailServer
) -> None:
    smtp_server.start()
    station = station_for(tmp_path, smtp_server, "starttls")
    station.services.mail.queue("someone@example.org", "Hello", "Not sent in the clear.")
    assert station.services.mail.send_due() == 0
    assert smtp_server.messages() == []
    assert last_error(station) == (
        f"The mail server 127.0.0.1:{smtp_server.port} could not be reached (it does not "
        'offer STARTTLS, which smtp_security = "starttls" asks for).'
    )
