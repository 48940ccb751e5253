"""Slow clients must not take the site down.

The probe starts the real site (``python -m web``, the waitress server ``radio run`` starts)
and opens 150 connections that each send a request's headers one byte a second, the way a
"slowloris" attack holds a server's connections. While they trickle, ``/healthz`` must still
answer within a few seconds (a generous bound for a busy machine; ``bench/web.py`` measures
the real figure), and the server must cut the slow senders off once their headers are
overdue, freeing their connections.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import free_port, port_open, wait_for
from web.server import HEADER_TIMEOUT_S

SLOW = 150
HEALTHZ_WITHIN_S = 3.0
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[int]:
    """The real site on a free port, in a fresh data folder; yields the port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADIO_")}
    env.update(
        PYTHONPATH=str(ROOT),
        RADIO_DATA_DIR=str(tmp_path / "var"),
        RADIO_HTTP_PORT=str(port),
        RADIO_ICECAST_PORT=str(free_port()),
        RADIO_HARBOR_PORT=str(free_port()),
    )
    log = (tmp_path / "web.log").open("wb")
    child = subprocess.Popen(
        [sys.executable, "-m", "web"], env=env, cwd=tmp_path, stdout=log, stderr=log
    )
    try:
        wait_for(lambda: port_open(port) or child.poll() is not None, 60, "the site")
        assert child.poll() is None, (tmp_path / "web.log").read_text()
        yield port
    finally:
        child.terminate()
        child.wait(timeout=15)
        log.close()


class SlowSenders:
    """``n`` connections sending ``GET / HTTP/1.1`` headers one byte a second."""

    REQUEST = b"GET /schedule HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 200

    def __init__(self, port: int, n: int) -> None:
        self.socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(n)]
        self.cut_off: set[int] = set()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)
        self.thread.start()

    def _trickle(self) -> None:
        for byte in self.REQUEST:
            for n, sock in enumerate(self.socks):
                if n not in self.cut_off and not self._send(sock, bytes([byte])):
                    self.cut_off.add(n)
            if self.stop.wait(1.0):
                return

    @staticmethod
    def _send(sock: socket.socket, data: bytes) -> bool:
        try:
            sock.sendall(data)
            sock.setblocking(False)
            try:  # the server closing the connection shows as end-of-file or a reset
                if sock.recv(1) == b"":
                    return False
            except BlockingIOError:
                pass
            finally:
                sock.setblocking(True)
        except OSError:
            return False
        return True

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        for sock in self.socks:
            sock.close()


def healthz_seconds(port: int) -> float:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/healthz")
        reply = conn.getresponse()
        body = reply.read()
    finally:
        conn.close()
    assert reply.status in (200, 503) and b'"liquidsoap"' in body, (reply.status, body)
    return time.monotonic() - started


def test_the_site_answers_healthz_while_150_clients_send_headers_slowly(site: int) -> None:
    slow = SlowSenders(site, SLOW)
    try:
        time.sleep(2.0)  # every slow connection is open and trickling
        took = healthz_seconds(site)
        assert took <= HEALTHZ_WITHIN_S, f"/healthz took {took:.1f} s behind {SLOW} slow clients"
        # The slow senders are cut off once their headers are overdue.
        wait_for(
            lambda: len(slow.cut_off) == SLOW,
            HEADER_TIMEOUT_S + 15,
            f"the server to cut off the slow senders ({len(slow.cut_off)} of {SLOW} so far)",
        )
        assert healthz_seconds(site) <= HEALTHZ_WITHIN_S
    finally:
        slow.close()


def test_a_burst_of_connections_is_accepted_in_one_turn_of_the_event_loop() -> None:
    """When the slow senders are cut off together they all reconnect at once; accepting one
    connection per turn of the event loop left a health check behind 150 of them (p99 of
    1 s in ``bench/web.py``). The server takes every waiting connection in one turn."""
    from flask import Flask

    from web.server import make_server

    port = free_port()
    server = make_server(Flask(__name__), "127.0.0.1", port, threads=1)
    clients = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(20)]
    try:
        before = len(server._map)
        server.handle_accept()  # as the event loop does when the listening socket is ready
        assert len(server._map) - before == 20
    finally:
        for sock in clients:
            sock.close()
        for channel in list(server._map.values()):
            channel.close()  # the channels, and the server's own listening socket
        server.task_dispatcher.shutdown()
