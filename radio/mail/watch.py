"""Reminders to presenters and notes to volunteers, queued once per event.

* :meth:`Watch.remind`: a prerecorded slot starting within ``reminder_days`` with no episode
  gets one reminder to each of its show's presenters (unless the show opted out);
* :meth:`Watch.note`: a slot that went out without its episode (``missing`` in the as-run
  log) or silence on air (a ``silence`` incident) gets one note to each volunteer and admin.

Each message names its event in the outbox, so running these again sends nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from radio.accounts.model import Account
from radio.accounts.service import AccountService
from radio.clock import Clock, system_clock
from radio.config import Settings
from radio.db import Database
from radio.grid.service import GridService
from radio.mail import messages
from radio.mail.outbox import Outbox
from radio.mail.store import ReminderOptOut
from radio.media.library import MediaLibrary
from radio.playout.asrun import AsRunEntry, Incident

#: Events older than this are not noted (a station that was off does not send a backlog).
LOOKBACK = timedelta(hours=6)


class Watch:
    def __init__(
        self,
        settings: Settings,
        outbox: Outbox,
        grid: GridService,
        library: MediaLibrary,
        accounts: AccountService,
        *,
        clock: Clock = system_clock,
    ) -> None:
        self.settings = settings
        self.outbox = outbox
        self.grid = grid
        self.library = library
        self.accounts = accounts
        self.clock = clock

    def remind(self) -> int:
        """Queue reminders for prerecorded slots without an episode; how many were queued."""
        if not self.outbox.configured or self.settings.reminder_days <= 0:
            return 0
        now = self.clock()
        opted_out = opt_outs(self.outbox.db)
        queued = 0
        for slot in self.grid.expand(now, now + timedelta(days=self.settings.reminder_days)):
            if slot.kind != "prerecorded" or slot.show in opted_out or slot.start <= now:
                continue
            if self.library.episode_for(slot.id) is not None:
                continue
            mail = messages.episode_reminder(
                self.settings.station_name,
                slot.title,
                slot.local_start,
                f"{self.settings.site_url}/dashboard",
            )
            for person in self.accounts.presenters_of(slot.show):
                if person.active:
                    event = f"reminder:{slot.id}:{person.id}"
                    queued += self._queue(person.email, mail, event)
        return queued

    def note(self) -> int:
        """Queue notes about empty slots and silence on air; how many were queued."""
        if not self.outbox.configured:
            return 0
        since = self.clock() - LOOKBACK
        crew = [a for a in self.accounts.list_accounts() if a.edits_grid]
        if not crew:
            return 0
        queued = 0
        with self.outbox.db.session() as session:
            missing = session.execute(
                select(AsRunEntry.occurrence_id, AsRunEntry.show, AsRunEntry.started_at).where(
                    AsRunEntry.status == "missing", AsRunEntry.started_at >= since
                )
            ).all()
            silences = session.execute(
                select(Incident.id, Incident.started_at, Incident.detail).where(
                    Incident.kind == "silence", Incident.started_at >= since
                )
            ).all()
        seen: set[str] = set()
        for occurrence_id, show, started in missing:
            key = occurrence_id or f"{show}@{started.isoformat()}"
            if key in seen:
                continue
            seen.add(key)
            found = self.grid.find_occurrence(occurrence_id) if occurrence_id else None
            title = found.title if found else (show or "A slot")
            start = found.start if found else started
            mail = messages.empty_slot_note(
                self.settings.station_name,
                title,
                start.astimezone(self.settings.tz),
                f"{self.settings.site_url}/grid",
            )
            queued += self._tell(crew, f"missing:{key}", mail)
        for incident_id, started, detail in silences:
            mail = messages.silence_note(
                self.settings.station_name,
                started.astimezone(self.settings.tz),
                detail,
                f"{self.settings.site_url}/grid",
            )
            queued += self._tell(crew, f"silence:{incident_id}", mail)
        return queued

    def _tell(self, crew: list[Account], event: str, mail: messages.Mail) -> int:
        return sum(self._queue(a.email, mail, f"{event}:{a.id}") for a in crew)

    def _queue(self, to: str, mail: messages.Mail, event: str) -> int:
        """1 if the message was queued now, 0 if ``event`` had its message already."""
        return int(self.outbox.queue(to, mail.subject, mail.body, event=event) is not None)


def opt_outs(db: Database) -> frozenset[str]:
    """The shows whose presenters get no reminders."""
    with db.session() as session:
        return frozenset(session.scalars(select(ReminderOptOut.show)))


def set_reminders(db: Database, show: str, wanted: bool) -> None:
    """Turn reminders about missing episodes on or off for ``show``."""
    with db.write() as session:
        row = session.get(ReminderOptOut, show)
        if wanted and row is not None:
            session.delete(row)
        elif not wanted and row is None:
            session.add(ReminderOptOut(show=show))
