"""The week calendar's data, and volunteers deciding on proposals (Flask's test client)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from radio.grid.model import Show, Slot
from radio.mail.store import OutboxRow
from tests.mail.conftest import MailServer, smtp_server  # noqa: F401
from tests.mail.test_links import mail_station
from tests.web.people import EVERY_DAY, Station, offer_and_propose, post
from tests.web.people import station_fixture as station_fixture


def calendar(station: Station, start: str, end: str) -> list[dict[str, object]]:
    client = station.client("volunteer")
    response = client.get(f"/grid/calendar.json?start={start}&end={end}")
    assert response.status_code == 200, response.get_data(as_text=True)
    found: list[dict[str, object]] = response.get_json()
    return found


def test_the_calendar_draws_wall_clock_times_and_marks_the_clock_change(station: Station) -> None:
    night = Slot("s1", EVERY_DAY, time(23), timedelta(hours=3), date(2026, 1, 5))
    station.grid.save_show(Show("night", "Night Shift", "music", colour="#6b2c6b", slots=(night,)))
    events = calendar(station, "2027-03-28T00:00:00Z", "2027-03-29T00:00:00Z")
    across = next(e for e in events if e.get("id") == "night.s1.2027-03-27")
    # Saturday 23:00 GMT for three wall-clock hours: 02:00 BST on the 23-hour Sunday.
    assert (across["start"], across["end"]) == ("2027-03-27T23:00:00", "2027-03-28T02:00:00")
    assert across["title"] == "Night Shift (2 h on air: the clocks change)"
    assert across["color"] == "#6b2c6b"
    assert across["url"] == "/grid/occurrences/night.s1.2027-03-27"
    bands = {e["title"]: (e["start"], e["end"]) for e in events if e.get("display")}
    assert bands["23-hour day: clocks go forward"] == ("2027-03-28T00:00:00", "2027-03-29T00:00:00")
    assert bands["No such time: clocks go forward from 01:00 to 02:00"] == (
        "2027-03-28T01:00:00",
        "2027-03-28T02:00:00",
    )
    autumn = calendar(station, "2027-10-31T00:00:00Z", "2027-11-01T00:00:00Z")
    assert "This happens twice: clocks go back from 02:00 to 01:00" in {e["title"] for e in autumn}
    too_long = station.client("volunteer").get(
        "/grid/calendar.json?start=2027-01-01&end=2027-06-01"
    )
    assert too_long.status_code == 400
    assert too_long.get_json()["detail"] == "Ask for a window of up to 62 days."


def test_open_slots_show_on_the_calendar_and_the_public_page(station: Station) -> None:
    offer_and_propose(station)
    events = calendar(station, "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z")
    [band] = [e for e in events if e.get("title") == "Open for new shows"]
    assert (band["start"], band["end"]) == ("2026-11-24T21:00:00", "2026-11-24T22:00:00")
    page = station.client().get("/get-involved").get_data(as_text=True)
    assert "Every Tuesday, 21:00–22:00 from 24 Nov 2026" in page
    assert "We are looking for: Music from the neighbourhood" in page
    clash = post(
        station.client("volunteer"),
        "/grid/open-slots",
        {"repeat": "once", "start": "10:30", "minutes": "60", "first": "2026-11-25"},
    )
    assert clash.status_code == 409
    assert "This open slot would overlap Show A (show-a)" in clash.get_data(as_text=True)


def test_accepting_without_email_shows_the_invitation_link_to_pass_on(station: Station) -> None:
    offer_and_propose(station)
    volunteer = station.client("volunteer")
    response = post(volunteer, "/grid/proposals/1/accept", {"accept-slots": ["1"]})
    assert response.headers["Location"] == "/grid/shows/night-owls"
    page = volunteer.get("/grid/shows/night-owls").get_data(as_text=True)
    link = re.search(r"pass this invitation link on to the proposer yourself: (\S+)</p>", page)
    assert link, page
    assert station.client().get(urlsplit(link.group(1)).path).status_code == 200
    again = post(volunteer, "/grid/proposals/1/accept", {"accept-slots": ["1"]})
    assert again.status_code == 409
    assert "already accepted by Val" in again.get_data(as_text=True)


@pytest.fixture
def mail_only_station(tmp_path: Path, smtp_server: MailServer) -> Iterator[Station]:  # noqa: F811
    made = mail_station(tmp_path, smtp_server)  # mail is queued; the server is not needed
    yield made
    made.services.db.dispose()


def test_declining_needs_a_reason_tells_the_proposer_and_the_public(
    mail_only_station: Station,
) -> None:
    station = mail_only_station
    offer_and_propose(station)
    volunteer = station.client("volunteer")
    comment = post(volunteer, "/grid/proposals/1/comment", {"comment-text": "Not for us?"})
    assert comment.status_code == 302
    empty = post(volunteer, "/grid/proposals/1/decline", {"decline-reason": ""})
    assert empty.status_code == 422
    done = post(
        volunteer, "/grid/proposals/1/decline", {"decline-reason": "We have three jazz shows."}
    )
    assert done.status_code == 302
    changes = station.client().get("/changes").get_data(as_text=True)
    assert "Declined a listener&#39;s proposal for a show: Night Owls." in changes
    assert "Why: We have three jazz shows." in changes
    assert "olu@example.org" not in changes and "Olu" not in changes
    with station.services.db.session() as session:
        [mail] = session.scalars(select(OutboxRow)).all()
    assert mail.to == "olu@example.org" and "We have three jazz shows." in mail.body
    page = volunteer.get("/grid/proposals/1").get_data(as_text=True)
    assert "Not for us?" in page and "Declined by Val" in page
