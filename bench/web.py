"""Benchmark the listeners' site: ``/api/v1/now`` against a bare constant route, and /schedule.

Run with ``.venv/bin/python bench/web.py`` (or ``make bench``). It starts the real site in a
child process under waitress with 8 threads, as ``radio run`` does, on a fresh data folder
with the demo grid, and registers one extra route, ``/bench/constant``, that returns a
constant: that route exists only in this benchmark's server, never in the station's app.

The load is 64 keep-alive connections (asyncio, one request at a time on each) against
each route in turn, twice, for a few seconds each; it prints throughput and latency
percentiles, and the ratio of ``/api/v1/now``'s throughput to the constant route's (target:
0.9 or more; the now-playing answer is prepared when the on-air item changes, so a request
only copies bytes). Then it times ``/schedule`` on one connection.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# This file is named web.py: keep its folder off the path so ``import web`` finds the site.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

CONNECTIONS = 64
ROUND_S = 4.0
ROUNDS = 2
TARGET = 0.9


def serve(port: int, data_dir: Path) -> None:
    """The child: the station's site plus the bench-only constant route, under waitress."""
    from flask import Response
    from waitress import create_server

    from radio.bootstrap import build_services
    from radio.config import Settings
    from web import create_app

    settings = Settings(data_dir=data_dir, http_port=port)
    services = build_services(settings)
    services.grid.seed_if_empty(settings.demo_schedule)
    app = create_app(settings, services=services)
    constant = b'{"ok":true}'

    @app.get("/bench/constant")
    def bench_constant() -> Response:
        return Response(constant, mimetype="application/json")

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # 64 clients queue, by design

    def refresh() -> None:  # what `radio run`'s scheduler does every second
        while True:
            services.on_air.refresh()
            time.sleep(1)

    threading.Thread(target=refresh, daemon=True).start()
    create_server(app, host="127.0.0.1", port=port, threads=8, ident="radio").run()


async def _one_connection(port: int, path: str, stop: float, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    try:
        while time.perf_counter() < stop:
            sent = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"{path}: {head.splitlines()[0]!r}")
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - sent)
    finally:
        writer.close()


async def _load(port: int, path: str, seconds: float) -> tuple[float, list[float]]:
    latencies: list[float] = []
    start = time.perf_counter()
    stop = start + seconds
    await asyncio.gather(
        *(_one_connection(port, path, stop, latencies) for _ in range(CONNECTIONS))
    )
    return len(latencies) / (time.perf_counter() - start), latencies


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def _wait_for(port: int, child: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise SystemExit("the benchmark server stopped before it answered")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit("the benchmark server did not start within 60 s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _schedule_times(port: int, n: int = 40) -> list[float]:
    times = []
    with socket.create_connection(("127.0.0.1", port)) as sock:
        stream = sock.makefile("rb")
        for _ in range(n):
            sent = time.perf_counter()
            sock.sendall(b"GET /schedule HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            stream.read(length)
            times.append(time.perf_counter() - sent)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "DATA_DIR"), help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=ROUND_S, help="length of each round")
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), Path(args.serve[1]))
        return 0
    port = _free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RADIO_")}
        root = Path(__file__).resolve().parent.parent
        env["PYTHONPATH"] = str(root)
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port), data], env=env, cwd=root
        )
        try:
            _wait_for(port, child)
            return _measure(port, args.seconds)
        finally:
            child.terminate()
            child.wait(timeout=10)


def _measure(port: int, seconds: float) -> int:
    asyncio.run(_load(port, "/api/v1/now", 1.0))  # warm up both
    asyncio.run(_load(port, "/bench/constant", 1.0))
    results: dict[str, list[tuple[float, list[float]]]] = {"/api/v1/now": [], "/bench/constant": []}
    for _ in range(ROUNDS):
        for path in results:
            results[path].append(asyncio.run(_load(port, path, seconds)))
    print(f"{CONNECTIONS} connections, waitress with 8 threads, {ROUNDS} rounds of {seconds:.0f} s")
    best = {}
    for path, rounds in results.items():
        rps = max(r for r, _ in rounds)
        latencies = [x for _, lat in rounds for x in lat]
        best[path] = rps
        print(
            f"  {path:<16} {rps:8.0f} req/s   p50 {percentile(latencies, 0.50) * 1000:6.1f} ms"
            f"   p99 {percentile(latencies, 0.99) * 1000:6.1f} ms"
        )
    ratio = best["/api/v1/now"] / best["/bench/constant"]
    print(f"  ratio now/constant: {ratio:.2f} (target {TARGET})")
    times = _schedule_times(port)
    print(
        f"/schedule, one connection: median {statistics.median(times) * 1000:.1f} ms, "
        f"p95 {percentile(times, 0.95) * 1000:.1f} ms"
    )
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
