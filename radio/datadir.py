"""The station's data folder: made, checked writable, and kept private.

Light on purpose: ``radio run`` (the supervisor) prepares the folder before anything else.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from radio.config import Settings
from radio.errors import ConfigError

log = logging.getLogger(__name__)

#: The HLS stream and the static API files (``Settings.public_dir``).
PUBLIC_FOLDERS = ("public/hls", "public/api/v1")


def prepare_data_dir(settings: Settings) -> Path:
    """Create the data folder and its sub-folders; refuse one that cannot be written.

    The folder is the station's own (0700) and so are the database's files (0600): they hold
    accounts and stream key hashes. Folders made by an older version are made private here.
    """
    data = settings.data_dir
    try:
        for sub in ("", "media", "run", "log", "tmp", "playlists", "icecast", *PUBLIC_FOLDERS):
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
