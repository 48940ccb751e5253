"""Upgrading keeps a station's data.

A data folder is made at the schema of the first release (alembic revision ``0001_station``)
and moved up one revision at a time; at each step every table that exists gets realistic
rows (a table without a filler below fails the test: add one for a new table). Then the
station's own start-up path (``build_services``, which migrates to the newest schema) opens
it, and its services read back the grid, the episodes (file checksums), the accounts (they
log in), the stream keys, the as-run log, the incidents and the uploads.

Also: a database of a newer version is refused in one sentence, and an upgrade that fails
half-way leaves the database as it was, with a copy taken before it and named.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from radio.accounts.passwords import Passwords, cheap_hasher
from radio.accounts.service import AccountService
from radio.bootstrap import build_services
from radio.changelog import ChangeLog
from radio.config import Settings
from radio.db import MIGRATIONS_DIR, Database, make_engine
from radio.errors import DatabaseError
from radio.media.library import MediaLibrary
from radio.media.uploads import Uploads
from radio.playout.asrun import entries, open_incidents
from radio.playout.live import StreamKeys
from tests.pg import PostgresServer
from tests.support import free_port

RADIO = str(Path(sys.executable).with_name("radio"))
T0 = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)  # a Monday
PASSWORD = "correct horse battery staple"
HASH = Passwords(cheap_hasher()).hash(PASSWORD)
AUDIO = b"ID3" + bytes(range(256)) * 64  # stands for an episode's file
TRACK = b"OggS" + bytes(reversed(range(256))) * 32


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def revisions() -> list[str]:
    """Every revision, oldest first (the chain the lead keeps linear)."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def upgrade_to(url: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            cfg = alembic_config(url)
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


# -- realistic rows, one filler per table, written against the table as first created ------

Filler = Callable[[sa.Connection, Path], None]


def insert(conn: sa.Connection, name: str, *rows: dict[str, object]) -> None:
    table = sa.Table(name, sa.MetaData(), autoload_with=conn)
    conn.execute(table.insert(), list(rows))


def _state(conn: sa.Connection, media: Path) -> None:
    insert(conn, "station_state", {"key": "initialised", "value": T0.isoformat()},
           {"key": "setting.station_name", "value": "Westway Community Radio"})  # fmt: skip


def _incidents(conn: sa.Connection, media: Path) -> None:
    insert(conn, "incidents",
           {"kind": "silence", "detail": "15 s of silence on air", "started_at": T0,
            "ended_at": T0 + timedelta(seconds=20)},
           {"kind": "icecast", "detail": "Icecast is not answering", "started_at": T0,
            "ended_at": None})  # fmt: skip


def _shows(conn: sa.Connection, media: Path) -> None:
    common = {"description": "", "category": "talk", "colour": "#336699", "repeat_latest": False}
    insert(conn, "grid_shows",
           {"id": 1, "slug": "breakfast", "position": 0, "title": "The Breakfast Show",
            "kind": "prerecorded", "presenters": ["Ama"], **common},
           {"id": 2, "slug": "late-live", "position": 1, "title": "Late Live",
            "kind": "live", "presenters": ["Ben", "Cy"], **common})  # fmt: skip


def _slots(conn: sa.Connection, media: Path) -> None:
    common = {"every": 1, "nth": None, "weekday": None, "day": None, "first": date(2026, 11, 2),
              "last": None, "position": 0}  # fmt: skip
    insert(conn, "grid_slots",
           {"show_id": 1, "slot_id": "weekdays", "repeat": "weekly", "days": "0,1,2,3,4",
            "start_s": 7 * 3600, "duration_s": 3600, **common},
           {"show_id": 2, "slot_id": "friday", "repeat": "weekly", "days": "4",
            "start_s": 22 * 3600, "duration_s": 7200, **common})  # fmt: skip


def _exceptions(conn: sa.Connection, media: Path) -> None:
    insert(conn, "grid_exceptions",
           {"position": 0, "show_slug": "breakfast", "slot_id": "weekdays",
            "day": date(2026, 11, 4), "action": "cancel", "start": None, "duration_s": None,
            "replacement": None})  # fmt: skip


def _grid_state(conn: sa.Connection, media: Path) -> None:
    conn.execute(sa.text("UPDATE grid_state SET version = 7"))


def _items(conn: sa.Connection, media: Path) -> None:
    rows = []
    for k, (name, data, kind) in enumerate((("ep.mp3", AUDIO, "mp3"), ("t.ogg", TRACK, "ogg"))):
        digest = hashlib.sha256(data).hexdigest()
        path = f"{digest[:2]}/{digest}.{kind}"
        (media / path).parent.mkdir(parents=True, exist_ok=True)
        (media / path).write_bytes(data)
        rows.append({
            "id": k + 1, "sha256": digest, "path": path, "original_filename": name,
            "format": kind, "size_bytes": len(data), "title": f"Title {k}", "artist": "Ama",
            "album": None, "isrc": None, "art_path": None, "waveform_path": "", "peaks": [0.5],
            "duration_s": 3590.0, "loudness_lufs": -16.2, "true_peak_dbtp": -1.5,
            "gain_db": 0.2, "cue_in_s": 0.4, "cue_out_s": 3589.0, "status": "ready",
            "warnings": [], "created_at": T0,
        })  # fmt: skip
    insert(conn, "media_items", *rows)


def _episodes(conn: sa.Connection, media: Path) -> None:
    insert(conn, "media_episodes",
           {"occurrence_id": "breakfast.weekdays.2026-11-03", "show": "breakfast",
            "item_id": 1, "notes": "", "starts_at": T0 + timedelta(days=1),
            "attached_at": T0})  # fmt: skip


def _uploads(conn: sa.Connection, media: Path) -> None:
    insert(conn, "media_uploads",
           {"id": "up-done", "filename": "ep.mp3", "size_bytes": len(AUDIO),
            "show": "breakfast", "occurrence_id": "breakfast.weekdays.2026-11-03",
            "playlist": None, "owner": "2", "status": "done", "media_id": 1,
            "result": {"notes": []}, "note": "", "created_at": T0,
            "expires_at": datetime.now(UTC) + timedelta(days=1)})  # fmt: skip


def _accounts(conn: sa.Connection, media: Path) -> None:
    insert(conn, "accounts",
           {"id": 1, "email": "admin@example.org", "name": "Admin", "role": "admin",
            "password_hash": HASH, "disabled": False, "epoch": 0, "created_at": T0},
           {"id": 2, "email": "ama@example.org", "name": "Ama", "role": "presenter",
            "password_hash": HASH, "disabled": False, "epoch": 1, "created_at": T0})  # fmt: skip


def _account_shows(conn: sa.Connection, media: Path) -> None:
    insert(conn, "account_shows", {"account_id": 2, "show_slug": "breakfast"})


def _tokens(conn: sa.Connection, media: Path) -> None:
    insert(conn, "account_tokens",
           {"account_id": 2, "purpose": "reset", "token_hash": "ab" * 32, "created_at": T0,
            "expires_at": T0 + timedelta(days=2), "used_at": T0})  # fmt: skip


def _changes(conn: sa.Connection, media: Path) -> None:
    insert(conn, "grid_changes",
           {"at": T0, "who": "admin@example.org", "what": "Imported the grid",
            "reason": "new season", "show": ""})  # fmt: skip


def _keys(conn: sa.Connection, media: Path) -> None:
    insert(conn, "stream_keys", {"show": "late-live", "key": "k" * 43, "created_at": T0})


def _as_run(conn: sa.Connection, media: Path) -> None:
    insert(conn, "as_run",
           {"started_at": T0, "ended_at": T0 + timedelta(hours=1), "source": "scheduled",
            "status": "episode", "show": "breakfast",
            "occurrence_id": "breakfast.weekdays.2026-11-02", "media_id": "1",
            "filename": "ep.mp3", "title": "Title 0", "artist": "Ama"},
           {"started_at": T0 + timedelta(hours=1), "ended_at": T0 + timedelta(hours=1, minutes=3),
            "source": "rotation", "status": "rotation", "show": None, "occurrence_id": None,
            "media_id": "2", "filename": "t.ogg", "title": "Title 1", "artist": "Ama"})  # fmt: skip


def _outbox(conn: sa.Connection, media: Path) -> None:
    insert(conn, "outbox",
           {"to": "ama@example.org", "subject": "Your episode for Breakfast", "body": "Hello",
            "created": T0, "attempts": 2, "next_try": T0 + timedelta(minutes=2),
            "sent_at": None, "last_error": "connection refused",
            "event": "reminder:breakfast.weekdays.2026-11-05"})  # fmt: skip


def _opt_outs(conn: sa.Connection, media: Path) -> None:
    insert(conn, "reminder_opt_outs", {"show": "late-live"})


def _open_slots(conn: sa.Connection, media: Path) -> None:
    insert(conn, "open_slots",
           {"rule": {"repeat": "weekly", "days": [1], "every": 1, "start": "21:00:00",
                     "seconds": 3600, "first": "2026-11-03", "last": None},
            "wanted": "Music from the neighbourhood", "created": T0,
            "filled_by": None})  # fmt: skip


def _proposals(conn: sa.Connection, media: Path) -> None:
    insert(conn, "proposals",
           {"created": T0, "title": "Night Owls", "about": "Jazz after dark.", "kind": "live",
            "slots": [1], "name": "Olu", "email": "olu@example.org", "access_needs": "",
            "status": "open", "decided_at": None, "decided_by": "", "reason": "",
            "show": ""})  # fmt: skip


def _proposal_comments(conn: sa.Connection, media: Path) -> None:
    insert(conn, "proposal_comments",
           {"proposal_id": 1, "at": T0, "who": "Val", "text": "Sounds lovely."})  # fmt: skip


def _listener_samples(conn: sa.Connection, media: Path) -> None:
    insert(conn, "listener_samples", {"at": T0, "mount": "/stream.mp3", "listeners": 12})


def _listen_again(conn: sa.Connection, media: Path) -> None:
    insert(conn, "listen_again",
           {"occurrence_id": "late-live.weekly.2026-11-03", "show": "late-live",
            "aired_from": T0, "aired_to": T0 + timedelta(hours=1), "trim_start_s": 12.5,
            "trim_end_s": 0.0, "published": True, "state": "ready", "note": "",
            "made_at": T0 + timedelta(hours=1, minutes=1)})  # fmt: skip


def _login_failures(conn: sa.Connection, media: Path) -> None:
    insert(conn, "login_failures",
           {"email": "ama@example.org", "client": "192.0.2.7", "count": 6, "last": T0})  # fmt: skip


def _throttle_hits(conn: sa.Connection, media: Path) -> None:
    insert(conn, "throttle_hits", {"throttle": "login", "key": "192.0.2.7", "at": T0})


def _live_mounts(conn: sa.Connection, media: Path) -> None:
    insert(conn, "live_mounts",
           {"mount": "live", "occurrence": "late-live.weekly.2026-11-03", "connected": True,
            "presenter": "1", "gate": True, "level": 0.12, "since": T0,
            "updated_at": T0 + timedelta(seconds=3),
            "checked_at": T0 + timedelta(seconds=4)})  # fmt: skip


def _engine_status(conn: sa.Connection, media: Path) -> None:
    insert(conn, "engine_status",
           {"name": "on_air", "body": '{"source": "rotation", "title": "Tune"}',
            "updated_at": T0, "checked_at": T0 + timedelta(seconds=5)})  # fmt: skip


FILLERS: dict[str, Filler] = {
    "station_state": _state, "incidents": _incidents, "grid_shows": _shows,
    "grid_slots": _slots, "grid_exceptions": _exceptions, "grid_state": _grid_state,
    "media_items": _items, "media_episodes": _episodes, "media_uploads": _uploads,
    "accounts": _accounts, "account_shows": _account_shows, "account_tokens": _tokens,
    "grid_changes": _changes, "stream_keys": _keys, "as_run": _as_run,
    "outbox": _outbox, "reminder_opt_outs": _opt_outs,
    "open_slots": _open_slots, "proposals": _proposals,
    "proposal_comments": _proposal_comments, "listener_samples": _listener_samples,
    "listen_again": _listen_again,
    "login_failures": _login_failures, "throttle_hits": _throttle_hits,
    "live_mounts": _live_mounts, "engine_status": _engine_status,
}  # fmt: skip


def fill_new_tables(url: str, media: Path, filled: set[str]) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            tables = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
            unknown = sorted(tables - FILLERS.keys())
            assert not unknown, f"no realistic rows for the tables {unknown}: add fillers"
            for name in FILLERS:  # in the order of their foreign keys
                if name in tables - filled:
                    FILLERS[name](conn, media)
                    filled.add(name)
            for name in tables:
                count = conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar()
                assert count, f"table {name} is empty at this revision"
    finally:
        engine.dispose()


def first_release_station(tmp_path: Path, upto: int = 0, database_url: str = "") -> Settings:
    """A data folder at 0001_station, brought up revision by revision with rows in each
    (all but the last ``upto`` revisions)."""
    settings = Settings(data_dir=tmp_path / "var", database_url=database_url)
    settings.media_dir.mkdir(parents=True)
    filled: set[str] = set()
    for revision in revisions()[: len(revisions()) - upto]:
        upgrade_to(settings.database_url_in_use, revision)
        fill_new_tables(settings.database_url_in_use, settings.media_dir, filled)
    return settings


def test_the_first_releases_data_is_all_there_after_the_upgrade(
    tmp_path: Path, empty_database: Callable[[], str]
) -> None:
    assert revisions()[0] == "0001_station"
    old = tmp_path / "old"
    settings = Settings(data_dir=old / "var", database_url=empty_database())
    settings.media_dir.mkdir(parents=True)
    upgrade_to(settings.database_url_in_use, "0001_station")  # the first release's schema only
    fill_new_tables(settings.database_url_in_use, settings.media_dir, set())
    services = build_services(settings)  # start-up migrates it to the newest schema
    services.db.dispose()
    assert services.settings.station_name == "Westway Community Radio"

    settings = first_release_station(tmp_path / "steps", database_url=empty_database())
    services = build_services(settings)
    db = services.db
    try:
        grid = services.grid
        assert [s.slug for s in grid.list_shows()] == ["breakfast", "late-live"]
        week = grid.expand(T0 - timedelta(hours=1), T0 + timedelta(days=7))
        ids = [o.id for o in week]
        assert "breakfast.weekdays.2026-11-03" in ids
        assert "breakfast.weekdays.2026-11-04" not in ids, "the cancellation was lost"
        assert "late-live.friday.2026-11-06" in ids
        episode = MediaLibrary(settings, db).episode_for("breakfast.weekdays.2026-11-03")
        assert episode is not None and episode.path.read_bytes() == AUDIO
        assert (episode.cue_in_s, episode.gain_db) == (0.4, 0.2)
        accounts = AccountService(db, passwords=Passwords(cheap_hasher()))
        ama = accounts.authenticate("ama@example.org", PASSWORD)
        assert ama is not None and ama.role == "presenter" and "breakfast" in ama.shows
        assert accounts.authenticate("admin@example.org", PASSWORD) is not None
        assert StreamKeys(db).check("late-live", "k" * 43)  # hashed by the upgrade, still valid
        aired = entries(db, T0 - timedelta(days=1), T0 + timedelta(days=1))
        assert [(e.source, e.filename) for e in aired] == [
            ("scheduled", "ep.mp3"),
            ("rotation", "t.ogg"),
        ]
        assert [i["kind"] for i in open_incidents(db)] == ["icecast"]
        assert ChangeLog(db).recent()[0].what == "Imported the grid"
        upload = Uploads(MediaLibrary(settings, db)).state("up-done")
        assert upload.status == "done" and upload.media_id == 1
        assert services.mail.waiting() == 1  # the queued message is still to be sent
        [proposal] = services.proposals.proposals()
        assert proposal.title == "Night Owls" and proposal.comments[0].text == "Sounds lovely."
        assert services.proposals.offers.offered()[0].wanted == "Music from the neighbourhood"
    finally:
        db.dispose()


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"'), key=repr) for n in names}


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    settings = first_release_station(tmp_path)
    db_file = settings.data_dir / "radio.sqlite3"
    with sqlite3.connect(db_file) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'h99_future'")
    before = dump(db_file)
    with pytest.raises(DatabaseError) as refused:
        Database(settings.database_url_in_use).migrate()
    assert str(refused.value) == (
        f"The database {db_file} has schema revision h99_future, which this version of the "
        "station does not know (a newer version made it); run that version, or restore a "
        "backup made by this one."
    )
    assert dump(db_file) == before
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADIO_")}
    env.update(RADIO_DATA_DIR=str(settings.data_dir), RADIO_HTTP_PORT=str(free_port()),
               RADIO_ICECAST_PORT=str(free_port()), RADIO_HARBOR_PORT=str(free_port()))  # fmt: skip
    for args in (["grid", "export"], ["run"]):
        done = subprocess.run([RADIO, *args], env=env, capture_output=True, text=True,
                              timeout=60)  # fmt: skip
        assert done.returncode == 1, done.stderr
        assert done.stderr.strip().endswith(f"radio: {refused.value}"), done.stderr
        assert "Traceback" not in done.stderr
    assert dump(db_file) == before


BROKEN = '''"""A later release's migration that fails half-way (test only).

Revision ID: h99_broken
Revises: {head}
"""
import sqlalchemy as sa
from alembic import op

revision = "h99_broken"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("pronouns", sa.String(40), nullable=True))
    op.execute("UPDATE accounts SET name = upper(name)")
    # SQLite's recipe for rebuilding a table others point at turns foreign keys off, which
    # only works outside a transaction: what came before is committed here.
    op.execute("COMMIT")
    op.execute("PRAGMA foreign_keys=OFF")
    op.execute("BEGIN")
    op.execute("UPDATE accounts SET email = 'same@example.org'")
    op.create_index("ix_accounts_email_again", "accounts", ["email"], unique=True)


def downgrade() -> None:
    pass
'''


def test_a_failed_upgrade_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    settings = first_release_station(tmp_path, upto=1)  # two migrations to run
    db_file = settings.data_dir / "radio.sqlite3"
    before = dump(db_file)
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / "h99_broken.py").write_text(BROKEN.format(head=revisions()[-1]))

    db = Database(settings.database_url_in_use, migrations_dir=migrations)
    with pytest.raises(DatabaseError) as failed:
        db.migrate()
    db.dispose()
    copies = sorted(settings.data_dir.glob("radio.sqlite3.before-upgrade-*"))
    assert len(copies) == 1
    assert str(failed.value).startswith(
        f"Upgrading the database {db_file} from schema revision {revisions()[-2]} failed ("
    )
    assert str(failed.value).endswith(
        f"so it was put back as it was; a copy taken before the upgrade is at {copies[0]}."
    )
    assert dump(db_file) == before, "the database was left half-upgraded"
    assert dump(copies[0]) == before
    # The station's own code upgrades it afterwards as usual.
    Database(settings.database_url_in_use).migrate()
    assert json.dumps(dump(db_file)["alembic_version"]) == json.dumps([[revisions()[-1]]])


BROKEN_HALF_WAY = '''"""A later release's migration that fails half-way (test only).

Revision ID: h99_broken
Revises: {head}
"""
import sqlalchemy as sa
from alembic import op

revision = "h99_broken"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("pronouns", sa.String(40), nullable=True))
    op.execute("UPDATE accounts SET name = upper(name)")
    op.execute("UPDATE accounts SET email = 'same@example.org'")
    op.create_index("ix_accounts_email_again", "accounts", ["email"], unique=True)


def downgrade() -> None:
    pass
'''


def dump_tables(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            rows = {n: conn.execute(sa.text(f'SELECT * FROM "{n}"')).all() for n in names}
            return {n: sorted((tuple(r) for r in found), key=repr) for n, found in rows.items()}
    finally:
        engine.dispose()


def test_on_postgresql_a_failed_upgrade_changes_nothing_and_a_newer_schema_is_refused(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    url = postgres.new_database(migrated=False)
    first_release_station(tmp_path, upto=1, database_url=url)  # two migrations to run
    before = dump_tables(url)
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / "h99_broken.py").write_text(
        BROKEN_HALF_WAY.format(head=revisions()[-1])
    )
    db = Database(url, migrations_dir=migrations)
    with pytest.raises(DatabaseError) as failed:
        db.migrate()
    db.dispose()
    shown = url.replace("postgresql://", "postgresql+psycopg://")
    assert str(failed.value).startswith(
        f"Upgrading the database {shown} from schema revision {revisions()[-2]} failed ("
    )
    assert str(failed.value).endswith("; it was left as it was.")
    assert dump_tables(url) == before, "the database was left half-upgraded"

    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = 'h99_future'"))
    engine.dispose()
    newer = Database(url)
    with pytest.raises(DatabaseError, match="schema revision h99_future, which this version"):
        newer.migrate()
    newer.dispose()
