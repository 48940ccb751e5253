"""What a backup keeps, laid out in a staging folder, and how a restore puts it back.

The staging folder holds ``radio-backup/``::

    manifest.json          what this is (station, time, schema revision, counts)
    data/radio.sqlite3     the database, copied with SQLite's online backup API; a station on
                           PostgreSQL is copied into it row by row (``radio db copy``'s copy,
                           in one repeatable-read transaction), so every backup restores alike
    data/secrets.toml      the install's secrets (Icecast passwords, the session key)
    data/media/…           every media file, hard-linked (copied across file systems)
    settings/radio.toml    the settings file in use, if any, and the RADIO_* variables
    playlists/*.m3u8       the station's playlists (``playlists_dir``)

Left out: ``tmp/`` (uploads in progress, imports cut short; their sessions are dropped from
the copied database, so the restored station does not wait for bytes it never gets),
``run/`` (sockets, locks), ``log/``, and files the station renders again at start
(``playlists/`` and ``icecast/`` inside the data folder, and the public folder: the HLS
stream and the static API files).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from radio.config import Settings, settings_file
from radio.credentials import FILENAME as SECRETS
from radio.db import Database, copy_sqlite, first_line, is_postgresql
from radio.errors import BackupError, DatabaseError

NAME = "radio-backup"
MANIFEST = "manifest.json"
#: Bumped when the layout changes in a way an older restore could not read.
FORMAT = 1
DATABASE = "radio.sqlite3"
#: In the restored data folder: the backed-up settings file and playlists, to use again.
RESTORED = "restored"


@dataclass(frozen=True)
class Manifest:
    station_name: str
    made_at: str
    schema: list[str]
    media_files: int
    media_bytes: int
    #: Uploads in progress at backup time, left out (their bytes are in tmp/).
    uploads_left_out: int
    settings_file: str | None
    environment: dict[str, str] = field(default_factory=dict)
    format: int = FORMAT
    #: The station's database when backed up: "sqlite" or "postgresql" (restored as SQLite).
    database: str = "sqlite"


def database_path(settings: Settings) -> Path:
    return Path(make_url(settings.database_url_in_use).database or "")


def stage(settings: Settings, folder: Path, environ: Mapping[str, str]) -> Manifest:
    """Fill ``folder/radio-backup`` with a consistent copy of the station."""
    shutil.rmtree(folder, ignore_errors=True)  # what an interrupted backup left
    root = folder / NAME
    data = root / "data"
    data.mkdir(parents=True)
    os.chmod(folder, 0o700)
    copy = data / DATABASE
    on_postgresql = is_postgresql(settings.database_url_in_use)
    if on_postgresql:
        _copy_postgresql(settings.database_url_in_use, copy)
    else:
        copy_sqlite(database_path(settings), copy)
    schema, left_out = _tidy_copy(copy)
    secrets = settings.data_dir / SECRETS
    if secrets.exists():
        shutil.copy2(secrets, data / SECRETS)
    files, size = _link_tree(settings.media_dir, data / "media")
    config = settings_file(environ)
    if config is not None and config.is_file():
        (root / "settings").mkdir()
        shutil.copy2(config, root / "settings" / "radio.toml")
    (root / "playlists").mkdir()
    for playlist in sorted(settings.playlists_dir.glob("*.m3u8")):
        shutil.copy2(playlist, root / "playlists" / playlist.name)
    manifest = Manifest(
        station_name=settings.station_name,
        made_at=datetime.now(UTC).isoformat(timespec="seconds"),
        schema=schema,
        media_files=files,
        media_bytes=size,
        uploads_left_out=left_out,
        settings_file=str(config.resolve()) if config is not None else None,
        environment={k: v for k, v in environ.items() if k.startswith("RADIO_")},
        database="postgresql" if on_postgresql else "sqlite",
    )
    (root / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
    return manifest


def _copy_postgresql(url: str, copy: Path) -> None:
    """Copy the station's PostgreSQL database into a new SQLite file ``copy``."""
    from radio.dbcopy import copy_database

    source, target = Database(url), Database(f"sqlite:///{copy}")
    try:
        try:
            with source.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except Exception as exc:
            raise BackupError(
                f"The station's database {source.where} is not answering "
                f"({first_line(exc)}); no backup was made."
            ) from exc
        copy_database(source, target)
    except DatabaseError as exc:
        raise BackupError(f"The station's database could not be copied: {exc}") from exc
    finally:
        source.dispose()
        target.dispose()


def _tidy_copy(copy: Path) -> tuple[list[str], int]:
    """Check the copied database; drop its unfinished uploads. (schema revision, dropped)."""
    with closing(sqlite3.connect(copy)) as conn:
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"The copy of the station's database is damaged ({verdict}).")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        schema = []
        if "alembic_version" in tables:
            schema = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
        dropped = 0
        if "media_uploads" in tables:
            dropped = conn.execute(
                "DELETE FROM media_uploads WHERE status IN ('receiving', 'analysing')"
            ).rowcount
            conn.commit()
    return sorted(schema), dropped


def _link_tree(source: Path, target: Path) -> tuple[int, int]:
    """Hard-link every file under ``source`` into ``target``; (files, bytes).

    Files being written (hidden ``.*.tmp``) are left out. A link costs no space and holds
    the file as it is now; across file systems the file is copied.
    """
    files = size = 0
    for folder, dirs, names in os.walk(source):
        dirs.sort()
        here = target / Path(folder).relative_to(source)
        here.mkdir(parents=True, exist_ok=True)
        for name in sorted(names):
            if name.startswith(".") and name.endswith(".tmp"):
                continue
            src = Path(folder) / name
            try:
                os.link(src, here / name)
            except FileNotFoundError:
                continue  # removed meanwhile
            except OSError:
                shutil.copy2(src, here / name)
            files += 1
            size += (here / name).stat().st_size
    return files, size


def unpack(restored: Path, target: Path) -> Manifest:
    """Move what restic restored under ``restored`` into the data folder ``target``."""
    root = _find(restored)
    try:
        raw = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        manifest = Manifest(**raw)
    except (OSError, ValueError, TypeError) as exc:
        raise BackupError(f"The snapshot's {MANIFEST} is unreadable ({exc}).") from None
    if manifest.format > FORMAT:
        raise BackupError(
            "This snapshot was made by a newer version of the station; restore it with that "
            "version."
        )
    for entry in (root / "data").iterdir():
        entry.rename(target / entry.name)
    keep = target / RESTORED
    keep.mkdir()
    if (root / "settings").is_dir():
        (root / "settings" / "radio.toml").rename(keep / "radio.toml")
    (root / "playlists").rename(keep / "playlists")
    # The restored database is the SQLite file in the data folder, never the one backed up.
    dropped = {"RADIO_DATA_DIR", "RADIO_DATABASE_URL"}
    lines = [f"{k}={v}" for k, v in sorted(manifest.environment.items()) if k not in dropped]
    (keep / "environment").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    if (target / SECRETS).exists():
        os.chmod(target / SECRETS, 0o600)
    return manifest


def _find(restored: Path) -> Path:
    root = restored / NAME  # restic stores the staged folder as /radio-backup
    if (root / MANIFEST).is_file() and (root / "data" / DATABASE).is_file():
        return root
    raise BackupError("That snapshot holds no station backup (no radio-backup/manifest.json).")
