"""Show proposals and the week calendar under bad input and races.

What the probes try, and what must hold each time:

* a stranger's proposal with missing fields, absurd lengths, a bad address or no slot: the
  page answers 422 with one sentence per problem, and nothing is kept;
* the hidden honeypot field filled in (as robots do): thanked, nothing kept; too many
  proposals from one visitor: 429 with Retry-After, nothing kept;
* a proposal for an open slot that was filled, or overlapped by a new show, in the meantime:
  409 and "taken in the meantime", nothing kept;
* two volunteers accepting two proposals for the same slot at the same moment (threads): one
  show is made, the other volunteer is told the slot was taken, and nothing of theirs is
  half made (no show, no invitation, the proposal still waiting, one line on /changes);
* the same proposal accepted twice at once: one show, the second told someone got there first;
* an airing dragged onto another show: 409 with the sentence, nothing saved or logged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, time, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from radio.grid.model import Slot
from radio.proposals.model import ProposalError, ProposalInput, SlotTaken
from radio.proposals.service import ProposalService
from tests.web.people import OPEN_TUESDAY, Station, csrf, make_station, offer_and_propose

T = TypeVar("T")


@pytest.fixture(name="station")
def station_fixture(tmp_path: Path, database_url: str) -> Iterator[Station]:
    """The people's station, once on SQLite and once on PostgreSQL."""
    made = make_station(tmp_path, database_url=database_url)
    yield made
    made.services.db.dispose()


def propose(station: Station, **fields: object) -> tuple[int, str]:
    client = station.client()
    data: dict[str, object] = {
        "title": "Night Owls", "about": "Jazz after dark.", "kind": "live", "slots": ["1"],
        "name": "Olu", "email": "olu@example.org", "access_needs": "",
    }  # fmt: skip
    data.update(fields)
    data["csrf_token"] = csrf(client, "/get-involved")
    response = client.post("/get-involved", data=data)
    return response.status_code, response.get_data(as_text=True)


def test_missing_fields_and_absurd_lengths_get_a_sentence_each_and_nothing_is_kept(
    station: Station,
) -> None:
    station.services.proposals.offers.add(OPEN_TUESDAY, "")
    status, page = propose(
        station, title="", about="x" * 100_000, kind="", slots=[], email="not-an-address"
    )
    assert status == 422
    for sentence in (
        "Please give a title.",
        "Please keep a few words about what it is under 3000 characters (it has 100000).",
        "That e-mail address does not look right; check it and try again.",
        "Say whether the show would be live or prerecorded.",
        "Choose at least one of the open slots.",
    ):
        assert sentence in page
    status, page = propose(station, name="n" * 5000, access_needs="a" * 5000)
    assert status == 422 and "Please keep your name under 100 characters" in page
    assert station.services.proposals.proposals() == []


def test_the_honeypot_and_the_rate_limit_keep_nothing(station: Station) -> None:
    station.services.proposals.offers.add(OPEN_TUESDAY, "")
    status, page = propose(station, website="http://spam.example")
    assert status == 200 and "Thank you" in page
    assert station.services.proposals.proposals() == []
    for n in range(3):
        assert propose(station, email=f"p{n}@example.org", title=f"Show {n}")[0] == 200
    status, page = propose(station, email="p0@example.org", title="One more")
    assert status == 200  # the address had only one proposal
    for n in range(4, 6):
        status, page = propose(station, email=f"p{n}@example.org", title=f"Show {n}")
    assert status == 429 and "Please wait" in page and "nothing was lost" in page
    assert len(station.services.proposals.proposals()) == 5  # the sixth was refused


def test_a_proposal_for_a_slot_taken_meanwhile_is_refused(station: Station) -> None:
    offer_and_propose(station)  # open slot 1 and proposal 1
    station.services.proposals.accept(1, "Val")
    status, page = propose(station, email="late@example.org")
    assert status == 409 and "taken in the meantime" in page

    # A show put in the open hours by hand takes them too.
    service = station.services.proposals
    wednesday = Slot.once("o", date(2026, 11, 25), time(21), timedelta(hours=1))
    offer = service.offers.add(wednesday, "")
    assert [o.id for o in service.offers.available()] == [offer.id]
    station.grid.add_slot("show-b", replace(wednesday, id="late"))
    assert service.offers.available() == [], "the public page still offers a taken slot"
    status, page = propose(station, email="later@example.org", slots=[str(offer.id)])
    assert status == 409 and "taken in the meantime" in page
    assert [p.email for p in service.proposals()] == ["olu@example.org"]


def at_once(*calls: Callable[[], T]) -> list[T | Exception]:
    """Run the calls in threads that start together; what each returned or raised."""
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T | Exception:
        start.wait()
        try:
            return call()
        except Exception as exc:  # the probe wants to see it
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_volunteers_accepting_proposals_for_the_same_slot_at_once(station: Station) -> None:
    offer_and_propose(station)  # open slot 1, proposal 1 from olu@
    service: ProposalService = station.services.proposals
    service.propose(
        ProposalInput("Dawn Chorus", "Birdsong.", "live", (1,), "Ama", "ama@example.org", "")
    )
    results = at_once(lambda: service.accept(1, "Val"), lambda: service.accept(2, "Ari"))
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], SlotTaken), results
    # Which sentence depends on how far the first got when the second looked; each is clear.
    said = str(refused[0])
    assert any(
        words in said
        for words in ("taken in the meantime", "Nothing was changed", "has been taken; offer")
    ), said
    made = {p.id: p for p in service.proposals()}
    winner = 1 if made[1].status == "accepted" else 2
    loser = 3 - winner
    assert made[loser].status == "open" and made[loser].show == ""
    titles = {s.title for s in station.grid.list_shows()}
    assert ("Night Owls" in titles) != ("Dawn Chorus" in titles)
    loser_email = made[loser].email
    assert station.accounts.by_email(loser_email) is None, "the loser's proposer was invited"
    accepted = [c for c in station.services.changelog.recent() if "Accepted" in c.what]
    assert len(accepted) == 1
    assert service.offers.get(1) is not None and service.offers.get(1).filled_by == winner  # type: ignore[union-attr]


def test_the_same_proposal_accepted_twice_at_once_makes_one_show(station: Station) -> None:
    offer_and_propose(station)
    service = station.services.proposals
    results = at_once(lambda: service.accept(1, "Val"), lambda: service.accept(1, "Ari"))
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 1 and isinstance(refused[0], ProposalError), results
    assert "already accepted" in str(refused[0])
    assert [s.slug for s in station.grid.list_shows()].count("night-owls") == 1
    assert not any(s.slug.startswith("night-owls-") for s in station.grid.list_shows())


def test_an_airing_dragged_onto_another_show_is_refused_and_nothing_is_saved(
    station: Station,
) -> None:
    client = station.client("volunteer")
    token = csrf(client, "/grid/open-slots")
    before = station.services.changelog.count()
    response = client.post(
        "/grid/occurrences/show-a.s1.2026-11-24/move",
        json={"start": "2026-11-24T12:30:00", "end": "2026-11-24T13:30:00"},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 409
    assert response.get_json()["detail"] == (
        "Show A would overlap Show B (show-b) on Tuesday 24 November 2026 at 12:30 GMT; "
        "choose another time, or add an exception for that date. The airing was put back."
    )
    for body in ({}, {"start": "yesterday", "end": "2026-11-24T13:30:00"}):
        bad = client.post(
            "/grid/occurrences/show-a.s1.2026-11-24/move", json=body, headers={"X-CSRFToken": token}
        )
        assert bad.status_code == 422
        assert bad.get_json()["detail"] == "Give the new start and end of the airing."
    assert station.grid.grid().exceptions == ()
    assert station.services.changelog.count() == before
