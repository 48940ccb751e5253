"""Benchmark the listeners' site: ``/api/v1/now`` against a bare constant route, /schedule,
and both while slow clients attack.

Run with ``.venv/bin/python bench/web.py`` (or ``make bench``). It starts the real site in a
child process under the site's own waitress server (``web.server``, as ``radio run`` does),
on a fresh data folder with the demo grid, and registers one extra route,
``/bench/constant``, that returns a constant: that route exists only in this benchmark's
server, never in the station's app.

The load is 64 keep-alive connections (asyncio, one request at a time on each) against
each route in turn, twice, for a few seconds each; it prints throughput and latency
percentiles, and the ratio of ``/api/v1/now``'s throughput to the constant route's (target:
0.9 or more; the now-playing answer is prepared when the on-air item changes, so a request
only copies bytes). Then it times ``/schedule`` on one connection.

Last, the attack: 150 connections send a request's headers one byte a second (reconnecting
when the server cuts them off, as an attacker would) while 100 keep-alive clients load
``/schedule`` and then the constant route, in turn, twice, and a health check asks
``/healthz`` on a new connection every 100 ms. The last two lines give ``/healthz``'s p99
(target: 200 ms or less) and ``/schedule``'s throughput as a share of the constant route's
in the same run (target: 0.5 or more).

``--scale`` (also part of a full run): Caddy in front (``radio proxy config``'s routes, on
plain HTTP so that TLS costs neither side), ``/api/v1/now`` from the static file Caddy serves
against the same document from the site through Caddy (``?via=site``), loaded by ``wrk`` (C,
Debian's package; ``make bench`` installs it) on 64 keep-alive connections, in alternating
rounds of the same run (target: static at least 5 times the site's rate); then 500 event
streams open through Caddy on ``/api/v1/now/events`` and a bench-only route
``/bench/change`` publishes a new document ten times: the time from the change to its
arrival on each stream (target: p95 within 1 s).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

# This file is named web.py: keep its folder off the path so ``import web`` finds the site.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

CONNECTIONS = 64
ROUND_S = 4.0
ROUNDS = 2
TARGET = 0.9
SLOW = 150
LOAD_CLIENTS = 100
HEALTHZ_EVERY_S = 0.1
HEALTHZ_TARGET_MS = 200.0
SCHEDULE_TARGET = 0.5
STATIC_TARGET = 5.0
#: wrk's threads for the static-vs-site rounds (the machine has 2 cores; Caddy needs one).
WRK_THREADS = 1
#: Alternating rounds of static and site; the best of each is compared (the least disturbed
#: by whatever else the machine is doing).
SCALE_ROUNDS = 3
STREAMS = 500
CHANGES = 10
SSE_TARGET_MS = 1000.0


def serve(port: int, data_dir: Path) -> None:
    """The child: the station's site plus the bench-only constant route, under waitress."""
    from flask import Response

    from radio.bootstrap import build_services
    from radio.config import Settings
    from web import create_app
    from web.__main__ import keep_fresh
    from web.events import NowEvents
    from web.public_files import Publisher
    from web.server import make_server

    settings = Settings(
        data_dir=data_dir, http_port=port, icecast_port=_free_port(), harbor_port=_free_port(),
        events_port=int(os.environ.get("BENCH_EVENTS_PORT", "0")),
    )  # fmt: skip
    services = build_services(settings)
    services.grid.seed_if_empty(settings.demo_schedule)
    app = create_app(settings, services=services)
    constant = b'{"ok":true}'

    @app.get("/bench/constant")
    def bench_constant() -> Response:
        return Response(constant, mimetype="application/json")

    logging.getLogger("waitress").setLevel(logging.ERROR)  # clients queue, by design

    keep_fresh(services, threading.Event())  # as `python -m web` does
    events = NowEvents("127.0.0.1", settings.events_port_in_use, services.on_air.current)
    events.start()
    publisher = Publisher(app, services, events)
    publisher.now(services.on_air.refresh())
    publisher.schedule()

    @app.get("/bench/change")
    def bench_change() -> Response:
        """A new document for the event streams (what a change on air does); its id."""
        from radio.onair import NowSnapshot

        body = b'{"bench":"%d"}' % time.perf_counter_ns()
        snapshot = NowSnapshot(services.on_air.current().data, body, f'"{abs(hash(body))}"')
        publisher.now(snapshot)
        return Response(snapshot.etag.strip('"'), mimetype="text/plain")

    make_server(app, "127.0.0.1", port).run()


async def _one_connection(
    port: int, path: str, stop: float, latencies: list[float], depth: int = 1
) -> None:
    """Requests on one keep-alive connection, ``depth`` at a time (pipelined)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode() * depth
    try:
        while time.perf_counter() < stop:
            sent = time.perf_counter()
            writer.write(request)
            for _ in range(depth):
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


async def _load(
    port: int, path: str, seconds: float, connections: int = CONNECTIONS, depth: int = 1
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    start = time.perf_counter()
    stop = start + seconds
    await asyncio.gather(
        *(_one_connection(port, path, stop, latencies, depth) for _ in range(connections))
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
    parser.add_argument("--probe", nargs=2, metavar=("PORT", "SECONDS"), help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=float, default=ROUND_S, help="length of each round")
    parser.add_argument("--scale", action="store_true", help="only static files and SSE")
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), Path(args.serve[1]))
        return 0
    if args.probe:
        probe(int(args.probe[0]), float(args.probe[1]))
        return 0
    port = _free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RADIO_")}
        root = Path(__file__).resolve().parent.parent
        env["PYTHONPATH"] = str(root)
        events_port = _free_port()
        env["BENCH_EVENTS_PORT"] = str(events_port)
        child = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port), data], env=env, cwd=root
        )
        try:
            _wait_for(port, child)
            met = True if args.scale else _measure(port, args.seconds) == 0
            with _caddy(port, events_port, Path(data)) as front:
                met = _measure_scale(front, port, args.seconds) and met
            return 0 if met else 1
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
    print(f"{CONNECTIONS} connections, the site's waitress, {ROUNDS} rounds of {seconds:.0f} s")
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
    healthz_p99, share = asyncio.run(_under_attack(port, seconds))
    print(f"healthz_p99_ms={healthz_p99:.0f} (target <= {HEALTHZ_TARGET_MS:.0f})")
    print(f"schedule_vs_constant={share:.2f} (target >= {SCHEDULE_TARGET})")
    met = ratio >= TARGET and healthz_p99 <= HEALTHZ_TARGET_MS and share >= SCHEDULE_TARGET
    return 0 if met else 1


# Static files and event streams behind Caddy ---------------------------------------------


@contextlib.contextmanager
def _caddy(site_port: int, events_port: int, data: Path) -> Iterator[int]:
    """Caddy on a free port with the station's routes (plain HTTP); its port."""
    from radio.proxy import ProxyPlan, render_caddyfile

    port = _free_port()
    plan = ProxyPlan(
        site_address=f"http://127.0.0.1:{port}", site_upstreams=(f"127.0.0.1:{site_port}",),
        icecast_upstream="127.0.0.1:9", events_upstream=f"127.0.0.1:{events_port}",
        public_dir=str((data / "public").resolve()), internal_tls=True,
    )  # fmt: skip
    caddyfile = data / "Caddyfile"
    caddyfile.write_text(render_caddyfile(plan, "bench"))
    home = {"HOME": str(data), "XDG_DATA_HOME": str(data / "xdg"), "XDG_CONFIG_HOME": str(data)}
    caddy = subprocess.Popen(
        ["caddy", "run", "--config", str(caddyfile), "--adapter", "caddyfile"],
        env={**os.environ, **home}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for(port, caddy)
        yield port
    finally:
        caddy.terminate()
        try:
            caddy.wait(timeout=10)
        except subprocess.TimeoutExpired:
            caddy.kill()
            caddy.wait()


def _measure_scale(front: int, site_port: int, seconds: float) -> bool:
    paths = {"static": "/api/v1/now", "site": "/api/v1/now?via=site"}
    for path in paths.values():
        _wrk(front, path, 1.0)  # warm up
    results: dict[str, list[dict[str, float]]] = {name: [] for name in paths}
    for _ in range(SCALE_ROUNDS):
        for name, path in paths.items():
            results[name].append(_wrk(front, path, seconds))
    print(
        f"/api/v1/now through Caddy, wrk with {WRK_THREADS} threads and {CONNECTIONS} keep-alive "
        f"connections (one request at a time on each), {SCALE_ROUNDS} rounds of {seconds:.0f} s; "
        "wrk's CPU in cores"
    )
    best = {}
    for name, rounds in results.items():
        top = max(rounds, key=lambda r: r["rate"])
        best[name] = top["rate"]
        print(
            f"  {name:<16} {top['rate']:8.0f} req/s   p50 {top['p50_ms']:6.1f} ms"
            f"   p99 {top['p99_ms']:6.1f} ms   wrk {top['cpu']:.2f}"
        )
    ratio = best["static"] / best["site"]
    print(f"static_vs_site={ratio:.1f} (target >= {STATIC_TARGET:.0f})")
    p95, p50, worst = asyncio.run(_streams(front, site_port))
    print(
        f"sse_change_p95_ms={p95:.0f} (target <= {SSE_TARGET_MS:.0f}; {STREAMS} streams through "
        f"Caddy, {CHANGES} changes, p50 {p50:.0f} ms, max {worst:.0f} ms)"
    )
    return ratio >= STATIC_TARGET and p95 <= SSE_TARGET_MS


def _wrk(port: int, path: str, seconds: float) -> dict[str, float]:
    """One round of ``wrk`` (C, epoll; Debian's ``wrk``) on ``path``: its rate, latency
    percentiles and CPU (cores), read from its ``--latency`` report."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--latency",
         f"http://127.0.0.1:{port}{path}"],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out = done.stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"{path}: wrk saw errors:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    latency = re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    found = {p: _ms(value, unit) for p, value, unit in latency}
    return {"rate": rate, "p50_ms": found.get("50", 0.0), "p99_ms": found.get("99", 0.0),
            "cpu": used / seconds}  # fmt: skip


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


async def _stream(port: int, seen: dict[str, list[float]], opened: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /api/v1/now/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    await reader.readuntil(b"\r\n\r\n")
    opened.append(1)
    try:
        while line := await reader.readline():
            if line.startswith(b"id: "):
                seen.setdefault(line[4:].strip().decode(), []).append(time.perf_counter())
    finally:
        writer.close()


async def _streams(front: int, site_port: int) -> tuple[float, float, float]:
    seen: dict[str, list[float]] = {}
    opened: list[int] = []
    tasks = []
    for _ in range(STREAMS):
        tasks.append(asyncio.create_task(_stream(front, seen, opened)))
        await asyncio.sleep(0.002)
    while len(opened) < STREAMS:
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)
    delays: list[float] = []
    for _ in range(CHANGES):
        sent = time.perf_counter()
        reader, writer = await asyncio.open_connection("127.0.0.1", site_port)
        writer.write(b"GET /bench/change HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = await reader.read()
        writer.close()
        etag = answer.rsplit(b"\r\n\r\n", 1)[1].decode()
        deadline = time.perf_counter() + 10
        while len(seen.get(etag, [])) < STREAMS and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
        arrived = seen.get(etag, [])
        if len(arrived) < STREAMS:
            raise SystemExit(f"only {len(arrived)} of {STREAMS} streams got a change in 10 s")
        delays += [t - sent for t in arrived]
        await asyncio.sleep(0.5)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return (percentile(delays, 0.95) * 1000, percentile(delays, 0.5) * 1000,
            max(delays) * 1000)  # fmt: skip


# The attack -----------------------------------------------------------------------------

SLOW_REQUEST = b"GET /schedule HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000


async def _slow_client(port: int, stop: asyncio.Event, cut_off: list[float]) -> None:
    """Send headers a byte a second; reconnect when the server cuts the connection off."""
    while not stop.is_set():
        opened = time.perf_counter()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.5)
            continue
        try:
            for byte in SLOW_REQUEST:
                writer.write(bytes([byte]))
                await writer.drain()
                try:  # end-of-file from the server: it has cut us off
                    await asyncio.wait_for(reader.read(1), timeout=1.0)
                    break
                except TimeoutError:
                    pass
                if stop.is_set():
                    return
        except OSError:
            pass
        finally:
            writer.close()
        cut_off.append(time.perf_counter() - opened)


def probe(port: int, seconds: float) -> None:
    """The child: a health check on a new connection every 100 ms, as a supervisor or a
    load balancer does; prints each answer's time in seconds, one a line. In a process of
    its own, so the load generator's event loop does not delay it."""
    request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop:
        sent = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(request)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        if b'"liquidsoap"' not in answer:
            raise SystemExit(f"/healthz: {answer[:80]!r}")
        print(f"{time.perf_counter() - sent:.6f}", flush=True)
        time.sleep(HEALTHZ_EVERY_S)


async def _under_attack(port: int, seconds: float) -> tuple[float, float]:
    stop = asyncio.Event()
    cut_off: list[float] = []
    slow = [asyncio.create_task(_slow_client(port, stop, cut_off)) for _ in range(SLOW)]
    await asyncio.sleep(2.0)  # the slow clients are in place
    paths = ("/schedule", "/bench/constant")
    prober = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--probe", str(port), str(ROUNDS * len(paths) * seconds),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    results: dict[str, list[tuple[float, list[float]]]] = {path: [] for path in paths}
    for _ in range(ROUNDS):
        for path in paths:
            results[path].append(await _load(port, path, seconds, LOAD_CLIENTS))
    out, _ = await prober.communicate()
    health = [float(line) for line in out.split()]
    stop.set()
    await asyncio.gather(*slow)
    print(
        f"under attack: {SLOW} slow header senders (cut off {len(cut_off)} times, after "
        f"{statistics.median(cut_off) if cut_off else 0:.1f} s), {LOAD_CLIENTS} clients, "
        f"{ROUNDS} rounds of {seconds:.0f} s"
    )
    best = {}
    for path, rounds in results.items():
        best[path] = max(r for r, _ in rounds)
        lat = [x for _, found in rounds for x in found]
        print(
            f"  {path:<16} {best[path]:8.0f} req/s   p50 {percentile(lat, 0.5) * 1000:6.1f} ms"
            f"   p99 {percentile(lat, 0.99) * 1000:6.1f} ms"
        )
    p99 = percentile(health, 0.99) * 1000
    print(
        f"  /healthz         {len(health):8d} probes  p50 {percentile(health, 0.5) * 1000:6.1f} ms"
        f"   p99 {p99:6.1f} ms"
    )
    return p99, best["/schedule"] / best["/bench/constant"]


if __name__ == "__main__":
    sys.exit(main())
