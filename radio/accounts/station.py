"""Station settings an admin changes from the web site, kept in the ``station_state`` table.

They override ``radio.toml`` and the environment for the few things an admin looks after:
the station's name, its time zone and the stream details presenters and listeners see.
:func:`apply` lays them over a :class:`~radio.config.Settings`; the web site shows the name
at once, the rest is read when the station starts (``radio run``).
"""

from __future__ import annotations

import dataclasses
import zoneinfo
from dataclasses import dataclass

from sqlalchemy import select

from radio.config import Settings
from radio.db import Database
from radio.errors import ConfigError
from radio.models import StationState

PREFIX = "setting."


@dataclass(frozen=True)
class StationOverrides:
    """What an admin has set; empty means "as in radio.toml"."""

    station_name: str = ""
    timezone: str = ""
    public_stream_url: str = ""
    #: The host name presenters' streaming software connects to (default: harbor_host).
    live_server: str = ""

    def problems(self) -> dict[str, str]:
        """Every problem, one sentence per setting (empty when all is well)."""
        found: dict[str, str] = {}
        if self.timezone:
            try:
                zoneinfo.ZoneInfo(self.timezone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                found["timezone"] = (
                    f"{self.timezone!r} is not a time zone; write one such as Europe/London."
                )
        value = self.public_stream_url
        if value and not value.startswith(("http://", "https://")):
            found["public_stream_url"] = f"{value!r} must start with http:// or https://."
        if len(self.station_name) > 120:
            found["station_name"] = "The station's name can have at most 120 characters."
        return found

    def check(self) -> None:
        problems = self.problems()
        if problems:
            raise ConfigError(" ".join(problems.values()))


FIELDS = tuple(f.name for f in dataclasses.fields(StationOverrides))


class StationSettingsStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def load(self) -> StationOverrides:
        with self.db.session() as session:
            rows = session.scalars(select(StationState).where(StationState.key.startswith(PREFIX)))
            values = {row.key[len(PREFIX) :]: row.value for row in rows}
        return StationOverrides(**{k: v for k, v in values.items() if k in FIELDS})

    def save(self, overrides: StationOverrides) -> None:
        overrides.check()
        with self.db.write() as session:
            for name in FIELDS:
                value = getattr(overrides, name).strip()
                row = session.get(StationState, PREFIX + name)
                if value and row is None:
                    session.add(StationState(key=PREFIX + name, value=value))
                elif value and row is not None:
                    row.value = value
                elif row is not None:
                    session.delete(row)


def apply(settings: Settings, overrides: StationOverrides) -> Settings:
    """``settings`` with the admin's name, time zone and stream address laid over it."""
    changes = {
        name: getattr(overrides, name)
        for name in ("station_name", "timezone", "public_stream_url")
        if getattr(overrides, name)
    }
    return dataclasses.replace(settings, **changes) if changes else settings


def live_server(settings: Settings, overrides: StationOverrides) -> str:
    return overrides.live_server or settings.harbor_host
