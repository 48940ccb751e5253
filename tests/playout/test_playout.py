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

from tests.playout.rig import (
    Rig,
    dominant,
    once_slot,
    record,
    start_rig,
    steps,
    tone,
)
from tests.support import require, wait_for

pytestmark = pytest.mark.stack

SLOT_S = 4
#: What a loaded 2-core machine still guarantees for a start or an end (seconds late); the
#: frame-tight figures are measured by bench/slot_timing.py, not asserted here.
LOADED_BOUND_S = 0.4
# Above every note of the demo rotation's tunes (equal-tempered, 87-622 Hz): a tune's note
# next to a tone in the same band would make the tone seem to start early.
FREQS = [700, 800, 900, 1000, 1100, 1200]
SHORT = FREQS[3]  # the one episode shorter than its slot


@pytest.fixture
def rig(tmp_path: Path, demo_media: Path) -> Iterator[Rig]:
    with start_rig(
        tmp_path, demo_media, silence_timeout_s=3.0, fade_s=0.5, live_key_lead_min=0.1
    ) as rig:
        yield rig


def tone_runs(
    freqs: list[float], wanted: list[int], window_s: float = 0.05
) -> list[tuple[float, int]]:
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
        toml += once_slot(
            f"tone-{freq}",
            "prerecorded",
            first + timedelta(seconds=k * SLOT_S),
            SLOT_S,
            rig.settings,
        )
    rig.import_grid(toml)
    for freq in FREQS:
        window = (first, first + timedelta(minutes=1))
        occ = rig.reconciler.grid.expand(*window, show=f"tone-{freq}")[0]
        # Every episode but one is longer than its slot (cut at the slot's end); one is shorter
        # (the rotation fills the rest of its slot).
        length = 2.0 if freq == SHORT else SLOT_S + 3
        rig.episodes.add(occ.id, tone(tmp_path / f"t{freq}.ogg", freq, length), length, f"T{freq}")

    _, samples = record(rig.mp3, (first - datetime.now(UTC)).total_seconds() + 6 * SLOT_S + 3)

    aired = scheduled(rig)
    assert [e.title for e in aired] == [f"T{f}" for f in FREQS]
    for k, entry in enumerate(aired):
        target = first + timedelta(seconds=k * SLOT_S)
        error = (entry.started_at.replace(tzinfo=UTC) - target).total_seconds()
        # On time by the frame, not by a second; the tight figures (p95 <= 50 ms, also with
        # both cores busy) are bench/slot_timing.py's: this must hold on a loaded machine.
        assert -0.05 <= error <= LOADED_BOUND_S, f"{entry.title} started {error * 1000:.0f} ms off"
        assert entry.status == "episode" and entry.show == f"tone-{FREQS[k]}"
    fill = [e for e in rig.as_run() if e.source == "rotation" and e.show == f"tone-{SHORT}"]
    assert fill and fill[0].status == "fill", "the rotation did not fill the short episode's slot"

    # Independently, by ear: the tones follow each other in order, a slot apart.
    changes = tone_runs(dominant(samples, 16000, FREQS), FREQS)
    assert [f for _, f in changes] == FREQS, f"heard {changes}"
    starts = [t for t, _ in changes]
    # Tones that follow a tone start exactly a slot apart. The one after the rotation's fill
    # (the fifth) is heard a few windows late: the rotation fading out under it is louder at
    # first. So the fourth to the sixth is checked as two slots.
    spans = [
        starts[1] - starts[0],
        starts[2] - starts[1],
        starts[3] - starts[2],
        (starts[5] - starts[3]) / 2,
    ]
    # The exact start times are checked above from Liquidsoap's own events; by ear, the 50 ms
    # analysis windows and a loaded machine's encoder jitter allow a quarter of a second.
    assert all(abs(g - SLOT_S) <= 0.25 for g in spans), f"tone starts {starts}, spans {spans}"


def source_client(
    rig: Rig, key: str, seconds: float, audio: str = "sine=frequency=1000", mount: str = "live"
) -> subprocess.Popen[bytes]:
    """ffmpeg as a presenter's source client (what BUTT or Mixxx do) on the harbor."""
    return subprocess.Popen(
        [
            require("ffmpeg"),
            "-nostdin",
            "-v",
            "error",
            "-re",
            "-f",
            "lavfi",
            "-i",
            f"{audio}:duration={seconds}" if "duration" not in audio else audio,
            "-c:a",
            "libmp3lame",
            "-b:a",
            "128k",
            "-content_type",
            "audio/mpeg",
            "-f",
            "mp3",
            f"icecast://source:{key}@127.0.0.1:{rig.settings.harbor_port}/{mount}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def refused(proc: subprocess.Popen[bytes]) -> bool:
    proc.wait(60)
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    proc.stderr.close()
    return proc.returncode != 0 and ("401" in err or "Unauthorized" in err)


def stop_client(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if proc.stderr:
        proc.stderr.close()


def test_live_keys_work_only_in_their_windows_and_the_slot_end_kicks(rig: Rig) -> None:
    """Two live shows back to back: the second presenter connects early on the other mount."""
    lead = timedelta(minutes=rig.settings.live_key_lead_min)  # 6 s
    start = datetime.now(UTC).replace(microsecond=0) + lead + timedelta(seconds=6)
    end = start + timedelta(seconds=6)
    after_end = end + timedelta(seconds=6)
    rig.import_grid(
        once_slot("phone-in", "live", start, 6, rig.settings)
        + once_slot("late-show", "live", end, 6, rig.settings)
    )
    key = rig.reconciler.keys.make("phone-in")
    next_key = rig.reconciler.keys.make("late-show")

    assert refused(source_client(rig, key, 5)), "the key worked before its window"
    wait_for(lambda: datetime.now(UTC) >= start - lead + timedelta(seconds=1), 15, "the window")
    assert refused(source_client(rig, "wrong-" + key, 5)), "a wrong key was accepted"

    presenter = source_client(rig, key, 30)
    following = None
    try:
        time.sleep(2)
        assert presenter.poll() is None, "the right key was refused in its window"
        # Connected early: still the rotation until the slot starts.
        assert not [e for e in rig.as_run() if e.source == "live"]
        # The next show's window opens while this one is on air: its presenter connects on
        # the second mount (the dashboard tells them which), and waits off air.
        wait_for(lambda: datetime.now(UTC) >= end - lead + timedelta(seconds=1), 15, "window 2")
        assert refused(source_client(rig, next_key, 5, mount="live")), "key 2 took mount 1"
        following = source_client(rig, next_key, 30, "sine=frequency=600", mount="live2")
        time.sleep(1.5)
        assert following.poll() is None, "the next presenter was refused in their window"
        assert [e.show for e in rig.as_run() if e.source == "live"] == ["phone-in"]
        wait_for(lambda: presenter.poll() is not None, 25, "the presenter to be disconnected")
        kicked_at = datetime.now(UTC)
        # Seen from here: the client has to notice and exit, and this loop to look (1.54 s
        # once on a busy machine); what matters is that the kick comes with the end, not later.
        assert (kicked_at - end).total_seconds() < 3.0, "the presenter was not kicked at the end"
        assert following.poll() is None, "the next presenter went with the first"
        wait_for(lambda: following.poll() is not None, 25, "the next presenter's kick")
        kicked_at = datetime.now(UTC)
        assert (kicked_at - after_end).total_seconds() < 3.0, "presenter 2 was not kicked"
    finally:
        stop_client(presenter)
        if following is not None:
            stop_client(following)
    live = [e for e in rig.as_run() if e.source == "live"]
    if len(live) != 2:
        for e in rig.events:
            print(e)
    assert [(e.show, e.status) for e in live] == [("phone-in", "live"), ("late-show", "live")]
    for entry, due in zip(live, (start, end), strict=True):
        error = (entry.started_at.replace(tzinfo=UTC) - due).total_seconds()
        assert -0.05 <= error <= LOADED_BOUND_S, (
            f"{entry.show} went on air {error * 1000:.0f} ms off"
        )
    after = [e for e in rig.as_run() if e.started_at > live[1].started_at]
    assert after and after[0].source == "rotation"
    ended = (after[0].started_at.replace(tzinfo=UTC) - after_end).total_seconds()
    assert abs(ended) <= LOADED_BOUND_S, (
        f"live left the air {ended * 1000:.0f} ms off the slot's end"
    )
    assert refused(source_client(rig, key, 5)), "the key worked after its slot"
    assert refused(source_client(rig, next_key, 5, mount="live2")), "key 2 worked after its slot"


def test_silence_switches_to_the_next_source_and_back(rig: Rig) -> None:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    rig.import_grid(once_slot("quiet-hour", "live", start, 30, rig.settings))
    key = rig.reconciler.keys.make("quiet-hour")
    wait_for(lambda: datetime.now(UTC) >= start, 10, "the live slot")
    # Eight seconds of silence (past the 3 s limit), then sound.
    silence_then_tone = (
        "anullsrc=r=44100:cl=stereo:duration=8[a];sine=frequency=1000:duration=12[b];"
        "[a][b]concat=n=2:v=0:a=1"
    )
    presenter = source_client(rig, key, 20, audio=silence_then_tone)
    try:
        wait_for(
            lambda: any(
                e.get("event") == "silence" and e.get("source") == "live" for e in rig.events
            ),
            15,
            "the silence to be noticed",
        )
        wait_for(lambda: rig.as_run()[-1].source == "rotation", 5, "the rotation to take over")
        incidents = rig.reconciler.grid.db  # the incident is open while it is silent
        from radio.playout.asrun import open_incidents

        assert [i["kind"] for i in open_incidents(incidents)] == ["silence"]
        wait_for(lambda: rig.as_run()[-1].source == "live", 15, "the live source to come back")
        assert open_incidents(incidents) == []
    finally:
        presenter.kill()
        presenter.wait()
        if presenter.stderr:
            presenter.stderr.close()


def test_killed_liquidsoap_resumes_the_episode_at_the_right_offset(
    rig: Rig, tmp_path: Path
) -> None:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=6)
    rig.import_grid(once_slot("long-play", "prerecorded", start, 40, rig.settings))
    occ = rig.reconciler.grid.expand(start, start + timedelta(minutes=1))[0]
    # 300 Hz, 340 Hz, … one step a second: where the episode is can be heard.
    rig.episodes.add(occ.id, steps(tmp_path / "steps.ogg", 300, 40, 40), 40.0, "Steps")
    freqs = [300 + 40 * k for k in range(40)]

    def offsets(seconds: float) -> list[float]:
        """Episode position minus time into the slot, for each steady step heard."""
        heard_at, samples = record(rig.mp3, seconds)
        out = []
        for t, f in tone_runs(dominant(samples, 16000, freqs), freqs):
            into_slot = heard_at + t - start.timestamp()
            out.append((f - 300) / 40 - into_slot)
        return out

    wait_for(lambda: datetime.now(UTC) >= start + timedelta(seconds=8), 20, "the slot")
    pid = rig.liquidsoap_pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    killed = time.time()
    wait_for(
        lambda: [
            e
            for e in rig.as_run()
            if e.source == "scheduled" and e.started_at.replace(tzinfo=UTC).timestamp() > killed
        ],
        20,
        "the episode back on air",
    )
    back = [e for e in rig.as_run() if e.source == "scheduled"][-1]
    back_after = back.started_at.replace(tzinfo=UTC).timestamp() - killed
    # Liquidsoap starts again in about 2 s on a quiet machine; a loaded one takes longer.
    assert back_after < 12, f"not back within 12 s ({back_after:.1f} s)"
    assert back.occurrence_id == occ.id
    # By ear: the step heard is where the clock says the episode should be (the stream's
    # own delay, about a tenth of a second here, is inside the tolerance).
    after = offsets(6)
    assert after, "no steady step heard after the restart"
    drift = max(abs(x) for x in after)
    assert drift <= 2.0, f"the episode resumed {drift:.1f} s off where it should be"
