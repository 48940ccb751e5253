"""restic, the backup program: run with the station's repository settings, its failures
turned into one sentence each (the whole of what restic said goes to the log).

The repository and its password come from the settings ``backup_repository`` and
``backup_password_file`` when set, else from restic's own ``RESTIC_REPOSITORY``,
``RESTIC_PASSWORD_FILE`` or ``RESTIC_PASSWORD``; S3 and SFTP take their usual variables.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from radio.config import Settings
from radio.errors import BackupError, ConfigError

log = logging.getLogger(__name__)

#: Every snapshot the station makes carries this tag; retention applies to these only.
TAG = "radio-station"


@dataclass(frozen=True)
class Snapshot:
    id: str
    time: str
    hostname: str


@dataclass(frozen=True)
class Retention:
    daily: int
    weekly: int
    monthly: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Retention:
        return cls(settings.backup_keep_daily, settings.backup_keep_weekly,
                   settings.backup_keep_monthly)  # fmt: skip

    def __str__(self) -> str:
        return f"{self.daily} daily, {self.weekly} weekly and {self.monthly} monthly"


class Repository:
    """One restic repository, as the settings and the environment name it."""

    def __init__(self, settings: Settings, environ: Mapping[str, str] | None = None) -> None:
        env = dict(os.environ if environ is None else environ)
        if settings.backup_repository:
            env["RESTIC_REPOSITORY"] = settings.backup_repository
        if settings.backup_password_file:
            env["RESTIC_PASSWORD_FILE"] = settings.backup_password_file
            env.pop("RESTIC_PASSWORD", None)
            env.pop("RESTIC_PASSWORD_COMMAND", None)
        self.env = env
        self.location = env.get("RESTIC_REPOSITORY", "")

    @property
    def configured(self) -> bool:
        return bool(self.location)

    def init(self) -> None:
        self._run(["init"], "make the repository")

    def backup(self, cwd: Path, name: str, tags: Sequence[str] = ()) -> str:
        """Back up the folder ``cwd/name`` (stored as ``/name``); the new snapshot's id."""
        args = ["backup", "--json", "--tag", TAG, *(f"--tag={t}" for t in tags), name]
        out = self._run(args, "save the snapshot", cwd=cwd)
        for line in reversed(out.splitlines()):
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict) and message.get("message_type") == "summary":
                return str(message["snapshot_id"])
        raise BackupError(f"restic backed up to {self.location} but named no snapshot.")

    def forget(self, keep: Retention) -> None:
        self._run(
            ["forget", "--prune", "--tag", TAG, "--keep-daily", str(keep.daily),
             "--keep-weekly", str(keep.weekly), "--keep-monthly", str(keep.monthly)],
            "prune old snapshots",
        )  # fmt: skip

    def snapshots(self) -> list[Snapshot]:
        out = self._run(["snapshots", "--json", "--tag", TAG], "list the snapshots")
        found = json.loads(out or "[]") or []
        return [Snapshot(s["short_id"], s["time"], s.get("hostname", "")) for s in found]

    def restore(self, snapshot: str, target: Path) -> str:
        """Restore ``snapshot`` (an id or ``latest``) under ``target``; the snapshot's id."""
        args = ["restore", snapshot, "--tag", TAG, "--target", str(target)]
        out = self._run(args, f"restore snapshot {snapshot}", snapshot=snapshot)
        found = re.search(r"<Snapshot ([0-9a-f]+) ", out)
        return found.group(1) if found else snapshot

    # -- running restic ---------------------------------------------------------------------

    def _run(
        self, args: list[str], what: str, *, cwd: Path | None = None, snapshot: str = ""
    ) -> str:
        self.check()
        nice = ["nice", "-n", "10"] if shutil.which("nice") else []  # playout comes first
        lock = ["--no-lock"] if args[0] == "snapshots" else []
        command = [*nice, self._program(), *lock, *args]
        log.debug("running %s", " ".join(command))
        try:
            done = subprocess.run(
                command, cwd=cwd, env=self.env, stdin=subprocess.DEVNULL,
                capture_output=True, text=True, check=False,
            )  # fmt: skip
        except OSError as exc:
            raise BackupError(f"restic could not be started ({exc.strerror}).") from exc
        if done.returncode != 0:
            log.debug("restic %s failed (exit %d):\n%s", args[0], done.returncode, done.stderr)
            raise BackupError(self._sentence(done.stderr, what, snapshot))
        return done.stdout

    def _program(self) -> str:
        program = shutil.which("restic")
        if program is None:
            raise ConfigError(
                "restic is not installed; run 'make run' (it installs it) or "
                "apt-get install restic."
            )
        return program

    def check(self) -> None:
        """Refuse, in one sentence, settings restic could not work with."""
        if not self.location:
            raise BackupError(
                "No backup repository is set; set backup_repository (RADIO_BACKUP_REPOSITORY) "
                "or RESTIC_REPOSITORY to a folder, an sftp: or an s3: address."
            )
        password_file = self.env.get("RESTIC_PASSWORD_FILE", "")
        if password_file:
            try:
                Path(password_file).read_bytes()
            except OSError as exc:
                raise BackupError(
                    f"The backup password file {password_file} cannot be read "
                    f"({exc.strerror}); check backup_password_file."
                ) from None
        elif not (self.env.get("RESTIC_PASSWORD") or self.env.get("RESTIC_PASSWORD_COMMAND")):
            raise BackupError(
                "No password for the backup repository is set; set backup_password_file "
                "(RADIO_BACKUP_PASSWORD_FILE) to a file holding it, or RESTIC_PASSWORD_FILE."
            )

    def _sentence(self, stderr: str, what: str, snapshot: str) -> str:
        said = stderr.lower()
        where = self.location
        if "no space left on device" in said:
            return (
                f"The backup repository {where} is full (no space left on device), so no "
                "snapshot was saved; free some space there or set backup_repository to "
                "another place (the station and earlier snapshots are untouched)."
            )
        if "wrong password" in said:
            return (
                f"The password for the backup repository {where} is wrong; set "
                "backup_password_file to a file holding the password the repository was "
                "made with."
            )
        if "config file already exists" in said:
            return f"There is already a restic repository at {where}; back up into it."
        if "is there a repository at the following location" in said:
            return (
                f"There is no restic repository at {where}; check backup_repository, or make "
                "one there once with 'radio backup --init'."
            )
        if "already locked" in said:
            return (
                f"The backup repository {where} is locked by another restic run; wait for it "
                "to finish (or run 'restic unlock' if none is running)."
            )
        if snapshot and ("no matching id" in said or "no snapshot" in said):
            return (
                f"There is no snapshot {snapshot!r} in {where}; 'radio backup --list' lists them."
            )
        first = next((ln for ln in stderr.splitlines() if ln.startswith("Fatal:")), "")
        detail = first.removeprefix("Fatal:").strip().rstrip(".") or "see the log"
        return f"restic could not {what} in {where} ({detail})."
