"""The outbox: messages queued in the database and sent in batches with retries.

:meth:`Outbox.queue` only writes a row; :meth:`Outbox.send_due` (the scheduler's job, every
few seconds) sends what is due. A message is marked sent only once the server accepted it;
when the server cannot be reached or refuses, the message waits ``RETRY_FIRST`` and then
twice as long each time, up to ``RETRY_MAX``, and nothing is lost.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import func, select

from radio.clock import Clock, system_clock
from radio.db import Database
from radio.mail.smtp import MailError, SmtpSender
from radio.mail.store import OutboxRow

log = logging.getLogger(__name__)

RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)
#: Messages sent in one go (the rest wait for the next run).
BATCH = 50


class Outbox:
    """Messages for ``sender`` (None: e-mail is not set up, nothing is queued)."""

    def __init__(
        self,
        db: Database,
        sender: SmtpSender | None,
        mail_from: str,
        *,
        clock: Clock = system_clock,
    ) -> None:
        self.db = db
        self.sender = sender
        self.mail_from = mail_from
        self.clock = clock

    @property
    def configured(self) -> bool:
        """Is there a mail server to send through?"""
        return self.sender is not None

    def queue(self, to: str, subject: str, body: str, *, event: str | None = None) -> int | None:
        """Queue one message; with ``event``, only if no message was queued for it before.

        The message's id, or None when nothing was queued (no mail server, or ``event``
        already had its message).
        """
        if self.sender is None:
            return None
        now = self.clock()
        with self.db.write() as session:
            if event is not None:
                found = session.scalars(select(OutboxRow.id).where(OutboxRow.event == event))
                if found.first() is not None:
                    return None
            row = OutboxRow(
                to=to,
                subject=subject,
                body=body,
                created=now,
                attempts=0,
                next_try=now,
                last_error="",
                event=event,
            )
            session.add(row)
            session.flush()
            queued = row.id
        log.info("e-mail to %s queued: %s", to, subject)
        return queued

    def waiting(self) -> int:
        """How many messages are not sent yet."""
        with self.db.session() as session:
            count = session.scalar(select(func.count()).where(OutboxRow.sent_at.is_(None)))
            return int(count or 0)

    def send_due(self, only: int | None = None) -> int:
        """Send the messages that are due (or just message ``only``); how many the server
        accepted.

        An unreachable server is one warning in the log; the messages wait and are retried.
        """
        if self.sender is None:
            return 0
        now = self.clock()
        wanted = select(OutboxRow).where(OutboxRow.sent_at.is_(None), OutboxRow.next_try <= now)
        if only is not None:
            wanted = wanted.where(OutboxRow.id == only)
        with self.db.session() as session:
            due = list(
                session.scalars(wanted.order_by(OutboxRow.next_try, OutboxRow.id).limit(BATCH))
            )
            session.expunge_all()
        if not due:
            return 0
        sent = 0
        try:
            with self.sender.connect() as server:
                for row in due:
                    try:
                        self.sender.send(server, self._message(row))
                    except MailError as exc:
                        self._failed(row, str(exc))
                        log.warning("%s The message to %s will be retried.", exc, row.to)
                        if not _server_alive(server):
                            break
                        continue
                    self._sent(row)
                    sent += 1
        except MailError as exc:
            for row in due[sent:]:
                self._failed(row, str(exc))
            log.warning("%s %d message(s) wait to be retried.", exc, self.waiting())
        return sent

    def _message(self, row: OutboxRow) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.mail_from
        message["To"] = row.to
        message["Subject"] = row.subject
        message["Date"] = row.created
        message["Message-ID"] = make_msgid(idstring=f"radio-{row.id}")
        message.set_content(row.body)
        return message

    def _sent(self, row: OutboxRow) -> None:
        with self.db.write() as session:
            stored = session.get(OutboxRow, row.id)
            if stored is not None:
                stored.sent_at = self.clock()
                stored.attempts += 1
        log.info("e-mail to %s sent: %s", row.to, row.subject)

    def _failed(self, row: OutboxRow, error: str) -> None:
        with self.db.write() as session:
            stored = session.get(OutboxRow, row.id)
            if stored is None or stored.sent_at is not None:
                return
            stored.attempts += 1
            stored.last_error = error
            stored.next_try = self.clock() + retry_wait(stored.attempts)


def retry_wait(attempts: int) -> timedelta:
    """How long a message waits after its ``attempts``-th failure (30 s, 1 min, 2 min… 1 h)."""
    doublings: int = min(max(attempts - 1, 0), 20)
    wait: timedelta = RETRY_FIRST * (2**doublings)
    return min(wait, RETRY_MAX)


def _server_alive(server: smtplib.SMTP) -> bool:
    try:
        code, _ = server.noop()
    except Exception:
        return False
    return bool(code == 250)
