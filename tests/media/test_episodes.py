"""Episodes against the grid: the lookup contract (fake and real grid alike) and the
slot-length sentences, across a clock change."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from radio.bootstrap import open_database
from radio.config import Settings
from radio.grid import tomlfile
from radio.grid.service import GridService
from radio.media.episodes import SlotLookup, slot_fit
from tests.media.conftest import HOUR, FakeOccurrence, FakeSlots
from tests.web.people import GRID

LONDON = ZoneInfo("Europe/London")


@pytest.fixture(params=["fake", "grid"])
def slots(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SlotLookup]:
    if request.param == "fake":
        yield FakeSlots(HOUR)
        return
    settings = Settings(data_dir=tmp_path / "var")
    db = open_database(settings)
    grid = GridService(db, settings.tz)
    text = io.StringIO()
    tomlfile.dump(GRID, text)
    grid.import_grid(io.StringIO(text.getvalue()), "<test grid>")
    yield grid
    db.dispose()


def test_the_lookup_contract(slots: SlotLookup) -> None:
    found = slots.find_occurrence(HOUR.id)
    assert found is not None
    assert (found.id, found.show) == (HOUR.id, "show-a")
    assert found.start == HOUR.start and found.end == HOUR.end
    assert found.start.utcoffset() == timedelta(0)
    assert slots.find_occurrence("show-a.s1.not-a-date") is None
    assert slots.find_occurrence("nothing") is None


def test_an_overrun_on_the_night_the_clocks_go_back_is_told_in_local_time() -> None:
    # 25 October 2026: 01:00-02:00 BST, then 01:00-02:00 GMT again.
    start = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)  # 01:00 BST
    slot = FakeOccurrence("night.s1.2026-10-25", "night", start, start + timedelta(hours=1))
    sentence, warns = slot_fit(slot, 3600 + 120, LONDON)
    assert warns
    assert sentence == (
        "The episode runs 1:02:00, 2:00 longer than its 1:00:00 slot: it will be faded out at "
        "01:00:00 GMT (Sunday 25 October, Europe/London), before its last 2:00."
    )


def test_an_exact_fit() -> None:
    sentence, warns = slot_fit(HOUR, 3600, LONDON)
    assert not warns
    assert sentence == (
        "The episode runs 1:00:00 and fits its slot starting Tuesday 24 November at 10:00 "
        "GMT (Europe/London)."
    )


def test_a_shorter_episode_is_told_and_a_much_shorter_one_warns() -> None:
    sentence, warns = slot_fit(HOUR, 45 * 60, LONDON)
    assert not warns
    assert sentence == (
        "The episode runs 45:00, 15:00 shorter than its 1:00:00 slot: the rotation fills the "
        "rest, from 10:45:00 to 11:00:00 GMT (Europe/London)."
    )
    sentence, warns = slot_fit(HOUR, 5, LONDON)
    assert warns and sentence.startswith("The episode runs only 0:05, much shorter than its")
