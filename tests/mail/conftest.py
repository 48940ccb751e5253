"""A real SMTP server (aiosmtpd, in its own process) on a free loopback port."""

from __future__ import annotations

import email
import email.policy
import re
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from radio.config import PROJECT_DIR
from tests.support import free_port, port_open, stop, wait_for


class MailServer:
    """``python -m aiosmtpd`` keeping what it receives in ``folder``; start and stop at will."""

    def __init__(self, folder: Path, port: int, tls: list[str] | None = None) -> None:
        self.folder = folder
        self.port = port
        #: aiosmtpd's TLS options, e.g. ``["--tlscert", CERT, "--tlskey", KEY]`` (STARTTLS).
        self.tls = tls or []
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{self.port}",
                *self.tls,
                "-c",
                "tests.mail.sink.Folder",
                str(self.folder),
            ],
            cwd=PROJECT_DIR,
            stdin=subprocess.DEVNULL,
            env={"PYTHONPATH": str(PROJECT_DIR), "PATH": "/usr/bin:/bin"},
        )
        wait_for(lambda: port_open(self.port) or None, 20, "the SMTP server to listen")

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    def messages(self) -> list[EmailMessage]:
        found = []
        for path in sorted(self.folder.glob("*.eml")):
            parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            found.append(parsed)
        return found

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages() if m["To"] == address]


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage) -> str:
    found = re.search(r"https?://\S+", body(message))
    assert found, body(message)
    return found.group(0)


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[MailServer]:
    """A mail server, not started yet (``start()`` it; it is stopped at the end)."""
    server = MailServer(tmp_path / "mailbox", free_port())
    yield server
    server.stop()


@pytest.fixture
def mail_server(smtp_server: MailServer) -> MailServer:
    """A mail server, listening."""
    smtp_server.start()
    return smtp_server
