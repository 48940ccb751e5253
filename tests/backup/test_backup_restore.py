"""A backup made on air restores into a station that runs with the same data.

``radio run`` plays on a temporary data folder with a grid, an episode, a presenter's
account, a stream key, an as-run log, and an upload half done. ``radio backup --init``
saves it into a real restic repository while a listener decodes the stream; ``radio restore
--to NEW`` puts it into a new folder, and ``RADIO_DATA_DIR=NEW radio run`` goes on air. What
must hold: the stream never stopped during the backup; the restored station has the same
grid export, episodes (file checksums), accounts, stream keys and as-run log, the same
secrets; the half-done upload is not in the backup (tmp/ is skipped, as the backup says) and
is still on the original station.
"""

from __future__ import annotations

import hashlib
import io
import signal
import sqlite3
import subprocess
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from radio.config import Settings
from radio.db import Database
from radio.media.library import MediaLibrary
from radio.media.uploads import Uploads
from radio.playout.live import StreamKeys
from tests.support import decode, free_port, require, rms_dbfs, wait_for
from tests.test_station import RADIO, Running, get_json, radio, start_station

pytestmark = pytest.mark.stack

PASSWORD = "a long presenter password"


def rows(db_file: Path, table: str, order: str = "rowid") -> list[tuple[Any, ...]]:
    with sqlite3.connect(db_file) as conn:
        return list(conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}'))


def stop(running: Running) -> None:
    if running.proc.poll() is None:
        running.proc.send_signal(signal.SIGTERM)
        running.proc.wait(30)


def with_repository(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    (tmp_path / "restic-password").write_text("backup passphrase\n")
    return dict(
        env,
        RADIO_BACKUP_REPOSITORY=str(tmp_path / "repo"),
        RADIO_BACKUP_PASSWORD_FILE=str(tmp_path / "restic-password"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
    )


def fill_station(settings: Settings, env: dict[str, str], tmp_path: Path) -> str:
    """A grid, an episode, a presenter, a stream key; an upload half done. Its upload id."""
    day = (datetime.now(UTC) + timedelta(days=2)).astimezone(settings.tz).date()
    (tmp_path / "grid.toml").write_text(
        '[[show]]\nslug = "tuesday-talk"\ntitle = "Tuesday Talk"\nkind = "prerecorded"\n\n'
        f'[[show.slot]]\nid = "once"\nrepeat = "once"\ndate = {day}\nstart = "10:00"\n'
        'duration = "1h"\n\n'
        '[[show]]\nslug = "night-live"\ntitle = "Night Live"\nkind = "live"\n\n'
        '[[show.slot]]\nid = "fridays"\nrepeat = "weekly"\ndays = ["fri"]\n'
        'from = 2026-01-02\nstart = "22:00"\nduration = "2h"\n'
    )
    audio = tmp_path / "episode.flac"
    subprocess.run([require("ffmpeg"), "-v", "error", "-f", "lavfi", "-i",
                    "sine=frequency=523:duration=20", str(audio)], check=True)  # fmt: skip
    for args, stdin in (
        (["grid", "import", str(tmp_path / "grid.toml")], None),
        (["media", "import", str(audio), "--show", "tuesday-talk",
          "--occurrence", f"tuesday-talk.once.{day}"], None),
        (["user", "add", "ama@example.org", "--role", "presenter", "--show", "tuesday-talk",
          "--password-stdin"], PASSWORD + "\n"),
    ):  # fmt: skip
        done = subprocess.run([RADIO, *args], env=env, input=stdin,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stderr
    db = Database(settings.database_url_in_use)
    try:
        StreamKeys(db).make("night-live")
        uploads = Uploads(MediaLibrary(settings, db))
        upload = uploads.create("Friday.wav", 400_000)
        uploads.write(upload.id, 0, io.BytesIO(b"RIFF" + b"\1" * 99_996), 100_000)
        return upload.id
    finally:
        db.dispose()


def test_a_backup_on_air_restores_into_a_station_with_the_same_data(
    settings: Settings, station_env: dict[str, str], tmp_path: Path
) -> None:
    require("restic")
    env = with_repository(station_env, tmp_path)
    original = start_station(settings, env, tmp_path / "radio.log")
    try:
        upload_id = fill_station(settings, env, tmp_path)
        db_file = settings.data_dir / "radio.sqlite3"
        wait_for(lambda: rows(db_file, "as_run"), 30, "the as-run log to start")
        grid = radio(["grid", "export"], env)
        assert grid.returncode == 0, grid.stderr
        closed_before = [r for r in rows(db_file, "as_run") if r[2] is not None]

        heard: list[float] = []
        listener = threading.Thread(
            target=lambda: heard.append(rms_dbfs(decode(f"{original.icecast}/stream.mp3", 8)))
        )
        listener.start()
        backup = radio(["backup", "--init"], env)
        listener.join()
        assert backup.returncode == 0, backup.stderr
        assert "Backed up Demo Community Radio to" in backup.stdout
        assert "kept 7 daily, 4 weekly and 6 monthly snapshots." in backup.stdout
        assert "1 upload(s) in progress were left out (tmp/ is not backed up)" in backup.stdout
        assert heard and heard[0] > -40, "the stream went quiet during the backup"
        assert get_json(f"{original.site}/healthz")["status"] == "ok"
        snapshot_rows = {t: rows(db_file, t) for t in
                         ("accounts", "account_shows", "stream_keys", "media_items",
                          "media_episodes", "grid_shows", "grid_slots")}  # fmt: skip
        part = settings.data_dir / "tmp" / "uploads" / f"{upload_id}.part"
        assert part.stat().st_size == 100_000, "the upload in progress was touched"
    finally:
        stop(original)

    new = tmp_path / "restored-station"
    restored = radio(["restore", "--to", str(new)], env)
    assert restored.returncode == 0, restored.stderr
    assert f"into {new}; start it with RADIO_DATA_DIR={new} radio run." in restored.stdout
    assert "1 upload(s) in progress at backup time were not in it." in restored.stdout
    again = Settings(data_dir=new, http_port=free_port(), icecast_port=free_port(),
                     harbor_port=free_port())  # fmt: skip
    env2 = dict(env, RADIO_DATA_DIR=str(new), RADIO_HTTP_PORT=str(again.http_port),
                RADIO_ICECAST_PORT=str(again.icecast_port),
                RADIO_HARBOR_PORT=str(again.harbor_port))  # fmt: skip
    running = start_station(again, env2, tmp_path / "restored.log")
    try:
        assert rms_dbfs(decode(f"{running.icecast}/stream.mp3", 3)) > -40
        assert radio(["grid", "export"], env2).stdout == grid.stdout
        new_db = new / "radio.sqlite3"
        for table, expected in snapshot_rows.items():
            assert rows(new_db, table) == expected, f"{table} differs after the restore"
        for _, sha256, path, *_ in rows(new_db, "media_items"):
            assert hashlib.sha256((new / "media" / path).read_bytes()).hexdigest() == sha256
        aired = {r[0]: r for r in rows(new_db, "as_run")}
        for entry in closed_before:
            assert aired.get(entry[0]) == entry, "the as-run log differs after the restore"
        assert (new / "secrets.toml").read_text() == (
            settings.data_dir / "secrets.toml"
        ).read_text()
        assert (new / "secrets.toml").stat().st_mode & 0o777 == 0o600
        assert not rows(new_db, "media_uploads", "id") or all(
            r[0] != upload_id for r in rows(new_db, "media_uploads")
        )
        assert not list((new / "tmp").rglob("*.part"))
    finally:
        stop(running)
    assert part.stat().st_size == 100_000, "the original lost its upload in progress"
