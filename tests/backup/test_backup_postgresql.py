"""A station on PostgreSQL backs up and restores like one on SQLite.

``radio backup`` copies a PostgreSQL database row by row into the backup's SQLite file (in
one repeatable-read transaction), so every snapshot has the same layout; ``radio restore``
gives a station on SQLite with the same rows, and says how to move it back to PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import text

from radio.db import Database
from tests.backup.test_backup_restore import with_repository
from tests.pg import PostgresServer
from tests.support import require
from tests.test_station import radio
from tests.web.people import make_station

TABLES = ("accounts", "account_shows", "grid_shows", "grid_slots", "grid_changes")


def pg_rows(url: str, table: str) -> list[tuple[Any, ...]]:
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            found = conn.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')).all()
            return [tuple(row) for row in found]
    finally:
        db.dispose()


def sqlite_rows(path: Path, table: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return list(conn.execute(f'SELECT * FROM "{table}" ORDER BY 1'))


def test_a_postgresql_station_restores_onto_sqlite_with_the_same_rows(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    require("restic")
    url = postgres.new_database()
    station = make_station(tmp_path / "station", database_url=url)
    station.services.db.dispose()
    settings = station.services.settings
    env = with_repository(
        {"RADIO_DATA_DIR": str(settings.data_dir), "RADIO_DATABASE_URL": url,
         "RADIO_PLAYLISTS_DIR": str(settings.playlists_dir), "PATH": "/usr/bin:/bin"},
        tmp_path,
    )  # fmt: skip
    backup = radio(["backup", "--init"], env)
    assert backup.returncode == 0, backup.stderr
    assert "Backed up Demo Community Radio to" in backup.stdout

    new = tmp_path / "restored"
    restored = radio(["restore", "--to", str(new)], env)
    assert restored.returncode == 0, restored.stderr
    assert (
        "The station's database was PostgreSQL: it is restored as SQLite in the data folder; "
        "move it back with radio db copy --to URL." in restored.stdout
    )
    # The restored settings do not point the restored station at the database backed up.
    assert "RADIO_DATABASE_URL" not in (new / "restored" / "environment").read_text()
    for table in TABLES:
        expected = pg_rows(url, table)
        got = sqlite_rows(new / "radio.sqlite3", table)
        assert [row[0] for row in got] == [row[0] for row in expected], f"{table} differs"
    assert len(sqlite_rows(new / "radio.sqlite3", "accounts")) == 4
    assert len(sqlite_rows(new / "radio.sqlite3", "grid_shows")) == 3
