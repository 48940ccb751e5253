"""Sending one batch of messages through the station's SMTP server (the standard library's
:mod:`smtplib`); every failure becomes a :class:`MailError` with one sentence."""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path

from radio.config import Settings
from radio.errors import RadioError

TIMEOUT_S = 20.0


class MailError(RadioError):
    """The mail server could not be reached or refused a message."""


class SmtpSender:
    """Connections to the server named in ``settings`` (``smtp_host`` must be set)."""

    def __init__(self, settings: Settings) -> None:
        self.host = settings.smtp_host
        self.port = settings.smtp_port_in_use
        self.security = settings.smtp_security
        self.user = settings.smtp_user
        self.password = settings.smtp_password
        self.password_file = settings.smtp_password_file

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    @contextmanager
    def connect(self) -> Iterator[smtplib.SMTP]:
        """A logged-in connection; :class:`MailError` if the server cannot be reached."""
        try:
            server = self._open()
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(
                f"The mail server {self.where} could not be reached ({_reason(exc)})."
            ) from exc
        try:
            yield server
        finally:
            try:
                server.quit()
            except (OSError, smtplib.SMTPException):
                server.close()

    def send(self, server: smtplib.SMTP, message: EmailMessage) -> None:
        """Hand one message to the server; :class:`MailError` if it is not accepted."""
        try:
            refused = server.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(
                f"The mail server {self.where} did not take the message ({_reason(exc)})."
            ) from exc
        if refused:
            raise MailError(f"The mail server {self.where} refused {', '.join(refused)}.")

    def _open(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        server: smtplib.SMTP
        if self.security == "tls":
            server = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_S, context=context)
        else:
            server = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S)
        try:
            if self.security == "starttls":
                server.starttls(context=context)
            if self.user:
                server.login(self.user, self._password())
        except BaseException:
            server.close()
            raise
        return server

    def _password(self) -> str:
        if self.password_file:
            return Path(self.password_file).read_text(encoding="utf-8").strip()
        return self.password


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"{exc.smtp_code} {text}".strip()
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"its certificate is not trusted: {exc.verify_message}"
    if isinstance(exc, smtplib.SMTPNotSupportedError) and "STARTTLS" in str(exc):
        return 'it does not offer STARTTLS, which smtp_security = "starttls" asks for'
    if isinstance(exc, socket.timeout | TimeoutError):
        return "no answer in time"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
