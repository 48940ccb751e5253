"""Per-install secrets (Icecast passwords, the web session key), kept 0600 in the data folder."""

from __future__ import annotations

import fcntl
import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from radio.errors import ConfigError

FILENAME = "secrets.toml"


@dataclass(frozen=True)
class Credentials:
    icecast_source_password: str
    icecast_admin_password: str
    web_secret_key: str


WANTED = ("icecast_source_password", "icecast_admin_password", "web_secret_key")


def load_or_create(data_dir: Path) -> Credentials:
    """Read the install's secrets, generating any that are missing (file mode 0600).

    Several processes may start at once on one data folder (two web processes): the file is
    only ever replaced whole, never rewritten in place, so none reads half of it; the first
    new file in place wins; secrets missing from an older file are added under a lock, so
    every process ends up with the same ones.
    """
    path = data_dir / FILENAME
    if not path.exists():
        fresh = path.with_name(f".{FILENAME}.{secrets.token_hex(8)}.tmp")
        _write(fresh, _filled({}))
        try:
            os.link(fresh, path)
        except FileExistsError:
            pass  # another process made it first: read theirs
        finally:
            fresh.unlink()
    values = _read(path)
    if any(not values.get(key) for key in WANTED):
        with (data_dir / f".{FILENAME}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            values = _read(path)  # another process may have filled them in meanwhile
            if any(not values.get(key) for key in WANTED):
                fresh = path.with_name(f".{FILENAME}.{secrets.token_hex(8)}.tmp")
                _write(fresh, values := _filled(values))
                os.replace(fresh, path)
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)
    return Credentials(*(values[k] for k in WANTED))


def _read(path: Path) -> dict[str, str]:
    try:
        return {k: str(v) for k, v in tomllib.loads(path.read_text("utf-8")).items()}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"{path} is unreadable ({exc}); delete it to generate new secrets."
        ) from None


def _filled(values: dict[str, str]) -> dict[str, str]:
    return {**values, **{k: secrets.token_urlsafe(24) for k in WANTED if not values.get(k)}}


def _write(path: Path, values: dict[str, str]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fp:
        fp.write("# Generated per install. Keep private.\n")
        for key in WANTED:
            fp.write(f'{key} = "{values[key]}"\n')
    os.chmod(path, 0o600)
