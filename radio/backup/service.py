"""``radio backup``, ``radio restore`` and the nightly backup, and the record of the last one.

For the rest of the station:

* :func:`backup_station` — one backup now (the CLI); :func:`nightly_backup` — the same for a
  scheduler job, never raising;
* :func:`add_nightly_job` — adds that job at ``backup_at`` to an APScheduler scheduler;
* :func:`last_backup` — how the last backup went, for ``/healthz`` and the admin page;
* :func:`restore_station` — a snapshot into a new, empty data folder.

A backup only reads the station's files (the database through SQLite's online backup API),
so the station stays on air throughout, and a failure loses nothing.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import secrets
import shutil
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from radio.backup import snapshot as layout
from radio.backup.restic import Repository, Retention
from radio.config import Settings
from radio.errors import BackupError, RadioError
from radio.jsontypes import JSON

log = logging.getLogger(__name__)

#: In the data folder: how the last backup went.
STATUS_FILE = Path("log") / "last-backup.json"


@dataclass(frozen=True)
class BackupResult:
    """One backup: whether it worked and what it saved, or why not (one sentence)."""

    ok: bool
    started_at: datetime
    finished_at: datetime
    repository: str
    message: str
    snapshot: str | None = None
    media_files: int = 0
    media_bytes: int = 0
    uploads_left_out: int = 0

    def to_json(self) -> dict[str, JSON]:
        out: dict[str, JSON] = asdict(self)
        out["started_at"] = self.started_at.isoformat(timespec="seconds")
        out["finished_at"] = self.finished_at.isoformat(timespec="seconds")
        return out

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> BackupResult:
        values = dict(raw)
        for key in ("started_at", "finished_at"):
            values[key] = datetime.fromisoformat(values[key])
        return cls(**values)


@dataclass(frozen=True)
class RestoreResult:
    snapshot: str
    target: Path
    manifest: layout.Manifest

    @property
    def message(self) -> str:
        keep = self.target / layout.RESTORED
        left = self.manifest.uploads_left_out
        return (
            f"Restored snapshot {self.snapshot} of {self.manifest.station_name} (made "
            f"{self.manifest.made_at}) into {self.target}; start it with "
            f"RADIO_DATA_DIR={self.target} radio run. Its settings file, RADIO_* variables and "
            f"playlists are in {keep} (use them with RADIO_CONFIG={keep / 'radio.toml'} and "
            f"RADIO_PLAYLISTS_DIR={keep / 'playlists'})."
            + (f" {left} upload(s) in progress at backup time were not in it." if left else "")
            + (
                " The station's database was PostgreSQL: it is restored as SQLite in the data "
                "folder; move it back with radio db copy --to URL."
                if self.manifest.database == "postgresql"
                else ""
            )
        )


def backup_station(settings: Settings, environ: Mapping[str, str] | None = None) -> BackupResult:
    """Back the station up now, then apply the retention policy; the result is recorded.

    Failures a person can act on come back as ``ok=False`` with one sentence.
    """
    env = os.environ if environ is None else environ
    repository = Repository(settings, env)
    started = _now()
    try:
        result = _backup(settings, repository, env, started)
    except BackupBusy as exc:  # the running one records its own result: not overwritten
        return BackupResult(False, started, _now(), repository.location, str(exc))
    except RadioError as exc:
        result = BackupResult(False, started, _now(), repository.location, str(exc))
    _record(settings.data_dir, result)
    return result


def nightly_backup(settings: Settings) -> BackupResult:
    """:func:`backup_station` for a scheduler job: never raises (the station stays on air)."""
    try:
        result = backup_station(settings)
        log.log(logging.INFO if result.ok else logging.ERROR, "%s", result.message)
        return result
    except Exception as exc:
        log.exception("the nightly backup failed")
        result = BackupResult(
            False, _now(), _now(), settings.backup_repository,
            f"The backup failed unexpectedly ({type(exc).__name__}: {exc}); see the log.",
        )  # fmt: skip
        _record(settings.data_dir, result)
        return result


class JobScheduler(Protocol):
    """What :func:`add_nightly_job` needs of a scheduler (APScheduler's have it)."""

    def add_job(self, func: Callable[..., object], trigger: str, **options: object) -> object: ...


def add_nightly_job(scheduler: JobScheduler, settings: Settings) -> bool:
    """Add :func:`nightly_backup` at ``backup_at`` (station time) to an APScheduler
    scheduler; False (and no job) when no repository is set."""
    if not Repository(settings).configured:
        log.info("no backup repository is set: no nightly backup")
        return False
    hour, minute = (int(part) for part in settings.backup_at.split(":"))
    scheduler.add_job(
        nightly_backup, "cron", hour=hour, minute=minute, timezone=settings.tz,
        args=[settings], id="nightly backup", max_instances=1, coalesce=True,
        misfire_grace_time=3600,
    )  # fmt: skip
    return True


def last_backup(data_dir: Path) -> BackupResult | None:
    """How the last backup (nightly or ``radio backup``) went; None if none was made."""
    try:
        raw = json.loads((data_dir / STATUS_FILE).read_text(encoding="utf-8"))
        return BackupResult.from_json(raw)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError):
        log.warning("%s is unreadable", data_dir / STATUS_FILE, exc_info=True)
        return None


def restore_station(
    settings: Settings, target: Path, snapshot_id: str = "latest",
    environ: Mapping[str, str] | None = None,
) -> RestoreResult:  # fmt: skip
    """Restore ``snapshot_id`` into ``target``, a new or empty folder, ready to run."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(
            f"The folder {target} is not empty; restore into a new or empty folder, so that "
            "nothing in it is overwritten."
        )
    repository = Repository(settings, environ)
    repository.check()
    target.mkdir(parents=True, exist_ok=True)
    work = target / ".restoring"
    try:
        snapshot_id = repository.restore(snapshot_id, work)
        manifest = layout.unpack(work, target)
        shutil.rmtree(work)
    except BaseException:
        for entry in target.iterdir():  # it was empty: leave it so
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        raise
    return RestoreResult(snapshot_id, target, manifest)


def _backup(
    settings: Settings, repository: Repository, env: Mapping[str, str], started: datetime
) -> BackupResult:
    repository.check()
    staging = settings.data_dir / "run" / "backup"
    with _only_one(settings.data_dir), _staged(settings, staging, env) as manifest:
        made = repository.backup(staging, layout.NAME)
        keep = Retention.from_settings(settings)
        saved = (
            f"Backed up {settings.station_name} to {repository.location} as snapshot {made} "
            f"({manifest.media_files} media files, {manifest.media_bytes / 1e6:.1f} MB)"
        )
        left = manifest.uploads_left_out
        note = (
            f" {left} upload(s) in progress were left out (tmp/ is not backed up); they "
            "can be sent again after a restore."
            if left
            else ""
        )
        ok, message = True, f"{saved}; kept {keep} snapshots.{note}"
        try:
            repository.forget(keep)
        except BackupError as exc:
            ok, message = False, f"{saved}, but old snapshots were not pruned: {exc}"
    return BackupResult(
        ok, started, _now(), repository.location, message, made,
        manifest.media_files, manifest.media_bytes, manifest.uploads_left_out,
    )  # fmt: skip


@contextlib.contextmanager
def _staged(settings: Settings, staging: Path, env: Mapping[str, str]) -> Iterator[layout.Manifest]:
    try:
        try:
            manifest = layout.stage(settings, staging, env)
        except (OSError, sqlite3.Error) as exc:
            log.exception("staging the backup in %s failed", staging)
            if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "full" in str(exc):
                raise BackupError(
                    "The station's disk is full, so the backup could not copy the database; "
                    "free some space and back up again (nothing was changed)."
                ) from None
            raise BackupError(f"The backup could not copy the station's files ({exc}).") from None
        yield manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def _only_one(data_dir: Path) -> Iterator[None]:
    path = data_dir / "run" / "backup.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as fp:
        try:
            fcntl.flock(fp, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BackupBusy(
                "Another backup of this station is running; wait for it to finish."
            ) from None
        yield


class BackupBusy(BackupError):
    """Another backup of the station holds the lock."""


def _record(data_dir: Path, result: BackupResult) -> None:
    path = data_dir / STATUS_FILE
    part = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        part.write_text(json.dumps(result.to_json(), indent=2), encoding="utf-8")
        part.replace(path)
    except OSError:
        log.warning("could not record the backup's result in %s", path, exc_info=True)
        part.unlink(missing_ok=True)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
