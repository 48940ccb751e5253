"""What is on air now, prepared once per change for the web site and the API.

The answer comes from Liquidsoap (the ``station.on_air`` command reports the metadata of the
track on the output), never from a guess. The JSON body and its ETag are built when the on-air
item changes, so a request only copies bytes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from radio.errors import LiquidsoapError
from radio.playout.liquidsoap import LiquidsoapClient, OnAir

log = logging.getLogger(__name__)

SOURCES = ("rotation", "scheduled", "live", "emergency")


@dataclass(frozen=True)
class NowSnapshot:
    data: dict[str, Any]
    body: bytes
    etag: str


def describe(station: str, on_air: OnAir | None) -> dict[str, Any]:
    """The ``/api/v1/now`` document for what Liquidsoap reports."""
    item: dict[str, Any] | None = None
    if on_air is not None:
        meta = on_air.metadata
        started = (
            datetime.fromtimestamp(on_air.started_at, UTC).isoformat().replace("+00:00", "Z")
            if on_air.started_at
            else None
        )
        item = {
            "title": on_air.title or None,
            "artist": on_air.artist or None,
            "show": meta.get("radio_show_title") or None,
            "started_at": started,
            "source": on_air.source if on_air.source in SOURCES else "rotation",
        }
    return {"station": station, "on_air": item}


def _snapshot(data: dict[str, Any]) -> NowSnapshot:
    body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return NowSnapshot(data, body, '"' + hashlib.sha1(body).hexdigest()[:16] + '"')


class OnAirTracker:
    """Keeps the current :class:`NowSnapshot`; ``refresh`` asks Liquidsoap again."""

    def __init__(self, client: LiquidsoapClient, station: str, max_age_s: float = 1.0) -> None:
        self.client = client
        self.station = station
        self.max_age_s = max_age_s
        self._snapshot = _snapshot(describe(station, None))
        self._checked = 0.0
        self._lock = threading.Lock()
        self.reachable = False

    def refresh(self) -> NowSnapshot:
        try:
            on_air = self.client.on_air()
            self.reachable = True
        except LiquidsoapError as exc:
            if self.reachable:
                log.warning("cannot read what is on air: %s", exc)
            self.reachable = False
            on_air = None
        data = describe(self.station, on_air)
        with self._lock:
            self._checked = time.monotonic()
            if data != self._snapshot.data:
                self._snapshot = _snapshot(data)
            return self._snapshot

    def current(self) -> NowSnapshot:
        """The latest snapshot; refreshed first when older than ``max_age_s``."""
        if time.monotonic() - self._checked > self.max_age_s:
            return self.refresh()
        return self._snapshot
