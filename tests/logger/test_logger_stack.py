"""The off-air logger on the real stack: Liquidsoap records what goes out, killed once.

One rig runs one timeline: three prerecorded slots of 4 s, each a tone of its own, then a
live slot of 8 s whose presenter (ffmpeg as a source client on the harbor) sends another
tone, then the rotation; Liquidsoap is killed once during the rotation and comes back. The
logger's files are 3 s long (``logger_file_seconds``) so the timeline spans many of them.
The tests then read what the logger kept: every file decodes, the files cover the time but
the kill's gap, which is listed; an exported range holds the three tones in order; the live
slot's listen-again episode holds the presenter's tone and not the music either side.
The last test deletes the logger's folder while it records.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from radio.bootstrap import Services, build_services
from radio.logger.export import export
from radio.logger.files import TOLERANCE, find_gaps, list_files, recording_since
from radio.logger.listen_again import ListenAgainService
from tests.playout.rig import Rig, dominant, once_slot, start_rig, tone
from tests.playout.test_playout import source_client, stop_client, tone_runs
from tests.support import require, wait_for

pytestmark = pytest.mark.stack

SLOT_S = 4
TONES = [700, 900, 1100]
LIVE_TONE = 1300
LIVE_S = 8
RATE = 16000


@dataclass
class Timeline:
    rig: Rig
    services: Services
    first: datetime
    live_start: datetime
    live_end: datetime
    killed: datetime


def decode(path: Path) -> np.ndarray:
    out = subprocess.run(
        [require("ffmpeg"), "-nostdin", "-v", "error", "-i", str(path), "-ac", "1",
         "-ar", str(RATE), "-f", "s16le", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(out[: len(out) - len(out) % 2], dtype=np.int16)


@pytest.fixture(scope="module")
def timeline(tmp_path_factory: pytest.TempPathFactory, demo_media: Path) -> Iterator[Timeline]:
    base = tmp_path_factory.mktemp("logger")
    with start_rig(
        base,
        demo_media,
        logger_file_seconds=3,
        silence_timeout_s=3.0,
        fade_s=0.5,
        live_key_lead_min=0.1,
    ) as rig:
        services = build_services(rig.settings)
        first = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
        live_start = first + timedelta(seconds=SLOT_S * len(TONES))
        live_end = live_start + timedelta(seconds=LIVE_S)
        toml = "".join(
            once_slot(f"tone-{f}", "prerecorded", first + timedelta(seconds=k * SLOT_S),
                      SLOT_S, rig.settings)
            for k, f in enumerate(TONES)
        ) + once_slot("phone-in", "live", live_start, LIVE_S, rig.settings)  # fmt: skip
        rig.import_grid(toml)
        for f in TONES:
            occ = rig.reconciler.grid.expand(first, live_end, show=f"tone-{f}")[0]
            rig.episodes.add(occ.id, tone(base / f"t{f}.ogg", f, SLOT_S + 2), SLOT_S + 2.0, f"T{f}")
        key = rig.reconciler.keys.make("phone-in")
        wait_for(lambda: datetime.now(UTC) >= live_start - timedelta(seconds=3), 30, "the lead")
        presenter = source_client(rig, key, LIVE_S + 8, f"sine=frequency={LIVE_TONE}")
        try:
            wait_for(lambda: datetime.now(UTC) >= live_end + timedelta(seconds=2), 30, "the end")
        finally:
            stop_client(presenter)
        pid = rig.liquidsoap_pid()
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        killed = datetime.now(UTC)
        wait_for(
            lambda: any(f.start > killed for f in list_files(rig.settings.logger_dir)),
            30,
            "the logger to record again after the restart",
        )
        time.sleep(3)
        try:
            yield Timeline(rig, services, first, live_start, live_end, killed)
        finally:
            services.liquidsoap.close()
            services.db.dispose()


def test_the_files_decode_and_cover_the_time_but_the_listed_gap(timeline: Timeline) -> None:
    folder = timeline.rig.settings.logger_dir
    files = list_files(folder)
    assert len(files) >= 10, f"expected a file every 3 s, found {len(files)}"
    # The newest file is still being written: it grows while the others are decoded. One
    # opened as Liquidsoap was killed may hold no whole frame (CI saw one on a busy
    # machine): no export includes it, and it covers no more than the tolerance.
    assert all(f.end - f.start <= TOLERANCE for f in files if not f.holds_audio)
    table = [(f.path.name, len(decode(f.path)) / RATE, (f.end - f.start).total_seconds())
             for f in files[:-1] if f.holds_audio]  # fmt: skip
    report = "\n".join(f"{name}: {heard:.2f} s decoded, {written:.2f} s written"
                       for name, heard, written in table)  # fmt: skip
    # Each file holds the time it was written over. A busy machine makes Liquidsoap fall
    # behind for a moment and then catch up (a file then holds a little more than its
    # span), and each MP3 file adds its encoder's padding (about 0.06 s).
    assert all(abs(heard - written) <= 1.0 for _, heard, written in table), report
    heard_all = sum(heard for _, heard, _ in table)
    written_all = sum(written for _, _, written in table)
    assert abs(heard_all - written_all) <= 0.03 * written_all + 1.0, report
    # Up to the newest file's last write: a busy machine may hold Liquidsoap up a moment.
    gaps = find_gaps(files, recording_since(folder), files[0].start, files[-1].end)
    assert len(gaps) == 1, f"one gap expected (the kill), found {gaps}"
    gap = gaps[0]
    assert abs((gap.start - timeline.killed).total_seconds()) <= 1.0, (gap, timeline.killed)
    assert 0.5 < gap.seconds < 20, gap
    # /healthz says so (the gap is in the last day).
    report = timeline.services.health.engine()
    assert any(
        w.startswith("the off-air logger has 1 gap(s) in the last day") for w in report.warnings
    )


def test_an_exported_range_holds_the_tones_in_order(timeline: Timeline, tmp_path: Path) -> None:
    out = tmp_path / "range.mp3"
    settings = timeline.rig.settings
    started = time.monotonic()
    done = export(
        settings.logger_dir,
        timeline.first - timedelta(seconds=1),
        timeline.live_start - timedelta(seconds=0.5),
        out,
        now=datetime.now(UTC),
        keep_days=settings.logger_keep_days,
        tz=settings.tz,
    )
    assert time.monotonic() - started < 10
    assert done.gaps == []
    samples = decode(out)
    # Within half a second (the spec's edge tolerance): a busy machine holds Liquidsoap up
    # for moments, and each file's name is when Liquidsoap opened it.
    assert abs(len(samples) / RATE - (SLOT_S * len(TONES) + 0.5)) <= 0.5
    runs = tone_runs(dominant(samples, RATE, TONES), TONES)
    assert [f for _, f in runs] == TONES, f"heard {runs}"
    # Each tone where its slot was: 1 s in, then a slot apart.
    for k, (at, _) in enumerate(runs):
        assert abs(at - (1 + k * SLOT_S)) <= 0.5, f"tone {k} heard at {at:.2f} s"


def test_the_live_slot_becomes_an_episode_of_the_presenter_alone(timeline: Timeline) -> None:
    services = timeline.services
    again = ListenAgainService(
        services.settings, services.db, services.grid, services.library, services.clock
    )
    assert again.mark_due(datetime.now(UTC)) == 1
    assert again.cut_due() == 1
    occ = services.grid.expand(timeline.live_start, timeline.live_end, show="phone-in")[0]
    recording = again.get(occ.id)
    assert recording is not None and recording.state == "ready" and not recording.published
    # Private until published: not on the show page or in the podcast.
    assert services.published.published([occ.id]) == {}
    item = services.library.episode_item(occ.id)
    assert item is not None
    samples = decode(services.settings.media_dir / item.path)
    # As long as the presenter was on air: never longer than the slot, and at most 1.5 s
    # shorter (a source client on a busy machine connects a moment late; 7.3 s was seen).
    seconds = len(samples) / RATE
    assert LIVE_S - 1.5 <= seconds <= LIVE_S + 0.5, f"{seconds:.2f} s"
    window = 0.05
    n = int(RATE * window)
    freqs = np.fft.rfftfreq(n, 1 / RATE)
    presenter = np.abs(freqs - LIVE_TONE) <= 25
    # The rotation's tunes (87-622 Hz) and the tone before the live slot.
    music = (freqs >= 60) & (freqs <= 650) | (np.abs(freqs - TONES[-1]) <= 25)
    shares = []
    for i in range(0, len(samples) - n, n):
        power = np.abs(np.fft.rfft(samples[i : i + n] * np.hanning(n))) ** 2
        total = max(power.sum(), 1e-9)
        shares.append((power[presenter].sum() / total, power[music].sum() / total))
    edge = int(0.5 / window)
    inner = shares[edge : len(shares) - edge]
    heard = [round(k * window, 2) for k, (_, m) in enumerate(shares) if m > 0.2]
    assert inner and max(m for _, m in inner) <= 0.2, f"music in the recording at {heard} s"
    # The presenter throughout; the joins between logger files (one an hour, every 3 s
    # here) carry the MP3 encoder's padding, a few windows of near silence.
    alone = sum(p > 0.9 for p, _ in inner) / len(inner)
    assert alone >= 0.9, f"the presenter's tone alone in only {alone:.0%} of the recording"
    again.edit(occ.id, trim_start_s=0, trim_end_s=0, published=True)
    assert list(services.published.published([occ.id])) == [occ.id]


def test_a_deleted_logger_folder_comes_back_and_the_loss_is_listed(timeline: Timeline) -> None:
    folder = timeline.rig.settings.logger_dir
    since = recording_since(folder)
    assert since is not None
    shutil.rmtree(folder)
    deleted = datetime.now(UTC)
    wait_for(lambda: list_files(folder), 10, "the logger folder to be made again")
    time.sleep(1.5)
    files = list_files(folder)
    assert (files[0].start - deleted).total_seconds() < 1.5
    gaps = find_gaps(files, since, since, files[-1].end)
    assert len(gaps) == 1 and gaps[0].start == since and gaps[0].end == files[0].start
    assert len(decode(files[0].path)) > 0
