"""The off-air logger's cost (a script, not a test): ``python bench/logger.py``.

1. Liquidsoap's CPU with the logger against without it, in one run: the station's script is
   rendered both ways and each runs in turn (without, with, without, with…) against one real
   Icecast, playing the same rotation; the CPU time of Liquidsoap and every process it
   started (the logger's writers) is read from /proc over ``--seconds`` after a warm-up.
2. The time to export one hour: two hour-long logger files at the default bitrate, and an
   hour cut across both (30 min of each), copied without re-encoding; median of 3.
3. Storage per day at the default bitrate, from the bytes the logger wrote while it ran.

The logger's writers (processes Liquidsoap starts) are measured apart from Liquidsoap
itself, so both figures are printed. ``--encoder`` tries another Liquidsoap encoder for the
logger's MP3 files (e.g. ``'%%mp3(bitrate={kbps}, samplerate=44100, stereo=true,
internal_quality=7)'``).
The last line is exactly
``logger cpu_ratio=R cpu_ratio_with_encoder=R2 export_hour_s=S gb_per_day=G``.
Goals (issue 15): cpu_ratio (Liquidsoap's own) ≤ 1.10, export ≤ 2 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from radio.logger.export import export  # noqa: E402
from radio.logger.files import list_files  # noqa: E402
from radio.logger.writer import file_name  # noqa: E402
from radio.playout.icecast import write_icecast_config  # noqa: E402
from radio.playout.script import LOGGER_ENCODERS, ScriptInputs, render_script  # noqa: E402
from tests.support import free_port, wait_for  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int, children: bool) -> float:
    """User + system CPU of ``pid`` (and of its live descendants, with ``children``)."""
    total = 0.0
    for p in [pid, *(descendants(pid) if children else [])]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found += [child, *descendants(child)]
    return found


def tone(path: Path, freq: int, seconds: int, codec: list[str]) -> Path:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"sine=frequency={freq}:sample_rate=44100:duration={seconds}", "-ac", "2", *codec,
         str(path)],
        check=True,
    )  # fmt: skip
    return path


def measure_cpu(tmp: Path, rounds: int, seconds: float) -> dict[str, float]:
    """Median CPU % (of a core) of Liquidsoap alone and with its children, without and with
    the logger; and the bytes per second the logger wrote."""
    port = free_port()
    icecast = write_icecast_config(
        tmp / "var", bind="127.0.0.1", port=port, source_password="hackme",
        admin_password="admin", station_name="Bench",
    )  # fmt: skip
    music = [tone(tmp / f"m{f}.ogg", f, 60, ["-c:a", "libvorbis"]) for f in (220, 330, 440)]
    rotation = tmp / "rotation.m3u8"
    rotation.write_text("".join(f"{p}\n" for p in music))
    base = ScriptInputs(
        station_name="Bench", socket_path=tmp / "ls.sock", icecast_host="127.0.0.1",
        icecast_port=port, icecast_password="hackme", harbor_host="127.0.0.1",
        emergency_file=music[0], rotation_playlist=rotation, jingles_playlist=rotation,
        jingle_every=0, harbor_port=free_port(),
    )  # fmt: skip
    logger_dir = tmp / "var" / "logger"
    scripts = {}
    for name, folder in (("without", None), ("with", logger_dir)):
        scripts[name] = tmp / f"{name}.liq"
        scripts[name].write_text(
            render_script(ScriptInputs(**{**base.__dict__, "logger_dir": folder}))
        )
    ice = subprocess.Popen(["icecast2", "-c", str(icecast.path)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)  # fmt: skip
    usage: dict[str, list[float]] = {"without": [], "with": [], "without_all": [], "with_all": []}
    written = 0.0
    try:
        time.sleep(1)
        for _ in range(rounds):
            for name in ("without", "with"):
                quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
                proc = subprocess.Popen(["liquidsoap", str(scripts[name])], **quiet)
                try:
                    wait_for(base.socket_path.exists, 30, "Liquidsoap's socket")
                    time.sleep(5)  # warm-up: the first tracks are decoded, the mounts up
                    size0 = sum(f.size for f in list_files(logger_dir))
                    # The writers live an hour (a file), so they are there all along.
                    own0, all0 = cpu_seconds(proc.pid, False), cpu_seconds(proc.pid, True)
                    t0 = time.monotonic()
                    time.sleep(seconds)
                    own1, all1 = cpu_seconds(proc.pid, False), cpu_seconds(proc.pid, True)
                    t1 = time.monotonic()
                    usage[name].append(100 * (own1 - own0) / (t1 - t0))
                    usage[f"{name}_all"].append(100 * (all1 - all0) / (t1 - t0))
                    if name == "with":
                        size1 = sum(f.size for f in list_files(logger_dir))
                        written = (size1 - size0) / (t1 - t0)
                finally:
                    proc.terminate()
                    proc.wait(20)
                    base.socket_path.unlink(missing_ok=True)
                print(
                    f"{name:>8} logger: Liquidsoap {usage[name][-1]:.1f} % of a core, "
                    f"{usage[name + '_all'][-1]:.1f} % with the processes it started"
                )
    finally:
        ice.terminate()
        ice.wait(10)
    found = {key: statistics.median(values) for key, values in usage.items()}
    found["bytes_per_s"] = written
    return found


def measure_export(tmp: Path) -> float:
    folder = tmp / "export" / "logger"
    folder.mkdir(parents=True)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    codec = ["-c:a", "libmp3lame", "-b:a", "128k", "-write_xing", "0"]
    for k, freq in enumerate((500, 700)):
        at = start + timedelta(hours=k)
        path = tone(folder / file_name(at.timestamp(), ".mp3"), freq, 3600, codec)
        end = (at + timedelta(hours=1)).timestamp()
        os.utime(path, (end, end))
    times = []
    for n in range(3):
        out = tmp / f"hour{n}.mp3"
        began = time.perf_counter()
        export(folder, start + timedelta(minutes=30), start + timedelta(minutes=90), out,
               now=datetime.now(UTC), keep_days=42, tz=UTC)  # fmt: skip
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="runs of each script")
    parser.add_argument("--seconds", type=float, default=20.0, help="CPU measured per run")
    parser.add_argument("--encoder", help="another encoder for the logger's MP3 files")
    args = parser.parse_args()
    if args.encoder:
        LOGGER_ENCODERS["mp3"] = args.encoder
    with tempfile.TemporaryDirectory(prefix="bench-logger-") as name:
        tmp = Path(name)
        (tmp / "var").mkdir()
        cpu = measure_cpu(tmp, args.rounds, args.seconds)
        export_s = measure_export(tmp)
    ratio = cpu["with"] / cpu["without"]
    ratio_all = cpu["with_all"] / cpu["without_all"]
    rate = cpu["bytes_per_s"]
    gb_day = rate * 86400 / 1e9
    print(
        f"Liquidsoap: {cpu['without']:.1f} % of a core without the logger, {cpu['with']:.1f} %"
        f" with (ratio {ratio:.3f}); with the logger's writers and encoders: "
        f"{cpu['without_all']:.1f} % and {cpu['with_all']:.1f} % (ratio {ratio_all:.3f})"
    )
    print(f"export of one hour (across two files): {export_s:.2f} s")
    print(
        f"storage: {rate / 1000:.1f} kB/s, {gb_day:.2f} GB a day, {gb_day * 42:.0f} GB for 42 days"
    )
    print(
        f"logger cpu_ratio={ratio:.3f} cpu_ratio_with_encoder={ratio_all:.3f} "
        f"export_hour_s={export_s:.2f} gb_per_day={gb_day:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
