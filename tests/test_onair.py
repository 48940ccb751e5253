"""What ``/api/v1/now`` says of the slot on air, from what Liquidsoap reports."""

from __future__ import annotations

from datetime import UTC, datetime

from radio.onair import describe
from radio.playout.liquidsoap import OnAir
from tests.grid.build import occurrence

T0 = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
SLOT = occurrence("book-club", "The Book Club", T0)
ROTATION = OnAir(
    source="rotation", title="Canal Path", artist="The Demo Ensemble", filename="/m/c.ogg",
    started_at=T0.timestamp() + 600, metadata={"radio_source": "rotation"},
)  # fmt: skip


def test_rotation_in_a_slot_whose_episode_never_came_is_missing() -> None:
    now = describe("Radio", ROTATION, SLOT)
    assert now["status"] == "missing"
    assert now["show"]["slug"] == "book-club" and now["on_air"]["source"] == "rotation"


def test_rotation_after_a_short_episode_is_fill() -> None:
    aired = {SLOT.id}
    now = describe("Radio", ROTATION, SLOT, aired=aired.__contains__)
    assert now["status"] == "fill"
    assert now["episode"] is None


def test_the_item_on_air_says_when_it_ends() -> None:
    episode = OnAir(
        source="scheduled", title="Ep", artist="", filename="/m/e.ogg",
        started_at=T0.timestamp(),
        metadata={"radio_source": "scheduled", "liq_cue_in": "1.5", "liq_cue_out": "601.5"},
    )  # fmt: skip
    assert describe("Radio", episode, SLOT)["on_air"]["ends_at"] == "2026-11-29T10:10:00Z"
    long = OnAir(**{**episode.__dict__, "metadata": {"liq_cue_out": "99999"}})
    assert describe("Radio", long, SLOT)["on_air"]["ends_at"] == "2026-11-29T11:00:00Z"
    unknown = describe("Radio", ROTATION, None)["on_air"]
    assert unknown["ends_at"] is None  # no such file to read a length from
