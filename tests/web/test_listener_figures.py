"""Listener figures on the site: a presenter's airings, the admins' charts and CSV, and
``/api/v1/now``'s ``listeners`` — from samples as the scheduler keeps them.

Show A (10:00–11:00 every day) aired on Sunday 22 November with 4 and 6 listeners in turn
(counted every 30 s over two mounts): peak 6, average 5, and 5 listening hours.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from radio.audience import combine
from tests.web.people import (
    NOW,
    Station,
    station_fixture,  # noqa: F401
)

AIRED = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def fill(station: Station) -> None:
    audience = station.services.audience
    for n in range(120):
        at = AIRED + timedelta(seconds=30 * n)
        audience.record(at, {"/stream.mp3": 3 if n % 2 == 0 else 5, "/stream.ogg": 1})
    audience.record(NOW - timedelta(seconds=30), {"/stream.mp3": 5, "/stream.ogg": 2})


def test_a_presenter_sees_peak_average_and_hours_of_their_own_airings(station: Station) -> None:
    fill(station)
    page = station.client("presenter_a").get("/dashboard/listeners").get_data(as_text=True)
    row = page[page.index("Sun 22 Nov 2026, 10:00") :].split("</tr>")[0]
    assert "Show A" in row and "<td>6</td><td>5.0</td><td>5.0</td>" in row
    assert "Show B" not in page
    other = station.client("presenter_b").get("/dashboard/listeners").get_data(as_text=True)
    assert "Show A" not in other and "Show B" in other


def test_the_admin_gets_charts_and_a_csv_for_funders(station: Station) -> None:
    fill(station)
    client = station.client("admin")
    page = client.get("/admin/listeners").get_data(as_text=True)
    assert "Listening now: <strong>7</strong>" in page
    assert page.count("<svg") == 2 and "Sun 22 Nov: 5.0 listening hours, peak 6" in page
    reply = client.get("/admin/listeners.csv")
    assert reply.mimetype == "text/csv"
    assert reply.headers["Content-Disposition"] == 'attachment; filename="listeners-2026-11-23.csv"'
    rows = list(csv.reader(io.StringIO(reply.get_data(as_text=True))))
    assert rows[0] == ["date", "start", "end", "show", "title", "peak_listeners",
                       "average_listeners", "listening_hours"]  # fmt: skip
    assert ["2026-11-22", "10:00", "11:00", "show-a", "Show A", "6", "5.0", "5.00"] in rows
    assert ["2026-11-22", "12:00", "13:00", "show-b", "Show B", "0", "0.0", "0.00"] in rows


def test_now_says_how_many_listen(station: Station) -> None:
    fill(station)
    assert station.client().get("/api/v1/now").get_json()["listeners"] == 7


def test_now_says_nothing_when_the_listeners_were_not_counted_lately(station: Station) -> None:
    fill(station)
    station.clock[0] = NOW + timedelta(minutes=3)  # the sampler stopped
    assert station.client().get("/api/v1/now").get_json()["listeners"] is None


def test_a_relays_pull_is_not_counted_as_a_listener() -> None:
    own = {"/stream.mp3": 2, "/stream.ogg": 1}  # each relay pulls each mount once
    relays = [{"/stream.mp3": 10, "/stream.ogg": 0}]
    assert combine(own, relays) == {"/stream.mp3": 11, "/stream.ogg": 0}
