"""The reconciler's decisions, against the in-memory playout engine (milliseconds each).

What to queue and where, what to leave alone, when to skip, and how it recovers after the
engine restarted. The same engine contract holds for the real Liquidsoap
(``test_playout_contract.py``); the real stack's timing is ``test_playout.py``'s.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from radio.bootstrap import open_database
from radio.config import Settings
from radio.grid.model import SlotException
from radio.grid.service import GridService
from radio.playout.live import StreamKeys
from radio.playout.plan import GATE_GRACE_S
from radio.playout.playout import FAR
from radio.playout.scheduler import LATE_START_S, NO_KEYS, Reconciler
from tests.playout.fake_playout import FakePlayout
from tests.playout.rig import Episodes, once_slot

START = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=5)


class Station:
    def __init__(self, settings: Settings, grid: GridService, keys: StreamKeys) -> None:
        self.settings = settings
        self.grid = grid
        self.engine = FakePlayout()
        self.episodes = Episodes()
        self.reconciler = Reconciler(self.engine, grid, self.episodes, keys, settings)
        self.toml = ""

    def slot(self, show: str, kind: str, offset_s: int, seconds: int) -> str:
        """A one-off slot ``offset_s`` after START; returns its occurrence id."""
        start = START + timedelta(seconds=offset_s)
        self.toml += once_slot(show, kind, start, seconds, self.settings)
        self.grid.import_grid(io.StringIO(self.toml), "grid.toml")  # the grid so far
        return self.grid.expand(start, start + timedelta(seconds=1), show=show)[0].id

    def episode(self, occurrence_id: str, seconds: float) -> None:
        self.episodes.add(occurrence_id, Path(f"/media/{occurrence_id}.ogg"), seconds, "Ep")

    def at(self, offset_s: float) -> None:
        self.reconciler.reconcile(START + timedelta(seconds=offset_s))


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Station]:
    settings = Settings(data_dir=tmp_path / "var")
    db = open_database(settings)
    yield Station(settings, GridService(db, settings.tz), StreamKeys(db))
    db.dispose()


def test_the_next_episode_is_queued_gated_to_its_slot(station: Station) -> None:
    occ = station.slot("morning", "prerecorded", 0, 3600)
    station.episode(occ, 1800)
    station.at(-60)
    [(queue, request)] = station.engine.loaded
    assert queue == "slot_a" and request.occurrence.startswith(occ)
    assert request.start == START.timestamp()
    assert request.end == START.timestamp() + 3600 + GATE_GRACE_S
    assert request.metadata["liq_cue_in"] == "0.000"
    assert request.metadata["liq_cue_out"] == "1800.000"


def test_reconciling_again_changes_nothing(station: Station) -> None:
    station.episode(station.slot("morning", "prerecorded", 0, 3600), 3600)
    station.episode(station.slot("noon", "prerecorded", 3600, 3600), 3600)
    station.at(-60)
    station.at(3600 - 60)
    loaded, cleared = list(station.engine.loaded), list(station.engine.cleared)
    for _ in range(3):
        station.at(3600 - 59)
    assert station.engine.loaded == loaded and station.engine.cleared == cleared
    assert [q for q, _ in loaded] == ["slot_a", "slot_b"]  # the next one waits on the other


def test_a_long_episode_is_cut_at_its_slot_end(station: Station) -> None:
    occ = station.slot("short", "prerecorded", 0, 600)
    station.episode(occ, 1800)
    station.at(-10)
    assert station.engine.loaded[0][1].metadata["liq_cue_out"] == "600.000"


def test_a_cancelled_slot_is_taken_out_before_it_airs(station: Station) -> None:
    occ = station.slot("morning", "prerecorded", 0, 3600)
    station.episode(occ, 1800)
    station.at(-60)
    station.episodes.by_occurrence.clear()  # the episode was withdrawn
    station.at(-30)
    assert station.engine.queue_state("slot_a").occurrence == ""
    assert station.engine.queue_state("slot_a").start == FAR


def test_a_slot_moved_after_its_episode_was_queued_airs_at_its_new_time(
    station: Station,
) -> None:
    """Seen in a browser test: the queue kept the old time, and the slot aired the rotation
    marked "missing" at its new one."""
    occ = station.slot("morning", "prerecorded", 0, 3600)
    station.episode(occ, 1800)
    station.at(-120)
    found = station.grid.find_occurrence(occ)
    assert found is not None
    later = found.local_start.replace(tzinfo=None) + timedelta(minutes=1)
    station.grid.add_exception(
        SlotException(found.slot_show, found.slot, found.date, "move", start=later)
    )
    station.at(-90)
    state = station.engine.queue_state("slot_a")
    assert state.occurrence.startswith(occ)
    assert state.start == START.timestamp() + 60


def test_an_episode_on_air_in_its_slot_is_left_to_finish(station: Station) -> None:
    occ = station.slot("morning", "prerecorded", 0, 3600)
    station.episode(occ, 1800)
    station.at(-60)
    station.episodes.by_occurrence.clear()
    station.at(60)  # on air: withdrawing it now does not cut the programme off
    assert station.engine.queue_state("slot_a").occurrence.startswith(occ)


def test_after_a_restart_the_episode_resumes_where_the_clock_says(station: Station) -> None:
    occ = station.slot("morning", "prerecorded", 0, 3600)
    station.episode(occ, 1800)
    station.at(-60)
    station.engine.restart()
    station.at(100)
    _, request = station.engine.loaded[-1]
    assert request.occurrence.startswith(occ)
    assert float(request.metadata["liq_cue_in"]) == pytest.approx(100 + LATE_START_S, abs=0.01)
    assert request.start == pytest.approx(START.timestamp() + 100 + LATE_START_S, abs=0.01)


def test_nothing_is_queued_when_too_little_is_left(station: Station) -> None:
    occ = station.slot("morning", "prerecorded", 0, 3600)
    station.episode(occ, 600)
    station.at(600)  # the episode would already have ended
    assert station.engine.loaded == []


def test_a_live_slot_opens_its_window_at_the_key_lead_and_closes_after(station: Station) -> None:
    occurrence = station.slot("phone-in", "live", 0, 1800)
    station.reconciler.keys.make("phone-in")
    lead = station.settings.live_key_lead_min * 60
    station.at(-lead - 30)
    assert not station.engine.live_state("live").open
    station.at(-lead + 1)
    window = station.engine.live_state("live")
    assert window.open and window.title == "Phone In"
    stored = station.reconciler.keys.hash_for("phone-in")
    assert window.key == f"0:{stored}"  # never the key itself
    assert window.occurrence == occurrence
    assert window.start == START.timestamp() and window.end == START.timestamp() + 1800
    station.at(1800 + 5)
    assert not station.engine.live_state("live").open


def test_a_live_show_without_a_key_lets_in_go_live_tokens_only(station: Station) -> None:
    station.slot("phone-in", "live", 0, 1800)
    station.at(10)
    window = station.engine.live_state("live")
    assert window.key == NO_KEYS  # no key matches it; a token for the slot does
    assert window.occurrence
