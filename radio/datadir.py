"""The station's data folder: made, checked writable, and kept private; and its public folder.

Light on purpose: ``radio run`` (the supervisor) prepares the folders before anything else.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from radio.config import Settings
from radio.errors import ConfigError

log = logging.getLogger(__name__)

#: The HLS stream and the static API files, in ``Settings.public_dir_in_use``.
PUBLIC_FOLDERS = ("hls", "api", "api/v1")
#: The public folder and its folders: anyone may enter and list them (Caddy's user too).
PUBLIC_FOLDER_MODE = 0o755
#: The files written there: anyone may read them.
PUBLIC_FILE_MODE = 0o644


def prepare_data_dir(settings: Settings) -> Path:
    """Create the data folder and its sub-folders; refuse one that cannot be written.

    The folder is the station's own (0700) and so are the database's files (0600): they hold
    accounts and stream key hashes. Folders made by an older version are made private here.
    The public folder is prepared too (:func:`prepare_public_dir`).
    """
    data = settings.data_dir
    try:
        for sub in ("", "media", "run", "log", "tmp", "playlists", "icecast"):
            (data / sub).mkdir(parents=True, exist_ok=True)
        _probe(data / "run")
    except OSError as exc:
        raise ConfigError(
            f"The data folder {data} cannot be written ({exc.strerror}); "
            "set RADIO_DATA_DIR to a folder you own."
        ) from None
    _set_mode(data, 0o700)
    _set_mode(data / "run", 0o700)
    database = settings.database_file
    for path in (database, database.with_name(database.name + "-wal"),
                 database.with_name(database.name + "-shm")):  # fmt: skip
        _set_mode(path, 0o600)
    prepare_public_dir(settings)
    return data


def prepare_public_dir(settings: Settings) -> Path:
    """Create the public folder (``public_dir``) and its folders, open to all (0755) whatever
    the umask; refuse one that cannot be written. Only the HLS stream and the static API
    files are written there, each 0644."""
    public = settings.public_dir_in_use
    try:
        make_public_folder(*(public / sub for sub in PUBLIC_FOLDERS))
        for sub in ("", *PUBLIC_FOLDERS):
            _set_mode(public / sub, PUBLIC_FOLDER_MODE)
        _probe(public)
    except OSError as exc:
        raise ConfigError(
            f"The public folder {public} cannot be written ({exc.strerror}); set "
            "RADIO_PUBLIC_DIR to a folder the station's user owns."
        ) from None
    return public


def make_public_folder(*folders: Path) -> None:
    """Make ``folders`` and the folders above them that are missing, open to all (0755)
    whatever the umask."""
    for path in folders:
        for folder in (*reversed(path.parents), path):
            if not folder.is_dir():
                folder.mkdir(exist_ok=True)  # another process may have made it meanwhile
                os.chmod(folder, PUBLIC_FOLDER_MODE)


def _probe(folder: Path) -> None:
    """Write and remove a file in ``folder``. Its name is this call's own: processes starting
    together on one folder (several web processes) each probe without removing another's."""
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
        pass


def _set_mode(path: Path, mode: int) -> None:
    try:
        if path.stat().st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except FileNotFoundError:
        pass
    except OSError as exc:  # another user's folder: this process still works in it
        log.warning("cannot make %s %o (%s)", path, mode, exc.strerror)
