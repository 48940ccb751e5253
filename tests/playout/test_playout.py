"""Playout on the real stack: the grid drives Liquidsoap, checked in the as-run log and by ear.

Slots are a few seconds long; each episode is a tone of its own frequency, so the order and
start times of what aired can be checked independently by decoding the Icecast stream.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.playout.rig import Rig, dominant, once_slot, record, start_rig, steps, tone
from tests.support import require, wait_for

pytestmark = pytest.mark.stack

SLOT_S = 4
FREQS = [400, 500, 600, 700, 800, 900]


@pytest.fixture
def rig(tmp_path: Path, demo_media: Path) -> Iterator[Rig]:
    with start_rig(tmp_path, demo_media, silence_timeout_s=3.0, fade_s=0.5,
                   live_key_lead_min=0.1) as rig:
        yield rig


def tone_runs(freqs: list[float], wanted: list[int], window_s: float = 0.05) -> list[tuple[float, int]]:
    """(start time, tone) of each steady tone lasting at least half a second.

    The rotation's demo tunes change note several times a second, so they never count.
    """
    runs: list[tuple[float, int]] = []
    current, since = 0, 0
    for i, f in enumerate([*freqs, 0.0]):
        near = int(f) if int(f) in wanted else 0
        if near != current:
            if current and (i - since) * window_s >= 0.5 and (not runs or runs[-1][1] != current):
                runs.append((since * window_s, current))
            current, since = near, i
    return runs


def scheduled(rig: Rig) -> list:  # type: ignore[type-arg]
    return [e for e in rig.as_run() if e.source == "scheduled"]


def test_slots_air_in_order_on_time_and_the_rotation_fills(rig: Rig, tmp_path: Path) -> None:
    first = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
    toml = ""
    for k, freq in enumerate(FREQS):
        toml += once_slot(f"tone-{freq}", "prerecorded", first + timedelta(seconds=k * SLOT_S),
                          SLOT_S, rig.settings)
    rig.import_grid(toml)
    for k, freq in enumerate(FREQS):
        occ = rig.reconciler.grid.expand(first, first + timedelta(minutes=1), show=f"tone-{freq}")[0]
        # Every episode but one is longer than its slot (cut at the slot's end); one is shorter
        # (the rotation fills the rest of its slot).
        length = 2.0 if freq == 700 else SLOT_S + 3
        rig.episodes.add(occ.id, tone(tmp_path / f"t{freq}.ogg", freq, length), length, f"T{freq}")

    started, samples = record(rig.mp3, (first - datetime.now(UTC)).total_seconds() + 6 * SLOT_S + 3)

    aired = scheduled(rig)
    assert [e.title for e in aired] == [f"T{f}" for f in FREQS]
    for k, entry in enumerate(aired):
        target = first + timedelta(seconds=k * SLOT_S)
        error = (entry.started_at.replace(tzinfo=UTC) - target).total_seconds()
        assert -0.05 <= error <= 0.1, f"{entry.title} started {error * 1000:.0f} ms off"
        assert entry.status == "episode" and entry.show == f"tone-{FREQS[k]}"
    fill = [e for e in rig.as_run() if e.source == "rotation" and e.show == "tone-700"]
    assert fill and fill[0].status == "fill", "the rotation did not fill the short episode's slot"

    # Independently, by ear: the tones follow each other in order, a slot apart.
    changes = tone_runs(dominant(samples, 16000, FREQS), FREQS)
    heard = [f for _, f in changes]
    assert heard == FREQS, f"heard {heard}"
    starts = [t for t, _ in changes]
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert all(abs(g - SLOT_S) <= 0.15 for g in gaps), f"tone starts {gaps} s apart"
