"""The site's own HTTP server: waitress, with limits that hold against slow clients.

waitress reads requests on one event loop and hands complete ones to a pool of threads, so
a client that sends its headers slowly costs a connection, not a thread. Left at waitress's
defaults, though, 100 such connections (``connection_limit``) stop it accepting anyone, and
a client that sends a byte now and then is never idle long enough for ``channel_timeout``.
So this server:

* cuts off a connection whose request headers are not complete :data:`HEADER_TIMEOUT_S`
  after the connection opened (or after the first byte of a later request on it);
* accepts every connection waiting (up to :data:`ACCEPT_BATCH`) in one turn of its event
  loop: waitress takes one a turn, so when 150 cut-off slow senders reconnect together a
  health check waited behind a turn each for them (``/healthz`` p99 of 1 s in ``bench/web.py``);
* accepts up to :data:`CONNECTION_LIMIT` connections at once (``poll``, not ``select``,
  which cannot watch more than 1024 sockets), raising the open-file limit to match;
* closes a kept-alive connection that stays idle for :data:`IDLE_TIMEOUT_S`;
* takes the visitor's address from ``X-Forwarded-For`` when the request comes from a proxy
  on this machine (:data:`TRUSTED_PROXY`), so the login throttle still tells visitors
  apart behind Caddy;
* answers with :data:`THREADS` threads, taking health checks (``/healthz``) first: a queue of
  busy listeners' requests must not make the supervisor think the site is down. The site's
  work is Python under one interpreter lock, so more threads only wait longer for it (16
  gave a slower ``/healthz`` than 8 in ``bench/web.py``); a shorter switch interval lets the
  thread that accepts connections in sooner.
"""

from __future__ import annotations

import logging
import resource
import sys
import time
from typing import TYPE_CHECKING, Any

from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

log = logging.getLogger(__name__)

THREADS = 8
CONNECTION_LIMIT = 1000
HEADER_TIMEOUT_S = 5.0
IDLE_TIMEOUT_S = 30
#: How often the server looks for connections to cut off (seconds).
SWEEP_EVERY_S = 1
#: How long a busy thread keeps the interpreter before another may run (Python's default is
#: 5 ms): shorter, so the thread that accepts and reads connections is not kept waiting.
SWITCH_INTERVAL_S = 0.001
#: At most this many connections accepted in one turn of the event loop.
ACCEPT_BATCH = 64
#: Requests for these paths go to the front of the queue.
FIRST = frozenset({"/healthz"})
#: The address a reverse proxy on this machine connects from (Caddy, to 127.0.0.1).
TRUSTED_PROXY = "127.0.0.1"


class _Channel(HTTPChannel):  # type: ignore[misc]  # waitress has no type hints
    """A connection that knows since when it has been waiting for a request's headers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Since when the headers of the request being read are awaited (None: not waiting).
        self.headers_awaited_since: float | None = self.creation_time

    def received(self, data: bytes) -> bool:
        if self.request is None and self.headers_awaited_since is None and data:
            self.headers_awaited_since = time.time()
        result: bool = super().received(data)
        if self.request is None or self.request.headers_finished:
            self.headers_awaited_since = None
        return result

    def headers_overdue(self, cutoff: float) -> bool:
        since = self.headers_awaited_since
        return since is not None and since < cutoff and not self.requests


class _Dispatcher(ThreadedTaskDispatcher):  # type: ignore[misc]
    """waitress's thread pool, with the paths in :data:`FIRST` served before the queue."""

    def add_task(self, task: HTTPChannel) -> None:  # waitress queues the connection itself
        requests = getattr(task, "requests", None)
        if requests and getattr(requests[0], "path", None) in FIRST:
            with self.lock:
                self.queue.appendleft(task)
                self.queue_cv.notify()
            return
        super().add_task(task)


class SiteServer(TcpWSGIServer):  # type: ignore[misc]
    """waitress's TCP server with the header deadline of :class:`_Channel`."""

    channel_class = _Channel

    def handle_accept(self) -> None:
        """Accept every waiting connection, not just one each turn of the event loop."""
        for _ in range(ACCEPT_BATCH):
            before = len(self._map)
            super().handle_accept()
            if len(self._map) == before:
                return

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        cutoff = now - HEADER_TIMEOUT_S
        for channel in list(self.active_channels.values()):
            if isinstance(channel, _Channel) and channel.headers_overdue(cutoff):
                channel.will_close = True


def make_server(app: WSGIApplication, host: str, port: int, threads: int = THREADS) -> SiteServer:
    """The site's server, bound to ``host:port`` (call ``.run()``; SystemExit stops it)."""
    limit = _open_files_for(CONNECTION_LIMIT)
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    dispatcher = _Dispatcher()
    dispatcher.set_thread_count(threads)
    return SiteServer(
        app,
        dispatcher=dispatcher,
        host=host,
        port=port,
        threads=threads,
        connection_limit=limit,
        channel_timeout=IDLE_TIMEOUT_S,
        cleanup_interval=SWEEP_EVERY_S,
        asyncore_use_poll=True,
        ident="radio",
        # Behind a reverse proxy on this machine (``radio proxy config``), the visitor's
        # address is the last X-Forwarded-For entry, which the proxy sets; from anywhere
        # else the header is dropped, so nobody picks their own address.
        trusted_proxy=TRUSTED_PROXY,
        trusted_proxy_count=1,
        trusted_proxy_headers={"x-forwarded-for"},
        clear_untrusted_proxy_headers=True,
    )


def _open_files_for(connections: int) -> int:
    """Raise the soft open-file limit for ``connections`` sockets (and the site's own files);
    the connection limit the hard limit allows."""
    spare = 200
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + spare
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        soft = wanted
    if soft != resource.RLIM_INFINITY and soft - spare < connections:
        log.warning("the open-file limit (%d) allows only %d connections", soft, soft - spare)
        return max(100, soft - spare)
    return connections
