"""Slot timing on the real stack: ≥ 20 consecutive short slots, start error and dead air.

Starts Icecast and Liquidsoap with the station's own script, the real scheduler
(:class:`radio.playout.scheduler.Reconciler`) and a grid of back-to-back 3-second slots, each
with its own tone episode (some longer than the slot, some shorter so the rotation fills in).

* Start error: from Liquidsoap's own on-air timestamps (the ``track`` events the script
  prints when each item starts on the output), against each slot's start instant.
* Dead air: the stream is decoded from Icecast meanwhile; every 50 ms window quieter than
  -50 dBFS counts, from the first slot's start to the last one's end.

With ``--load``, two busy processes (one per core of a 2-core machine) spin at normal priority
from before the first slot to after the last: the station must keep time when other work
uses every core.

The last line is exactly ``slot_start_error_ms p50=N p95=N max=N dead_air_s=N``.
Run: ``.venv/bin/python bench/slot_timing.py [--slots 24] [--load]``
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from radio.config import Settings
from radio.demo import ensure_demo_audio, ensure_emergency_file
from tests.playout.rig import once_slot, record, start_rig, tone

SLOT_S = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--slots", type=int, default=24)
    parser.add_argument("--frame", type=float, default=None)
    parser.add_argument(
        "--load", action="store_true", help="keep every core busy with other work meanwhile"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-slots-") as tmp:
        base = Path(tmp)
        media = base / "demo-media"
        ensure_emergency_file(media, Settings().station_name)
        ensure_demo_audio(media, Settings().station_name)
        with start_rig(base, media, fade_s=0.3) as rig:
            first = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=10)
            toml = "".join(
                once_slot(
                    f"slot-{k}",
                    "prerecorded",
                    first + timedelta(seconds=k * SLOT_S),
                    SLOT_S,
                    rig.settings,
                )
                for k in range(args.slots)
            )
            rig.import_grid(toml)
            for k in range(args.slots):
                occ = rig.reconciler.grid.expand(
                    first, first + timedelta(hours=1), show=f"slot-{k}"
                )[0]
                length = SLOT_S + 2.0 if k % 4 else SLOT_S - 1.0
                path = tone(base / f"t{k}.ogg", 300 + 25 * k, length)
                rig.episodes.add(occ.id, path, length, f"slot-{k}")
            end = first + timedelta(seconds=args.slots * SLOT_S)
            heard: dict[str, object] = {}

            def listen() -> None:
                seconds = (end - datetime.now(UTC)).total_seconds() + 2
                heard["start"], heard["samples"] = record(rig.mp3, seconds)

            listener = threading.Thread(target=listen)
            with busy_cores((os.cpu_count() or 2) if args.load else 0):
                listener.start()
                listener.join()
            errors: list[float] = []
            signed: list[int] = []
            for k in range(args.slots):
                target = (first + timedelta(seconds=k * SLOT_S)).timestamp()
                starts = [
                    int(e["t_ms"]) / 1000
                    for e in rig.events
                    if e.get("event") == "track" and e.get("title") == f"slot-{k}"
                ]
                if not starts:
                    print(f"slot {k} never aired", file=sys.stderr)
                    for e in rig.events:
                        print(
                            round(int(e["t_ms"]) / 1000 - first.timestamp(), 3),
                            e.get("event"),
                            e.get("source"),
                            e.get("title"),
                            file=sys.stderr,
                        )
                    return 1
                errors.append(abs(starts[0] - target) * 1000)
                signed.append(round((starts[0] - target) * 1000))
            dead = dead_air(
                heard["samples"],
                float(heard["start"]),  # type: ignore[arg-type]
                first.timestamp(),
                end.timestamp(),
            )
    errors.sort()
    p95 = errors[min(len(errors) - 1, round(0.95 * (len(errors) - 1)))]
    print(f"slots={len(errors)} slot_s={SLOT_S} load={'busy' if args.load else 'none'} "
          f"signed_errors_ms_by_slot={signed}")  # fmt: skip
    print(
        f"slot_start_error_ms p50={statistics.median(errors):.0f} p95={p95:.0f} "
        f"max={errors[-1]:.0f} dead_air_s={dead:.2f}"
    )
    return 0


@contextlib.contextmanager
def busy_cores(count: int) -> Iterator[None]:
    """``count`` processes spinning at the normal priority, as other work on the machine."""
    spin = "while True: pass"
    procs = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(count)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def dead_air(samples: np.ndarray, heard_at: float, start: float, end: float) -> float:
    rate, window = 16000, 800  # 50 ms
    silent = 0
    for i in range(0, len(samples) - window, window):
        t = heard_at + i / rate
        if not start <= t < end:
            continue
        chunk = samples[i : i + window].astype(np.float64)
        rms = np.sqrt(np.mean(chunk**2)) / 32768
        if rms < 10 ** (-50 / 20):
            silent += 1
            print(f"silent window at slot time {t - start:.2f} s", file=sys.stderr)
    return silent * window / rate


if __name__ == "__main__":
    sys.exit(main())
