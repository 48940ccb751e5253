"""Throttles: failed logins slow down whoever fails, and requests for reset links are counted.

Kept in memory (the site is one process); the instant is passed in, so they are pure objects.

:class:`LoginThrottle` counts failures by account **and** client together: someone who knows a
presenter's e-mail address and tries passwords from their own machine slows only
themselves (a few free tries, then waits that double after each failure), while the
presenter, logging in from home, is never kept out by them. A client trying many accounts
is stopped by a limit of its own. A successful login clears that client's count for the
address; a password set through an invitation or reset link clears every count for it.

:class:`RequestThrottle` allows so many requests per address and per client in a window (the
"Forgot your password?" page: it sends e-mail, and nobody is locked out by it).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class _Failures:
    count: int
    last: datetime


@dataclass
class LoginThrottle:
    """After ``free`` failures for one address from one client, each next try from that
    client waits ``first_wait``, doubled after every failure up to ``longest_wait``; the
    count is forgotten ``forget_after`` the last failure. A client alone gets ``per_client``
    failures in ``window``, whatever addresses it tries."""

    free: int = 5
    first_wait: timedelta = timedelta(seconds=30)
    longest_wait: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)
    per_client: int = 20
    window: timedelta = timedelta(minutes=15)
    _pairs: dict[tuple[str, str], _Failures] = field(default_factory=dict, repr=False)
    _clients: dict[str, deque[datetime]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def retry_after(self, email: str, client: str, now: datetime) -> int:
        """Seconds ``client`` must wait before trying ``email`` again (0: go ahead)."""
        with self._lock:
            return max(self._pair_wait((email, client), now), self._client_wait(client, now))

    def failed(self, email: str, client: str, now: datetime) -> None:
        with self._lock:
            found = self._pairs.get((email, client))
            if found is None or now - found.last >= self.forget_after:
                self._pairs[(email, client)] = _Failures(1, now)
            else:
                found.count, found.last = found.count + 1, now
            self._clients.setdefault(client, deque()).append(now)

    def succeeded(self, email: str, client: str) -> None:
        """The right password from ``client``: its count for ``email`` starts again."""
        with self._lock:
            self._pairs.pop((email, client), None)

    def cleared(self, email: str) -> None:
        """A new password was set through a link: no client waits for ``email`` any more."""
        with self._lock:
            for key in [key for key in self._pairs if key[0] == email]:
                del self._pairs[key]

    def _pair_wait(self, key: tuple[str, str], now: datetime) -> int:
        found = self._pairs.get(key)
        if found is None:
            return 0
        if now - found.last >= self.forget_after:
            del self._pairs[key]
            return 0
        beyond = found.count - self.free
        if beyond < 0:
            return 0
        wait = min(self.first_wait * 2 ** min(beyond, 30), self.longest_wait)
        return _seconds_until(found.last + wait, now)

    def _client_wait(self, client: str, now: datetime) -> int:
        return _window_wait(self._clients, client, self.per_client, self.window, now)


@dataclass
class RequestThrottle:
    """At most ``per_email`` requests per address and ``per_client`` per client in ``window``."""

    per_email: int = 3
    per_client: int = 10
    window: timedelta = timedelta(hours=1)
    _requests: dict[str, deque[datetime]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def retry_after(self, email: str, client: str, now: datetime) -> int:
        """Seconds to wait before asking again (0: go ahead)."""
        with self._lock:
            return max(
                _window_wait(self._requests, f"e:{email}", self.per_email, self.window, now),
                _window_wait(self._requests, f"c:{client}", self.per_client, self.window, now),
            )

    def failed(self, email: str, client: str, now: datetime) -> None:
        """Count one request (named like :meth:`LoginThrottle.failed`: each one counts)."""
        with self._lock:
            for key in (f"e:{email}", f"c:{client}"):
                self._requests.setdefault(key, deque()).append(now)


def _window_wait(
    counts: dict[str, deque[datetime]], key: str, limit: int, window: timedelta, now: datetime
) -> int:
    times = counts.get(key)
    if not times:
        return 0
    while times and times[0] <= now - window:
        times.popleft()
    if not times:
        del counts[key]
        return 0
    if len(times) < limit:
        return 0
    return _seconds_until(times[len(times) - limit] + window, now)


def _seconds_until(free_at: datetime, now: datetime) -> int:
    if free_at <= now:
        return 0
    return max(1, math.ceil((free_at - now).total_seconds()))
