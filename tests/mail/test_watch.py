"""Reminders to presenters and notes to volunteers, through a real SMTP server on loopback.

A prerecorded slot with no episode within ``reminder_days`` gets one reminder per presenter
(once, however often the job runs), except for a show that opted out on its page in the
grid editor; a slot that went out without its episode, and silence on air, each get one
note to every volunteer and admin.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from radio.jobs import add_mail_jobs
from radio.mail.watch import Watch
from radio.playout.asrun import AsRunEntry, Incident
from tests.mail.conftest import MailServer, body
from tests.mail.test_links import mail_station
from tests.web.people import EMAILS, NOW, Station, post


@pytest.fixture
def station(tmp_path: Path, mail_server: MailServer) -> Iterator[Station]:
    made = mail_station(tmp_path, mail_server)
    yield made
    made.services.db.dispose()


def watch(station: Station) -> Watch:
    s = station.services
    return Watch(s.settings, s.mail, s.grid, s.library, s.accounts, clock=s.clock)


def reminders_ticked(page: str) -> bool:
    found = re.search(r'<input[^>]* id="reminders"[^>]*>', page)
    assert found, "no reminders checkbox on the show's page"
    return " checked " in found.group(0)


def subjects(server: MailServer, to: str) -> list[str]:
    return sorted(str(m["Subject"]) for m in server.to(to))


def test_presenters_are_reminded_once_and_an_opted_out_show_is_not(
    station: Station, mail_server: MailServer
) -> None:
    volunteer = station.client("volunteer")
    page = "/grid/shows/show-b"
    assert reminders_ticked(volunteer.get(page).get_data(as_text=True))
    saved = post(volunteer, page, {"title": "Show B", "kind": "prerecorded"}, page=page)
    assert saved.status_code == 302
    assert not reminders_ticked(volunteer.get(page).get_data(as_text=True))
    jobs = watch(station)
    assert jobs.remind() == 2  # show-a on Monday and Tuesday at 10:00; show-b opted out
    assert jobs.remind() == 0
    station.services.mail.send_due()
    assert subjects(mail_server, EMAILS["presenter_a"]) == [
        "No episode yet for Show A on Monday 23 November at 10:00",
        "No episode yet for Show A on Tuesday 24 November at 10:00",
    ]
    assert mail_server.to(EMAILS["presenter_b"]) == []
    [first, _] = mail_server.to(EMAILS["presenter_a"])
    assert "https://radio.example.org/dashboard" in body(first)
    station.clock[0] = NOW + timedelta(days=1)  # Wednesday's slot comes within two days
    assert jobs.remind() == 1
    station.services.mail.send_due()
    assert len(mail_server.to(EMAILS["presenter_a"])) == 3


def test_volunteers_get_one_note_for_an_empty_slot_and_one_for_silence(
    station: Station, mail_server: MailServer
) -> None:
    occurrence = station.occurrence("show-a", days=0)
    start = NOW + timedelta(hours=1)
    station.clock[0] = start + timedelta(minutes=20)
    with station.services.db.write() as session:
        for minutes in (0, 4):  # two rotation tracks played in the empty slot
            session.add(
                AsRunEntry(
                    started_at=start + timedelta(minutes=minutes),
                    source="rotation",
                    status="missing",
                    show="show-a",
                    occurrence_id=occurrence,
                )
            )
        session.add(
            Incident(
                kind="silence",
                detail="The output was silent for more than 15 s; the next source took over.",
                started_at=start + timedelta(minutes=10),
            )
        )
    jobs = watch(station)
    assert jobs.note() == 4  # two events, each to the volunteer and the admin
    assert jobs.note() == 0
    station.services.mail.send_due()
    for who in ("volunteer", "admin"):
        assert subjects(mail_server, EMAILS[who]) == [
            "Show A went out without its episode",
            "Silence on air at Monday 23 November at 10:10",
        ]
    assert mail_server.to(EMAILS["presenter_a"]) == []


def test_the_scheduler_sends_the_outbox_and_queues_reminders_and_notes(
    station: Station,
) -> None:
    scheduler = BackgroundScheduler()
    add_mail_jobs(scheduler, station.services)
    jobs = {job.id: job.trigger.interval for job in scheduler.get_jobs()}
    assert jobs == {
        "outbox": timedelta(seconds=15),
        "reminders": timedelta(minutes=1),
        "notes": timedelta(minutes=1),
    }
