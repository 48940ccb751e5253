"""``radio db copy --to URL`` moves a station from SQLite to a real PostgreSQL, all or nothing.

The station is the upgrade test's: every table holds realistic rows. After the copy every
table reads back the same (typed: instants, JSON, booleans), the station runs on PostgreSQL
(people log in, new rows get new numbers), a second copy into the same database is refused
in one sentence, and a copy PostgreSQL refuses half-way leaves the target without a row.
Also: `radio backup` refuses a station on PostgreSQL in one sentence (pg_dump is the tool).
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

import radio.models  # noqa: F401  (every table on Base.metadata)
from radio.accounts.passwords import Passwords, cheap_hasher
from radio.backup.service import backup_station
from radio.bootstrap import build_services
from radio.cli import main
from radio.config import Settings
from radio.db import Base, make_engine
from tests.backup.test_upgrade import PASSWORD, first_release_station
from tests.pg import PostgresServer
from tests.support import free_port


def typed_rows(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, read through the station's column types."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: sorted((tuple(r) for r in conn.execute(sa.select(t))), key=repr)
                for t in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


def test_a_station_moves_to_postgresql_all_or_nothing(
    tmp_path: Path,
    postgres: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = first_release_station(tmp_path)
    for name in list(os.environ):
        if name.startswith("RADIO_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("RADIO_DATA_DIR", str(settings.data_dir))
    monkeypatch.chdir(tmp_path)

    def copy(settings: Settings, url: str) -> Done:
        code = main(["db", "copy", "--to", url])
        out, err = capsys.readouterr()
        return Done(code, out, err)

    build_services(settings).db.dispose()  # the newest schema, every table filled
    before = typed_rows(settings.database_url_in_use)
    assert all(before.values()), [name for name, rows in before.items() if not rows]

    url = postgres.new_database(migrated=False)
    done = copy(settings, url)
    assert done.returncode == 0, done.stderr
    rows = sum(len(found) for found in before.values())
    assert done.stdout.startswith(f"Copied {rows} rows in {len(before)} tables from "), done.stdout
    assert typed_rows(url) == before

    on_pg = Settings(data_dir=settings.data_dir, database_url=url)
    services = build_services(on_pg, passwords=Passwords(cheap_hasher()))
    try:
        assert services.accounts.authenticate("ama@example.org", PASSWORD) is not None
        added = services.accounts.add("new@example.org", "volunteer", PASSWORD, name="New")
        assert added.id > max(row[0] for row in before["accounts"])  # the numbering follows
    finally:
        services.db.dispose()

    again = copy(settings, url)
    assert again.returncode == 1
    first = Base.metadata.sorted_tables[0].name
    assert again.stderr.strip() == (
        f"radio: The database {url.replace('postgresql:', 'postgresql+psycopg:')} is not empty "
        f"(its table {first} has rows); copy into a new, empty database so that nothing in it "
        "is overwritten."
    )

    # A value SQLite let through but PostgreSQL refuses (a slug longer than 60 characters),
    # in a table copied after others: the whole copy is undone.
    with sqlite3.connect(settings.database_file) as conn:
        conn.execute("UPDATE grid_shows SET slug = ? WHERE slug = 'late-live'", ("x" * 61,))
    empty = postgres.new_database(migrated=False)
    failed = copy(settings, empty)
    assert failed.returncode == 1, failed.stdout
    assert "value too long" in failed.stderr and failed.stderr.strip().endswith(
        "; nothing was copied."
    ), failed.stderr
    assert "Traceback" not in failed.stderr
    left = typed_rows(empty)
    assert left.pop("grid_state") == [(1, 0)]  # the migration's own row, as made
    assert not any(left.values()), left


def test_radio_backup_of_a_postgresql_station_that_is_down_says_so(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=f"postgresql://radio:secret@127.0.0.1:{free_port()}/radio",
        backup_repository=str(tmp_path / "repo"),
    )
    result = backup_station(settings, environ={"RESTIC_PASSWORD": "x"})
    assert not result.ok
    assert result.message.startswith(
        "The station's database postgresql+psycopg://radio:***@127.0.0.1:"
    ), result.message
    assert result.message.endswith("; no backup was made.") and "secret" not in result.message
