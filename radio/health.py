"""Station health: Liquidsoap answering, Icecast carrying both mounts, the scheduler alive."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from radio.errors import LiquidsoapError
from radio.playout.liquidsoap import LiquidsoapClient

MOUNTS = ("/stream.mp3", "/stream.ogg")


@dataclass
class HealthReport:
    liquidsoap: bool
    icecast: bool
    scheduler: bool
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.liquidsoap and self.icecast and self.scheduler

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "degraded",
            "liquidsoap": "up" if self.liquidsoap else "down",
            "icecast": "up" if self.icecast else "down",
            "scheduler": "up" if self.scheduler else "down",
            **self.details,
        }


def icecast_mounts(host: str, port: int, timeout: float = 2.0) -> dict[str, dict[str, Any]]:
    """Mounts Icecast is serving (from ``/status-json.xsl``), keyed by mount path."""
    url = f"http://{host}:{port}/status-json.xsl"
    with urllib.request.urlopen(url, timeout=timeout) as reply:
        data = json.loads(reply.read().decode("utf-8", errors="replace"))
    sources = data.get("icestats", {}).get("source", [])
    if isinstance(sources, dict):
        sources = [sources]
    mounts: dict[str, dict[str, Any]] = {}
    for src in sources:
        url_ = str(src.get("listenurl", ""))
        mount = "/" + url_.rsplit("/", 1)[-1] if url_ else ""
        mounts[mount] = src
    return mounts


class HealthMonitor:
    """Checks the parts; ``scheduler_alive`` is supplied by whoever runs the scheduler."""

    def __init__(
        self,
        client: LiquidsoapClient,
        icecast_host: str,
        icecast_port: int,
        scheduler_alive: Callable[[], bool] = lambda: False,
    ) -> None:
        self.client = client
        self.icecast_host = icecast_host
        self.icecast_port = icecast_port
        self.scheduler_alive = scheduler_alive
        self.incidents: Callable[[], list[dict[str, Any]]] = list
        self._cached: tuple[float, HealthReport] | None = None

    def check(self, max_age_s: float = 1.0) -> HealthReport:
        if self._cached and time.monotonic() - self._cached[0] < max_age_s:
            return self._cached[1]
        try:
            self.client.version()
            liquidsoap = True
        except LiquidsoapError:
            liquidsoap = False
        try:
            mounts = icecast_mounts(self.icecast_host, self.icecast_port)
            missing = [m for m in MOUNTS if m not in mounts]
            icecast = not missing
        except (OSError, ValueError, urllib.error.URLError):
            mounts, missing, icecast = {}, list(MOUNTS), False
        details: dict[str, Any] = {"mounts_missing": missing}
        open_incidents = self.incidents()
        if open_incidents:
            details["incidents"] = open_incidents
        report = HealthReport(liquidsoap, icecast, self.scheduler_alive(), details)
        self._cached = (time.monotonic(), report)
        return report
