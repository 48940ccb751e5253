"""Memory footprint of an idle station (a script, not a test): ``python bench/footprint.py``.

Starts ``radio run`` on a new data folder in a temporary folder (free loopback ports), waits
until ``/healthz`` answers 200 and the demo station is on air, lets it idle for ``--settle``
seconds, then reads the resident memory (``VmRSS``) of every process of the station from
/proc: ``radio run`` itself and everything it started, at any depth.

The last line is exactly ``footprint python_mb=N station_mb=N``: the Python processes
together, then every process of the station (Liquidsoap and Icecast included).
Goal (issue 12): Python ≤ 160 MB, the station ≤ 420 MB, to run on a 1 GB machine.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import free_port  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--settle", type=float, default=20.0, help="idle seconds before reading")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-footprint-") as tmp:
        ports = {k: str(free_port()) for k in ("HTTP", "ICECAST", "HARBOR")}
        env = {k: v for k, v in os.environ.items() if not k.startswith("RADIO_")}
        env.update(RADIO_DATA_DIR=str(Path(tmp) / "var"), PYTHONPATH=str(ROOT))
        env.update({f"RADIO_{k}_PORT": v for k, v in ports.items()})
        log = (Path(tmp) / "station.log").open("w")
        proc = subprocess.Popen(
            [sys.executable, "-m", "radio", "run"], env=env, stdout=log, stderr=log, cwd=ROOT
        )
        try:
            if not wait_healthy(f"http://127.0.0.1:{ports['HTTP']}/healthz", proc, 90):
                print((Path(tmp) / "station.log").read_text(), file=sys.stderr)
                print("the station did not become healthy", file=sys.stderr)
                return 1
            time.sleep(args.settle)
            rows = [(pid, program(pid), rss_mb(pid)) for pid in [proc.pid, *descendants(proc.pid)]]
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
    python_mb = station_mb = 0.0
    for pid, name, mb in rows:
        print(f"{pid:>8} {mb:8.1f} MB  {name}")
        station_mb += mb
        if "python" in name.split()[0]:
            python_mb += mb
    print(f"footprint python_mb={python_mb:.0f} station_mb={station_mb:.0f}")
    return 0


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def descendants(parent: int) -> list[int]:
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == parent:
            pid = int(entry.name)
            found += [pid, *descendants(pid)]
    return found


def program(pid: int) -> str:
    raw = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    words = [Path(raw[0].decode()).name, *(w.decode() for w in raw[1:4] if w)]
    return " ".join(words)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


if __name__ == "__main__":
    sys.exit(main())
