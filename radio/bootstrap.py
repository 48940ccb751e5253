"""The one place that turns settings into working parts: data folder, database, services."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from radio.config import Settings
from radio.db import Database
from radio.errors import ConfigError

if TYPE_CHECKING:
    from radio.grid.model import Occurrence

log = logging.getLogger(__name__)

#: The scheduler counts as down when its heartbeat is older than this (it ticks every 0.25 s).
HEARTBEAT_MAX_S = 5.0


def prepare_data_dir(settings: Settings) -> Path:
    """Create the data folder and its sub-folders; refuse one that cannot be written.

    The folder is the station's own (0700) and so are the database's files (0600): they hold
    accounts and stream key hashes. Folders made by an older version are made private here.
    """
    data = settings.data_dir
    try:
        for sub in ("", "media", "run", "log", "tmp", "playlists", "icecast"):
            (data / sub).mkdir(parents=True, exist_ok=True)
        probe = data / "run" / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"The data folder {data} cannot be written ({exc.strerror}); "
            "set RADIO_DATA_DIR to a folder you own."
        ) from None
    _make_private(data, 0o700)
    _make_private(data / "run", 0o700)
    database = settings.database_file
    for path in (database, database.with_name(database.name + "-wal"),
                 database.with_name(database.name + "-shm")):  # fmt: skip
        _make_private(path, 0o600)
    return data


def _make_private(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except FileNotFoundError:
        pass
    except OSError as exc:  # another user's folder: this process still works in it
        log.warning("cannot make %s private (%s)", path, exc.strerror)


def open_database(settings: Settings) -> Database:
    """The station database, migrated to the newest schema."""
    prepare_data_dir(settings)
    db = Database(settings.database_url)
    db.migrate()
    return db


class Services:
    """What the web site, the scheduler and the CLI share.

    Built once by :func:`build_services`; areas build their own service objects from it.
    """

    def __init__(self, settings: Settings, db: Database) -> None:
        from radio.grid.service import GridService
        from radio.health import HealthMonitor
        from radio.onair import OnAirTracker
        from radio.playout.asrun import episode_aired, open_incidents
        from radio.playout.liquidsoap import LiquidsoapClient
        from radio.playout.live import StreamKeys
        from radio.playout.scheduler import heartbeat_age

        self.settings = settings
        self.db = db
        self.grid = GridService(db, settings.tz)
        self.stream_keys = StreamKeys(db)
        self.liquidsoap = LiquidsoapClient(settings.control_socket, timeout=3.0)
        self.on_air = OnAirTracker(
            self.liquidsoap,
            settings.station_name,
            slot_at=self.grid.scheduled_at,
            next_after=self._next_after,
            aired=lambda occurrence_id: episode_aired(db, occurrence_id),
        )
        self.health = HealthMonitor(
            self.liquidsoap,
            settings.icecast_host,
            settings.icecast_port,
            # The scheduler is another process: alive while it keeps touching its heartbeat.
            scheduler_alive=lambda: heartbeat_age(settings.scheduler_heartbeat) < HEARTBEAT_MAX_S,
        )
        self.health.incidents = lambda: open_incidents(db)

    def _next_after(self, at: datetime) -> Occurrence | None:
        found = self.grid.next_occurrences(at, 1)
        return found[0] if found else None


def build_services(settings: Settings) -> Services:
    """Services for ``settings``, with what an admin changed on the site laid over them."""
    from radio.accounts.station import StationSettingsStore, apply

    db = open_database(settings)
    return Services(apply(settings, StationSettingsStore(db).load()), db)
