"""Benchmark how many MP3 listeners one Icecast feeds, alone and through one relay.

Run with ``.venv/bin/python bench/listeners.py`` (``--counts 1000,2000 --seconds 60``). It
starts the station's own Icecast (the configuration ``radio run`` writes, from
``render_icecast``, with ``icecast_max_listeners`` raised to fit), ffmpeg pushing a 440 Hz
tone as 128 kbit/s MP3 to ``/stream.mp3`` (as Liquidsoap would), and a relay Icecast on the
configuration ``radio relay config`` prints. As root, both Icecasts run as ``icecast2``.

For each count N, first on the station's Icecast, then on the relay: N listeners connect
(100 a second, 2 load processes, asyncio, one protocol object per connection counting bytes), are
left 10 s to settle, then every connection's bytes are counted over ``--seconds``. A count
passes when **every** listener got at least 95 % of 128 kbit/s (15,200 B/s) over the window.
Printed per round: the slowest and median listener's rate, what the source itself sent
(ffmpeg's ``-progress``: on a busy machine it can fall behind, and every listener with it),
how many fell short or were cut off, the serving Icecast's CPU (per 100 listeners, in % of
one core), the load generator's CPU, and its event loops' worst lag.

Why the generator is not the bottleneck: a listener counts only bytes its event loop has
read, so a round where every listener got 95 % or more shows the generator kept up (a loop
falling behind leaves data in the kernel's buffers, and Icecast, finding them full, would
lag that listener and then cut it off). Each load process also measures its own CPU time and
how late a 50 ms timer fires in its loop over the window; a round where listeners fell short
while that lag passed 0.5 s is marked ``generator-bound`` (it says nothing about Icecast).
"""

from __future__ import annotations

import argparse
import asyncio
import grp
import json
import multiprocessing
import multiprocessing.connection
import os
import pwd
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from radio.playout.icecast import ICECAST_GROUP, ICECAST_USER, render_icecast
from radio.processes import RunAs, die_with_parent

BYTES_PER_S = 128_000 / 8
SHARE = 0.95
SETTLE_S = 10.0
WORKERS = 2
RAMP_PER_S = 100.0
LAG_TICK_S = 0.05
CONNECT_S = 30.0
LAG_LIMIT_S = 0.5
SOURCE_PASSWORD = "bench-source"
MOUNT = "/stream.mp3"
RADIO = str(Path(sys.executable).with_name("radio"))


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds ``pid`` has used (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Counter(asyncio.Protocol):
    """One listener: sends the request, then counts every byte that arrives."""

    def __init__(self, request: bytes) -> None:
        self.request = request
        self.received = 0
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.received += len(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True


async def _listen(port: int, n: int, pipe: multiprocessing.connection.Connection) -> None:
    loop = asyncio.get_running_loop()
    request = f"GET {MOUNT} HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\n\r\n".encode()
    counters: list[Counter] = []

    async def connect(counter: Counter) -> bool:
        try:
            await asyncio.wait_for(
                loop.create_connection(lambda: counter, "127.0.0.1", port), CONNECT_S
            )
        except (OSError, TimeoutError):
            return False
        counters.append(counter)
        return True

    # Paced, each connection on its own: one waiting for Icecast's full accept queue (its
    # backlog is 5) does not hold the others back.
    began = loop.time()
    tries = []
    for i in range(n):
        tries.append(asyncio.create_task(connect(Counter(request))))
        await asyncio.sleep(max(0.0, began + (i + 1) / (RAMP_PER_S / WORKERS) - loop.time()))
    refused = sum(1 for ok in await asyncio.gather(*tries) if not ok)
    pipe.send("connected")
    await loop.run_in_executor(None, pipe.recv)  # "start"
    before = [c.received for c in counters]
    cpu = time.process_time()
    start = loop.time()
    worst = 0.0
    done = asyncio.Event()

    async def watch() -> None:
        nonlocal worst
        while not done.is_set():
            asked = loop.time()
            await asyncio.sleep(LAG_TICK_S)
            worst = max(worst, loop.time() - asked - LAG_TICK_S)

    watcher = asyncio.create_task(watch())
    await loop.run_in_executor(None, pipe.recv)  # "stop"
    elapsed = loop.time() - start
    rates = [(c.received - b) / elapsed for c, b in zip(counters, before, strict=True)]
    cut = sum(1 for c in counters if c.closed)
    silent = sum(1 for c in counters if c.received == 0)
    done.set()
    await watcher
    pipe.send({"rates": rates, "cut": cut, "refused": refused, "silent": silent,
               "cpu": time.process_time() - cpu, "lag": worst})  # fmt: skip
    await loop.run_in_executor(None, pipe.recv)  # "close"


def _worker(port: int, n: int, pipe: multiprocessing.connection.Connection) -> None:
    asyncio.run(_listen(port, n, pipe))


@dataclass
class Round:
    where: str
    n: int
    seconds: float
    rates: list[float]
    cut: int
    refused: int
    #: Connected (the kernel took them) but never sent a byte: Icecast had not accepted them.
    silent: int
    server_cpu: float
    generator_cpu: float
    lag: float
    #: What ffmpeg sent Icecast over the window (B/s; ``-re`` paces it in real time, but on
    #: a busy machine it can fall behind, and every listener with it).
    source_rate: float

    @property
    def short(self) -> int:
        return sum(1 for r in self.rates if r < SHARE * BYTES_PER_S) + self.refused

    @property
    def passed(self) -> bool:
        return self.short == 0 and self.cut == 0

    def line(self) -> str:
        slowest = min(self.rates, default=0.0)
        median = statistics.median(self.rates) if self.rates else 0.0
        verdict = "pass" if self.passed else "FAIL"
        if not self.passed and self.lag > LAG_LIMIT_S:
            verdict = "generator-bound"
        return (
            f"{self.where:7} n={self.n:5d} {verdict:4}  slowest {slowest / BYTES_PER_S:6.1%} "
            f"median {median / BYTES_PER_S:6.1%} of 128 kbit/s (source sent "
            f"{self.source_rate / BYTES_PER_S:6.1%})  short {self.short} (never served "
            f"{self.silent}) cut {self.cut}"
            f"  icecast {self.server_cpu:5.1f}% of a core ({self.server_cpu * 100 / self.n:4.2f}%"
            f" per 100)  generator {self.generator_cpu:5.1f}%  loop lag max "
            f"{self.lag * 1000:5.0f} ms"
        )


class SourceMeter:
    """The bytes ffmpeg (the source) has sent so far, from its ``-progress`` lines."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.sent = 0
        assert process.stdout is not None
        self._lines = process.stdout
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self._lines:
            if line.startswith("total_size="):
                self.sent = int(line.split("=", 1)[1])


def run_round(
    where: str, port: int, pid: int, n: int, seconds: float, source: SourceMeter
) -> Round:
    ctx = multiprocessing.get_context("spawn")
    pipes, workers = [], []
    for i in range(WORKERS):
        mine, theirs = ctx.Pipe()
        share = n // WORKERS + (1 if i < n % WORKERS else 0)
        worker = ctx.Process(target=_worker, args=(port, share, theirs), daemon=True)
        worker.start()
        pipes.append(mine)
        workers.append(worker)
    try:
        for pipe in pipes:
            if not pipe.poll(n / RAMP_PER_S + CONNECT_S + 60):
                raise RuntimeError("the load processes did not connect in time")
            pipe.recv()
        time.sleep(SETTLE_S)
        cpu, sent = cpu_seconds(pid), source.sent
        for pipe in pipes:
            pipe.send("start")
        time.sleep(seconds)
        for pipe in pipes:
            pipe.send("stop")
        server = (cpu_seconds(pid) - cpu) / seconds * 100
        source_rate = (source.sent - sent) / seconds
        results = [pipe.recv() for pipe in pipes]
        for pipe in pipes:
            pipe.send("close")
    finally:
        for worker in workers:
            worker.join(30)
            if worker.is_alive():
                worker.kill()
    return Round(
        where=where, n=n, seconds=seconds,
        rates=[r for result in results for r in result["rates"]],
        cut=sum(result["cut"] for result in results),
        refused=sum(result["refused"] for result in results),
        silent=sum(result["silent"] for result in results),
        server_cpu=server,
        generator_cpu=sum(result["cpu"] for result in results) / seconds * 100,
        lag=max(result["lag"] for result in results),
        source_rate=source_rate,
    )  # fmt: skip


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_as() -> RunAs | None:
    if os.geteuid() != 0:
        return None
    return RunAs(pwd.getpwnam(ICECAST_USER).pw_uid, grp.getgrnam(ICECAST_GROUP).gr_gid)


def start_icecast(config: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        ["icecast2", "-c", str(config)], stdout=subprocess.DEVNULL,
        preexec_fn=die_with_parent(run_as=run_as()),
    )  # fmt: skip
    wait_for_mount(port, None)
    return process


def wait_for_mount(port: int, mount: str | None, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/status-json.xsl", timeout=2) as r:
                status = json.loads(r.read().decode("utf-8", "replace"))["icestats"]
            if mount is None:
                return
            found = status.get("source") or []
            found = found if isinstance(found, list) else [found]
            if any(s.get("listenurl", "").endswith(mount) for s in found):
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"Icecast on {port} did not serve {mount or 'its status'} in time")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", default="1000,2000", help="listener counts (1000,2000)")
    parser.add_argument("--seconds", type=float, default=60.0, help="window per round (60)")
    parser.add_argument("--no-relay", action="store_true", help="the station's Icecast only")
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # Icecast inherits it too
    folder = Path(tempfile.mkdtemp(prefix="radio-bench-listeners-"))
    owner = run_as()
    processes: list[subprocess.Popen[bytes] | subprocess.Popen[str]] = []
    try:
        for sub in ("log", "relay-log"):
            (folder / sub).mkdir()
        master_port, relay_port = free_port(), free_port()
        master = folder / "master.xml"
        master.write_text(render_icecast(
            bind="127.0.0.1", port=master_port, source_password=SOURCE_PASSWORD,
            admin_password="bench-admin", logdir=folder / "log", station_name="Bench FM",
            max_listeners=max(counts) + 10,
        ))  # fmt: skip
        relay = folder / "relay.xml"
        subprocess.run(
            [RADIO, "relay", "config", str(relay), "--master", f"http://127.0.0.1:{master_port}",
             "--port", str(relay_port), "--bind", "127.0.0.1", "--log-dir",
             str(folder / "relay-log"), "--clients", str(max(counts) + 10)],
            check=True, capture_output=True,
        )  # fmt: skip
        if owner is not None:
            for path in (folder, *folder.iterdir()):
                os.chown(path, owner.uid, owner.gid)
        icecast = start_icecast(master, master_port)
        processes.append(icecast)
        feeding = subprocess.Popen(
            ["ffmpeg", "-nostdin", "-v", "error", "-progress", "pipe:1", "-stats_period", "1",
             "-re", "-f", "lavfi",
             "-i", "sine=frequency=440:sample_rate=44100", "-ac", "2", "-c:a", "libmp3lame",
             "-b:a", "128k", "-content_type", "audio/mpeg", "-f", "mp3",
             f"icecast://source:{SOURCE_PASSWORD}@127.0.0.1:{master_port}{MOUNT}"],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        processes.append(feeding)
        source = SourceMeter(feeding)
        wait_for_mount(master_port, MOUNT)
        print(f"{os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}")
        targets = [("station", master_port, icecast.pid)]
        if not args.no_relay:
            relayed = start_icecast(relay, relay_port)
            processes.append(relayed)
            wait_for_mount(relay_port, MOUNT)
            targets.append(("relay", relay_port, relayed.pid))
        for where, port, pid in targets:
            for n in counts:
                result = run_round(where, port, pid, n, args.seconds, source)
                print(
                    result.line() + f"  (load average {os.getloadavg()[0]:.2f})",
                    flush=True,
                )
                if not result.passed:
                    break
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(folder, ignore_errors=True)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return 0


if __name__ == "__main__":
    sys.exit(main())
