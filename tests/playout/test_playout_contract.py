"""One contract, two engines: the in-memory fake and the real Liquidsoap running the
station's script behave alike for everything the reconciler relies on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from radio.playout.liquidsoap import LiquidsoapClient, LiquidsoapPlayout
from radio.playout.plan import LIVE_MOUNTS, QUEUES
from radio.playout.playout import CLOSED, FAR, LiveState, Playout, QueuedRequest
from tests.playout.fake_playout import FakePlayout


@pytest.fixture(params=["fake", pytest.param("liquidsoap", marks=pytest.mark.stack)])
def playout(request: pytest.FixtureRequest) -> Iterator[Playout]:
    if request.param == "fake":
        yield FakePlayout()
        return
    client: LiquidsoapClient = request.getfixturevalue("liquidsoap")
    engine = LiquidsoapPlayout(client)
    yield engine
    for queue in QUEUES:  # the module's Liquidsoap is shared: leave it as found
        engine.clear_queue(queue)
    for mount in LIVE_MOUNTS:
        engine.set_live(mount, CLOSED)


def episode(demo_media: Path, **changes: object) -> QueuedRequest:
    path = sorted((demo_media / "demo").glob("*.ogg"))[0]
    fields: dict[str, object] = {
        "path": str(path),
        "metadata": {"title": "Contract", "radio_occurrence": "occ-1"},
        "occurrence": "occ-1|media-1",
        "start": 4_000_000_000.25,
        "end": 4_000_003_600.5,
    }
    fields.update(changes)
    return QueuedRequest(**fields)  # type: ignore[arg-type]


def test_every_queue_starts_empty_and_closed(playout: Playout) -> None:
    for queue in QUEUES:
        state = playout.queue_state(queue)
        assert (state.start, state.end, state.occurrence) == (FAR, 0.0, "")
        assert not state.busy_at(0.0)


def test_a_loaded_queue_reports_what_it_holds_to_the_millisecond(
    playout: Playout, demo_media: Path
) -> None:
    playout.load_queue("slot_a", episode(demo_media, start=4_000_000_000.1234))
    state = playout.queue_state("slot_a")
    assert state.occurrence == "occ-1|media-1" and state.holds("occ-1|media-1")
    assert state.start == pytest.approx(4_000_000_000.123, abs=0.001)
    assert state.end == pytest.approx(4_000_003_600.5, abs=0.001)
    assert state.busy_at(4_000_000_000.0)
    other = playout.queue_state("slot_b")
    assert other.occurrence == "" and other.start == FAR


def test_loading_again_replaces_and_clearing_empties(playout: Playout, demo_media: Path) -> None:
    playout.load_queue("slot_b", episode(demo_media))
    playout.load_queue("slot_b", episode(demo_media, occurrence="occ-2|media-2", end=5e9))
    assert playout.queue_state("slot_b").occurrence == "occ-2|media-2"
    playout.clear_queue("slot_b")
    state = playout.queue_state("slot_b")
    assert (state.start, state.end, state.occurrence) == (FAR, 0.0, "")


def test_a_hostile_key_is_kept_as_one_clean_line(playout: Playout, demo_media: Path) -> None:
    playout.load_queue("slot_a", episode(demo_media, occurrence='occ "x"\nvar.set y=1|m'))
    assert "\n" not in playout.queue_state("slot_a").occurrence
    assert playout.queue_state("slot_a").occurrence.startswith('occ "x"')


def test_live_windows_open_move_and_close(playout: Playout) -> None:
    assert not playout.live_state("live").open
    window = LiveState("k3y-Abc", 4_000_000_000.0, 4_000_000_300.0, 4_000_003_900.0, "Phone-in")
    playout.set_live("live", window)
    assert playout.live_state("live").same_as(window)
    assert not playout.live_state("live2").open
    moved = LiveState("k3y-Abc", 4_000_000_000.0, 4_000_000_300.0, 4_000_007_500.0, "Phone-in")
    playout.set_live("live", moved)
    assert playout.live_state("live").same_as(moved)
    playout.set_live("live", CLOSED)
    assert not playout.live_state("live").open
    assert playout.live_state("live").same_as(CLOSED)
