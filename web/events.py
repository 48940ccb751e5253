"""Server-Sent Events for ``/api/v1/now/events``: one asyncio thread holds every stream.

The site's waitress has :data:`web.server.THREADS` (8) threads and a stream held open by a
Flask view holds one of them for as long as the page is open: eight listeners would take the
site down. So the streams are served here instead, by a small HTTP server on its own port
(``events_port``) running an asyncio loop in one thread of the site's process; Caddy passes
``/api/v1/now/events`` to it (``radio proxy config``). Thousands of open streams cost a
socket and a few kilobytes each, not a thread. The site's own ``/api/v1/now/events`` (reached
without Caddy) answers the current document and ends, with ``retry:`` telling the browser to
come back in a few seconds: it degrades to polling and never holds a thread.

The site's on-air refresher calls :meth:`NowEvents.publish` from its own thread when the
document changes; every open stream gets the event at once. A client that stops reading
(more than :data:`MAX_BUFFERED` bytes waiting) is dropped; a comment every
:data:`KEEPALIVE_S` keeps proxies from closing quiet streams, and lets Caddy notice a client
that left (it holds the stream to this server until a write to that client fails).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable

from radio.onair import NowSnapshot

log = logging.getLogger(__name__)

PATH = "/api/v1/now/events"
#: How long the browser waits before reconnecting (milliseconds).
RETRY_MS = 3000
KEEPALIVE_S = 5.0
HEADER_TIMEOUT_S = 5.0
MAX_HEADER_BYTES = 8192
MAX_BUFFERED = 256 * 1024
MAX_STREAMS = 10_000

_HEADERS = (
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/event-stream; charset=utf-8\r\n"
    "Cache-Control: no-cache\r\n"
    "Access-Control-Allow-Origin: *\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Transfer-Encoding: chunked\r\n"
    "\r\n"
).encode("ascii")


def event(snapshot: NowSnapshot) -> bytes:
    """The SSE event for a snapshot: its ETag as the id, the ``/api/v1/now`` body as data."""
    return (
        b"id: "
        + snapshot.etag.strip('"').encode("ascii")
        + b"\nevent: now\ndata: "
        + (snapshot.body.replace(b"\n", b"") + b"\n\n")
    )


def retry_line() -> bytes:
    return f"retry: {RETRY_MS}\n".encode("ascii")


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode("ascii") + data + b"\r\n"


def _refusal(status: str, sentence: str) -> bytes:
    body = sentence.encode("utf-8")
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode("ascii") + body


class NowEvents:
    """The SSE server; ``current`` gives the latest snapshot for a new stream."""

    def __init__(self, host: str, port: int, current: Callable[[], NowSnapshot]) -> None:
        self.host = host
        self.port = port
        self.current = current
        self._streams: set[asyncio.StreamWriter] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def open_streams(self) -> int:
        return len(self._streams)

    def start(self) -> bool:
        """Listen in a thread of its own; False (and a log line) when the port is taken."""
        started = threading.Event()
        failed: list[OSError] = []
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._main(started, failed)), name="now-events", daemon=True
        )
        self._thread.start()
        started.wait()
        if failed:
            log.warning(
                "the now events (%s) cannot listen on %s:%d (%s); pages poll /api/v1/now",
                PATH, self.host, self.port, failed[0].strerror,
            )  # fmt: skip
            return False
        return True

    async def _main(self, started: threading.Event, failed: list[OSError]) -> None:
        try:
            server = await asyncio.start_server(self._serve, self.host, self.port, backlog=1024)
        except OSError as exc:
            failed.append(exc)
            started.set()
            return
        self._stopping = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        started.set()
        keepalive = self._loop.call_later(KEEPALIVE_S, self._keepalive)
        await self._stopping.wait()
        keepalive.cancel()
        server.close()
        for writer in list(self._streams):
            writer.transport.abort()

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or self._stopping is None:
            return
        self._loop = None
        loop.call_soon_threadsafe(self._stopping.set)
        thread.join(timeout=5)

    def publish(self, snapshot: NowSnapshot) -> None:
        """Send ``snapshot`` to every open stream (from any thread)."""
        loop = self._loop
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(self._send_all, _chunk(event(snapshot)))

    def _send_all(self, data: bytes) -> None:
        for writer in list(self._streams):
            transport = writer.transport
            if transport.is_closing() or transport.get_write_buffer_size() > MAX_BUFFERED:
                self._drop(writer)
                continue
            transport.write(data)

    def _keepalive(self) -> None:
        self._send_all(_chunk(b": keep-alive\n\n"))
        asyncio.get_running_loop().call_later(KEEPALIVE_S, self._keepalive)

    def _drop(self, writer: asyncio.StreamWriter) -> None:
        self._streams.discard(writer)
        writer.transport.abort()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEADER_TIMEOUT_S)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError):
            writer.transport.abort()
            return
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3 or parts[0] not in ("GET", "HEAD") or len(head) > MAX_HEADER_BYTES:
            writer.write(_refusal("400 Bad Request", "Ask with GET " + PATH + "."))
            writer.close()
            return
        if parts[1].split("?", 1)[0] != PATH:
            writer.write(_refusal("404 Not Found", "Only " + PATH + " is served here."))
            writer.close()
            return
        if len(self._streams) >= MAX_STREAMS:
            writer.write(_refusal("503 Service Unavailable", "Too many open streams; poll."))
            writer.close()
            return
        last_id = ""
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "last-event-id":
                last_id = value.strip()
        snapshot = self.current()
        first = retry_line()
        if last_id != snapshot.etag.strip('"'):
            first += event(snapshot)
        writer.write(_HEADERS + _chunk(first))
        if parts[0] == "HEAD":
            writer.close()
            return
        self._streams.add(writer)
        try:
            while await reader.read(4096):  # the client says nothing more; EOF: it left
                pass
        except OSError:
            pass
        finally:
            self._streams.discard(writer)
            writer.transport.abort()
