"""``/api/v1/now/events``: the events server holds many streams on one thread, and the site's
own route answers once without holding a thread; the static ``now.json`` follows changes.

The events server (:mod:`web.events`) runs on a free port as in the site's process; clients
are plain sockets reading the stream as a browser's EventSource would.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from radio.onair import NowSnapshot, _snapshot, describe
from tests.support import free_port, wait_for
from tests.web.listeners import ListenerStation, make_listener_station
from web.events import NowEvents
from web.public_files import NOW_FILE, Publisher

STREAMS = 60


def snapshot(station: str) -> NowSnapshot:
    return _snapshot(describe(station, None))


@pytest.fixture
def events() -> Iterator[tuple[NowEvents, list[NowSnapshot]]]:
    current = [snapshot("Before")]
    server = NowEvents("127.0.0.1", free_port(), lambda: current[0])
    assert server.start()
    yield server, current
    server.stop()


def open_stream(port: int, last_id: str = "") -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    extra = f"Last-Event-ID: {last_id}\r\n" if last_id else ""
    conn.sendall(f"GET /api/v1/now/events HTTP/1.1\r\nHost: x\r\n{extra}\r\n".encode())
    return conn


def read_until(conn: socket.socket, marker: bytes, got: bytes = b"") -> bytes:
    while marker not in got:
        chunk = conn.recv(65536)
        assert chunk, got
        got += chunk
    return got


def test_a_change_reaches_every_open_stream(events: tuple[NowEvents, list[NowSnapshot]]) -> None:
    server, current = events
    streams = [open_stream(server.port) for _ in range(STREAMS)]
    try:
        firsts = [read_until(s, b'"Before"') for s in streams]
        assert b"text/event-stream" in firsts[0] and b"retry: 3000\n" in firsts[0]
        wait_for(lambda: server.open_streams == STREAMS, 10, "every stream to be open")
        current[0] = changed = snapshot("After")
        started = time.monotonic()
        server.publish(changed)
        for s in streams:
            got = read_until(s, b'"After"')
            while not got.endswith(b"}\n\n\r\n"):
                got += s.recv(65536)
            line = got.split(b"data: ")[-1].split(b"\n")[0]
            assert json.loads(line)["station"] == "After"
            assert b"id: " + changed.etag.strip('"').encode() in got
        assert time.monotonic() - started < 5
    finally:
        for s in streams:
            s.close()
    wait_for(lambda: server.open_streams == 0, 10, "closed streams to be forgotten")


def test_a_client_that_has_the_document_gets_only_the_next(
    events: tuple[NowEvents, list[NowSnapshot]],
) -> None:
    server, current = events
    with open_stream(server.port, current[0].etag.strip('"')) as conn:
        head = read_until(conn, b"retry: 3000\n")
        wait_for(lambda: server.open_streams == 1, 10, "the stream to be open")
        server.publish(snapshot("Next"))
        got = read_until(conn, b'"Next"', head)
        assert b'"Before"' not in got


@pytest.mark.parametrize(
    ("request_line", "status"),
    [(b"GET /api/v1/now HTTP/1.1", b"404"), (b"POST /api/v1/now/events HTTP/1.1", b"400"),
     (b"nonsense", b"400")],
)  # fmt: skip
def test_anything_else_is_refused_in_a_sentence(
    events: tuple[NowEvents, list[NowSnapshot]], request_line: bytes, status: bytes
) -> None:
    server, _ = events
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(request_line + b"\r\nHost: x\r\n\r\n")
        got = read_until(conn, b"\r\n\r\n")
        assert got.startswith(b"HTTP/1.1 " + status), got


def test_a_taken_port_leaves_the_site_polling(events: tuple[NowEvents, list[NowSnapshot]]) -> None:
    server, current = events
    second = NowEvents("127.0.0.1", server.port, lambda: current[0])
    assert second.start() is False


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ListenerStation]:
    made = make_listener_station(Path(tmp_path_factory.mktemp("events")))
    yield made
    made.services.db.dispose()


def test_the_site_answers_one_event_and_ends(station: ListenerStation) -> None:
    """Without Caddy the site's route sends the document and ends: the browser comes back
    after ``retry`` (polling), and no waitress thread is held by an open page."""
    response = station.client().get("/api/v1/now/events")
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    body = response.get_data(as_text=True)
    assert body.startswith("retry: 3000\nid: ")
    data = json.loads(body.split("data: ", 1)[1])
    assert data == station.client().get("/api/v1/now").get_json()
    again = station.client().get(
        "/api/v1/now/events", headers={"Last-Event-ID": body.split("id: ")[1].split("\n")[0]}
    )
    assert again.get_data(as_text=True) == "retry: 3000\n"


def test_now_json_is_written_when_what_is_on_air_changes(station: ListenerStation) -> None:
    publisher = Publisher(station.app, station.services)
    path = station.services.settings.public_dir_in_use / NOW_FILE
    first = snapshot("One")
    publisher.now(first)
    assert path.read_bytes() == first.body
    written = path.stat().st_mtime_ns
    time.sleep(0.01)
    publisher.now(first)
    assert path.stat().st_mtime_ns == written, "an unchanged document is not written again"
    publisher.now(snapshot("Two"))
    assert json.loads(path.read_bytes())["station"] == "Two"
    publisher.schedule()
    week = json.loads((path.parent / "schedule.json").read_text())
    assert week["items"], "the demo grid's coming week"
    assert week["items"][0]["show"]["url"].startswith(station.services.settings.site_url)


def test_the_site_process_keeps_the_schedule_file_written(station: ListenerStation) -> None:
    from web.__main__ import keep_fresh

    stop = threading.Event()
    threads = keep_fresh(station.services, stop, Publisher(station.app, station.services))
    try:
        path = station.services.settings.public_dir_in_use / "api/v1/schedule.json"
        wait_for(path.exists, 20, "the schedule's static file")
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
