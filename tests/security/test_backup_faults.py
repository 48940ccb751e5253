"""Backups that cannot be made: a missing repository, a wrong password, a full target.

The probe runs ``radio backup`` against a station on air (``radio run`` on a temporary data
folder) three ways: a repository that does not exist, the wrong password for one that does,
and a repository on a small tmpfs filled to the last byte (needs root). What must hold, each
time: one clear sentence (no restic trace, no Python traceback), a non-zero exit, the same
sentence in the record ``/healthz`` and the admin page read (``last_backup``); the station
stays on air and its database is intact; the backup's staging copy is gone; and the
repository loses nothing — its snapshot is still listed, and once space is freed the next
backup works.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from radio.backup.service import last_backup
from radio.config import Settings
from tests.security.disk import fill, small_disk
from tests.support import decode, require, rms_dbfs
from tests.test_station import get_json, radio
from tests.test_station import station as station  # the running station fixture

MISSING = (
    "radio: There is no restic repository at {repo}; check backup_repository, or make one "
    "there once with 'radio backup --init'."
)
WRONG = (
    "radio: The password for the backup repository {repo} is wrong; set backup_password_file "
    "to a file holding the password the repository was made with."
)
FULL = (
    "radio: The backup repository {repo} is full (no space left on device), so no snapshot "
    "was saved; free some space there or set backup_repository to another place (the "
    "station and earlier snapshots are untouched)."
)


def backup(env: dict[str, str], repo: Path, password: Path, *args: str) -> tuple[int, str]:
    done = radio(["backup", *args], dict(env, RADIO_BACKUP_REPOSITORY=str(repo),
                                         RADIO_BACKUP_PASSWORD_FILE=str(password)))  # fmt: skip
    assert "Traceback" not in done.stderr and "github.com/restic" not in done.stderr
    return done.returncode, done.stderr.strip().splitlines()[-1] if done.stderr else ""


def snapshots(env: dict[str, str], repo: Path, password: Path) -> list[str]:
    env = dict(env, RADIO_BACKUP_REPOSITORY=str(repo), RADIO_BACKUP_PASSWORD_FILE=str(password))
    listed = radio(["backup", "--list"], env)
    assert listed.returncode == 0, listed.stderr
    return [line.split()[0] for line in listed.stdout.splitlines()]


def still_on_air(station: object, settings: Settings) -> None:
    site = f"http://127.0.0.1:{settings.http_port}"
    assert get_json(f"{site}/healthz")["status"] == "ok"
    stream = f"http://127.0.0.1:{settings.icecast_port}/stream.mp3"
    assert rms_dbfs(decode(stream, 2)) > -40, "the station went quiet"
    with sqlite3.connect(settings.data_dir / "radio.sqlite3") as conn:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert not (settings.data_dir / "run" / "backup").exists(), "the staging copy was left"


def test_failed_backups_say_why_and_lose_nothing(
    station: object, settings: Settings, station_env: dict[str, str], tmp_path: Path
) -> None:
    require("restic")
    env = dict(station_env, XDG_CACHE_HOME=str(tmp_path / "cache"))
    right, wrong = tmp_path / "right", tmp_path / "wrong"
    right.write_text("the right passphrase\n")
    wrong.write_text("not it\n")

    nowhere = tmp_path / "no-such-repository"
    assert backup(env, nowhere, right) == (1, MISSING.format(repo=nowhere))
    assert not nowhere.exists()
    record = last_backup(settings.data_dir)
    assert record is not None and not record.ok
    assert f"radio: {record.message}" == MISSING.format(repo=nowhere)
    still_on_air(station, settings)

    with small_disk(tmp_path / "small", 16) as disk:
        repo = disk / "repo"
        code, said = backup(env, repo, right, "--init")
        assert code == 0, said
        first = snapshots(env, repo, right)[0]
        assert backup(env, repo, wrong) == (1, WRONG.format(repo=repo))
        still_on_air(station, settings)

        ballast = fill(disk)
        assert backup(env, repo, right) == (1, FULL.format(repo=repo))
        record = last_backup(settings.data_dir)
        assert record is not None and f"radio: {record.message}" == FULL.format(repo=repo)
        still_on_air(station, settings)

        ballast.unlink()
        assert snapshots(env, repo, right) == [first], "the repository lost its snapshot"
        code, said = backup(env, repo, right)
        assert code == 0, said
        record = last_backup(settings.data_dir)
        assert record is not None and record.ok
        # Both on one day: the retention policy keeps the newer (one a day).
        assert snapshots(env, repo, right) == [record.snapshot]
