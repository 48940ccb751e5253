"""The station's one notion of "now": a clock is a function returning an aware UTC instant.

Services take a clock instead of reading the time themselves, so tests hand them a fixed
one (:func:`radio.bootstrap.build_services` takes it once for every service).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time, aware UTC."""
    return datetime.now(UTC)


def utc_iso(at: datetime, timespec: str = "seconds") -> str:
    """An instant as ISO 8601 in UTC with a ``Z``: ``2026-11-24T19:00:00Z``.

    ``timespec`` as for :meth:`datetime.isoformat` ("seconds", "milliseconds", ...).
    """
    return at.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")
