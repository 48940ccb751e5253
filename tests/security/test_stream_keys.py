"""Probe: does the database give away a presenter's stream key?

Whoever reads `radio.sqlite3` (a backup, a stolen disk) must not learn a key that puts them
on air. What must hold: the database file and its WAL contain no plain key — neither a key
made now nor one stored by an older version (the `h11_stream_key_hashes` migration hashes
those in place, and presenters keep using them); the harbor still lets the right key on air
and refuses a wrong key and the stored hash itself (real Liquidsoap, ffmpeg as the source
client); `radio streamkey new` prints a key once.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from radio.bootstrap import build_services
from radio.config import Settings
from radio.db import MIGRATIONS_DIR, Database
from radio.playout.live import StreamKeys
from tests.playout.rig import Rig, once_slot, start_rig
from tests.playout.test_playout import refused, source_client, stop_client
from tests.support import wait_for
from tests.test_station import RADIO


def raw_bytes(db_file: Path) -> bytes:
    """The database as stored: the file and its WAL, byte for byte."""
    wal = db_file.with_name(db_file.name + "-wal")
    return db_file.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def migrate_to(db: Database, revision: str) -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", db.url)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def test_a_made_key_is_stored_as_a_hash_only(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'radio.sqlite3'}")
    db.migrate()
    keys = StreamKeys(db)
    key = keys.make("phone-in")
    assert key.encode() not in raw_bytes(tmp_path / "radio.sqlite3")
    assert keys.hash_for("phone-in") == hashlib.sha256(key.encode()).hexdigest()
    assert keys.check("phone-in", key) and not keys.check("phone-in", key + "x")
    db.dispose()


def test_plain_keys_of_an_older_version_are_hashed_and_keep_working(tmp_path: Path) -> None:
    db_file = tmp_path / "radio.sqlite3"
    old = Database(f"sqlite:///{db_file}")
    migrate_to(old, "0005_playout")
    plain = "Zq3-old_plain_key_0123456"
    with old.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO stream_keys (show, key, created_at) VALUES (:s, :k, :t)"),
            {"s": "phone-in", "k": plain, "t": datetime(2026, 1, 5, tzinfo=UTC)},
        )
    old.dispose()
    assert plain.encode() in raw_bytes(db_file)  # the probe is able to see a plain key

    db = Database(f"sqlite:///{db_file}")
    db.migrate()
    db.dispose()
    assert plain.encode() not in raw_bytes(db_file), "the plain key is still in the file"
    assert StreamKeys(db).check("phone-in", plain), "the presenter's key stopped working"


def test_the_cli_prints_a_new_key_once(settings: Settings, station_env: dict[str, str]) -> None:
    assert subprocess.run([RADIO, "init"], env=station_env, timeout=120).returncode == 0
    run = subprocess.run(
        [RADIO, "streamkey", "new", "no-such-show"], env=station_env, capture_output=True, text=True
    )
    assert run.returncode == 1
    assert run.stderr.startswith("radio: There is no live show 'no-such-show' in the grid;")
    services = build_services(settings)
    keys = services.stream_keys
    live = next(show.slug for show in services.grid.list_shows() if show.kind == "live")
    made = subprocess.run(
        [RADIO, "streamkey", "new", live], env=station_env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    key = made.stdout.split(": ", 1)[1].split()[0]
    assert "shown only this once" in made.stdout
    assert keys.check(live, key)
    assert key.encode() not in raw_bytes(settings.database_file)
    services.db.dispose()


@pytest.fixture
def rig(tmp_path: Path, demo_media: Path) -> Iterator[Rig]:
    with start_rig(tmp_path, demo_media, live_key_lead_min=0.1) as rig:
        yield rig


@pytest.mark.stack
def test_the_harbor_takes_the_right_key_and_refuses_others(rig: Rig) -> None:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=4)
    rig.import_grid(once_slot("phone-in", "live", start, 60, rig.settings))
    keys = rig.reconciler.keys
    key = keys.make("phone-in")
    stored = keys.hash_for("phone-in")
    assert stored is not None
    wait_for(lambda: rig.liquidsoap.get_var("live_key") == f"0:{stored}", 10, "the open window")

    assert refused(source_client(rig, key[:-1] + ("A" if key[-1] != "A" else "B"), 5))
    assert refused(source_client(rig, stored, 5)), "the stored hash worked as a key"
    assert refused(source_client(rig, "x" * 300, 5))
    presenter = source_client(rig, key, 30)
    try:
        wait_for(
            lambda: [e for e in rig.as_run() if e.source == "live" and e.show == "phone-in"],
            20,
            "the presenter on air",
        )
        time.sleep(1)
        assert presenter.poll() is None, "the right key was dropped"
    finally:
        stop_client(presenter)
    accepted = [e.get("accepted") for e in rig.events if e.get("event") == "live_auth"]
    assert accepted == ["false", "false", "false", "true"], accepted
