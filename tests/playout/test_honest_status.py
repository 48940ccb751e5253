"""Slots that are not served as planned are named honestly, on the API and in the as-run log.

An empty pre-recorded slot (the rotation fills it: ``missing``), a show that opted in to
replaying its latest episode (``repeat``), and a live slot whose presenter is late
(``waiting``, then ``live`` once they connect).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from radio.onair import OnAirTracker
from tests.playout.rig import Rig, once_slot, start_rig, tone
from tests.playout.test_playout import source_client, stop_client
from tests.support import wait_for

pytestmark = pytest.mark.stack


def test_empty_repeat_and_late_live_slots_are_named_honestly(
    tmp_path: Path, demo_media: Path
) -> None:
    with start_rig(tmp_path, demo_media, fade_s=0.5, live_key_lead_min=0.1) as rig:
        check(rig, tmp_path)


def check(rig: Rig, tmp_path: Path) -> None:
    t0 = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=6)
    rig.import_grid(
        once_slot("empty-hour", "prerecorded", t0, 6, rig.settings)
        + once_slot(
            "old-favourites",
            "prerecorded",
            t0 + timedelta(seconds=6),
            6,
            rig.settings,
            extra="repeat_latest = true\n",
        )
        + once_slot("late-live", "live", t0 + timedelta(seconds=12), 14, rig.settings)
    )
    key = rig.reconciler.keys.make("late-live")
    rig.episodes.latest["old-favourites"] = rig.episodes.playable(
        tone(tmp_path / "old.ogg", 900, 10), 10.0, "Last Week's Favourites"
    )
    grid = rig.reconciler.grid
    tracker = OnAirTracker(rig.liquidsoap, "Rig", slot_at=grid.scheduled_at)

    def now_at(seconds: float) -> dict[str, Any]:
        due = t0 + timedelta(seconds=seconds)
        wait_for(lambda: datetime.now(UTC) >= due, 40, f"t0+{seconds}s")
        return tracker.refresh().data

    empty = now_at(3)
    assert empty["show"]["slug"] == "empty-hour"
    assert (empty["status"], empty["on_air"]["source"]) == ("missing", "rotation")
    assert empty["episode"] is None

    repeat = now_at(9)
    assert repeat["show"]["slug"] == "old-favourites"
    assert (repeat["status"], repeat["on_air"]["source"]) == ("repeat", "scheduled")
    assert repeat["episode"]["title"] == "Last Week's Favourites"

    waiting = now_at(15)
    assert waiting["show"]["slug"] == "late-live"
    assert (waiting["status"], waiting["on_air"]["source"]) == ("waiting", "rotation")

    presenter = source_client(rig, key, 20)
    try:
        wait_for(lambda: any(e.source == "live" for e in rig.as_run()), 10, "the presenter on air")
        live = tracker.refresh().data
        assert (live["status"], live["on_air"]["source"]) == ("live", "live")
    finally:
        stop_client(presenter)

    log = {
        (e.show, e.source, e.status)
        for e in rig.as_run()
        if e.show in ("empty-hour", "old-favourites", "late-live")
    }
    assert ("empty-hour", "rotation", "missing") in log
    assert ("old-favourites", "scheduled", "repeat") in log
    assert ("late-live", "rotation", "waiting") in log
    assert ("late-live", "live", "live") in log
    # The log marks each slot from its first second, even while a rotation track played on.
    firsts = {}
    for e in rig.as_run():
        if e.show and e.show not in firsts:
            firsts[e.show] = e.started_at.replace(tzinfo=UTC)
    for show, offset in (("empty-hour", 0), ("old-favourites", 6), ("late-live", 12)):
        error = abs((firsts[show] - (t0 + timedelta(seconds=offset))).total_seconds())
        rows = [(e.started_at.time(), e.source, e.status, e.show) for e in rig.as_run()]
        assert error <= 0.4, f"{show} marked {error:.2f} s off its start (t0 {t0}): {rows}"
