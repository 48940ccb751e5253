"""Login throttling: too many failed logins for one address, or from one client, wait a while.

Kept in memory (the site is one process); the instant is passed in, so it is a pure object.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass
class LoginThrottle:
    """At most ``per_email`` failures per address and ``per_client`` per client in ``window``."""

    per_email: int = 5
    per_client: int = 20
    window: timedelta = timedelta(minutes=15)
    _failures: dict[str, deque[datetime]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def retry_after(self, email: str, client: str, now: datetime) -> int:
        """Seconds to wait before trying again (0: go ahead)."""
        with self._lock:
            waits = [
                self._wait(f"e:{email}", self.per_email, now),
                self._wait(f"c:{client}", self.per_client, now),
            ]
        return max(waits)

    def failed(self, email: str, client: str, now: datetime) -> None:
        with self._lock:
            for key in (f"e:{email}", f"c:{client}"):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, email: str) -> None:
        with self._lock:
            self._failures.pop(f"e:{email}", None)

    def _wait(self, key: str, limit: int, now: datetime) -> int:
        times = self._failures.get(key)
        if not times:
            return 0
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
            return 0
        if len(times) < limit:
            return 0
        free_at = times[len(times) - limit] + self.window
        return max(1, math.ceil((free_at - now).total_seconds()))
