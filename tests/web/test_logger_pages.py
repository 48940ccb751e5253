"""The logger's page for volunteers and a presenter's listen-again page, on the test client.

The logger holds two 10 s recordings 10 s apart (made by hand, as the writer names and
dates them): a range over both says where the gap is and downloads as one file of both;
a range outside the days kept is refused with a sentence.
"""

from __future__ import annotations

import subprocess
from datetime import timedelta
from typing import Any

from radio.logger.listen_again import ListenAgainService
from radio.logger.store import ListenAgain
from tests.logger.recordings import recording
from tests.support import require
from tests.web.people import NOW, Station, csrf, post, station_fixture  # noqa: F401

START = NOW - timedelta(minutes=30)


def local(at: object) -> str:
    return f"{at:%Y-%m-%dT%H:%M:%S}"  # London is on UTC in November


def test_a_range_over_a_gap_says_so_and_downloads_as_one_file(station: Station) -> None:
    folder = station.services.settings.logger_dir
    recording(folder, START, 10, 1000)
    recording(folder, START + timedelta(seconds=20), 10, 1500)
    client = station.client("volunteer")
    query = {"from": local(START), "to": local(START + timedelta(seconds=30))}
    page = client.get("/logger", query_string=query)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The logger has no recording from 08:30:10 to 08:30:20 (10 s in all" in text
    assert "08:30:10" in text.split('id="logger-gaps"')[1]  # listed among the week's gaps
    download = client.get("/logger/export", query_string=query)
    assert download.status_code == 200
    assert download.mimetype == "audio/mpeg"
    assert download.headers["Content-Disposition"].startswith("attachment")
    body = download.get_data()
    download.close()
    decoded = subprocess.run(
        [require("ffmpeg"), "-v", "error", "-i", "-", "-ac", "1", "-ar", "8000", "-f", "s16le",
         "-"],
        input=body, capture_output=True, check=True,
    ).stdout  # fmt: skip
    assert abs(len(decoded) / 2 / 8000 - 20) <= 0.3


def test_a_range_outside_the_days_kept_is_refused(station: Station) -> None:
    client = station.client("admin")
    old = NOW - timedelta(days=50)
    page = client.get("/logger", query_string={"at": local(old)})
    assert page.status_code == 400
    assert "The logger keeps the last 42 days only: 2026-10-04 09:00:00 BST is older" in (
        page.get_data(as_text=True)
    )
    export = client.get("/logger/export", query_string={"from": local(old)})
    assert export.status_code == 400


def test_a_presenter_trims_and_publishes_their_live_show(station: Station) -> None:
    occurrence = "live-a.s1.2026-11-22"
    aired_from = NOW - timedelta(hours=13)
    with station.services.db.write() as session:
        session.add(
            ListenAgain(
                occurrence_id=occurrence, show="live-a", aired_from=aired_from,
                aired_to=aired_from + timedelta(hours=1), trim_start_s=0.0, trim_end_s=0.0,
                published=False, state="ready", note="", made_at=NOW,
            )
        )  # fmt: skip
    client = station.client("presenter_a")
    path = f"/dashboard/slots/{occurrence}/listen-again"
    page = client.get(path).get_data(as_text=True)
    assert "Recorded as aired: 20:00:00 to 21:00:00." in page
    assert "It is private" in page
    token = csrf(client, path)
    bad = client.post(path, data={"csrf_token": token, "trim_start": "3000", "trim_end": "900"})
    assert bad.status_code == 400
    assert "trimming 3000 s and 900 s would leave nothing" in bad.get_data(as_text=True)
    done = client.post(
        path, data={"csrf_token": token, "trim_start": "12", "trim_end": "0", "published": "y"}
    )
    assert done.status_code == 302
    with station.services.db.session() as session:
        row = session.get(ListenAgain, occurrence)
        assert row is not None
        assert (row.trim_start_s, row.published, row.state) == (12.0, True, "due")
    assert station.client("presenter_b").get(path).status_code == 403


def test_a_live_show_opts_in_to_publishing_on_the_grid_editor(station: Station) -> None:
    client = station.client("volunteer")
    new = {"title": "Late Call", "kind": "live", "repeat": "weekly", "days": ["2"],
           "every": "1", "start": "22:00", "minutes": "60", "first": "2026-11-25",
           "listen_again": "y", "reason": ""}  # fmt: skip
    answer = post(client, "/grid/shows/new", new)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    show = station.grid.get_show("late-call")
    assert show is not None and show.listen_again


def test_a_retrim_while_the_recording_is_cut_is_cut_again(station: Station) -> None:
    """The presenter trims again (in a web process) while the scheduler is still cutting the
    recording with the old trims: the new trims are kept and cut, not marked done."""
    services = station.services
    occurrence = "live-a.s1.2026-11-22"
    recording(services.settings.logger_dir, START, 20, 1000)
    with services.db.write() as session:
        session.add(
            ListenAgain(
                occurrence_id=occurrence, show="live-a", aired_from=START,
                aired_to=START + timedelta(seconds=20), trim_start_s=0.0, trim_end_s=0.0,
                published=True, state="due", note="", made_at=None,
            )
        )  # fmt: skip
    again = ListenAgainService(
        services.settings, services.db, services.grid, services.library, services.clock
    )
    ingest = services.library.ingest

    def ingest_while_the_presenter_trims(*args: Any, **kwargs: Any) -> Any:
        again.edit(occurrence, trim_start_s=2.0, trim_end_s=0.0, published=True)
        return ingest(*args, **kwargs)

    services.library.ingest = ingest_while_the_presenter_trims  # type: ignore[method-assign]
    try:
        assert again.cut(occurrence) is False
    finally:
        services.library.ingest = ingest  # type: ignore[method-assign]
    found = again.get(occurrence)
    assert found is not None and (found.state, found.trim_start_s) == ("due", 2.0)
    assert again.cut_due() == 1
    found = again.get(occurrence)
    assert found is not None and found.state == "ready"
    episode = services.library.episode_for(occurrence)
    assert episode is not None and abs(episode.duration_s - 18) < 0.5
