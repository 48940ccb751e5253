"""Per-install secrets (Icecast passwords, the web session key), kept 0600 in the data folder."""

from __future__ import annotations

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


def load_or_create(data_dir: Path) -> Credentials:
    """Read the install's secrets, generating any that are missing (file mode 0600)."""
    path = data_dir / FILENAME
    values: dict[str, str] = {}
    existed = path.exists()
    if existed:
        try:
            values = {k: str(v) for k, v in tomllib.loads(path.read_text("utf-8")).items()}
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(
                f"{path} is unreadable ({exc}); delete it to generate new secrets."
            ) from None
    wanted = ("icecast_source_password", "icecast_admin_password", "web_secret_key")
    changed = False
    for key in wanted:
        if not values.get(key):
            values[key] = secrets.token_urlsafe(24)
            changed = True
    if not existed:
        # Several processes may start at once on a new data folder (two web processes):
        # the first file in place wins, and every process reads that one.
        fresh = path.with_name(f".{FILENAME}.{secrets.token_hex(8)}.tmp")
        _write(fresh, values, wanted)
        try:
            os.link(fresh, path)
        except FileExistsError:
            return load_or_create(data_dir)
        finally:
            fresh.unlink()
    elif changed or (path.stat().st_mode & 0o077):
        _write(path, values, wanted)
    return Credentials(*(values[k] for k in wanted))


def _write(path: Path, values: dict[str, str], wanted: tuple[str, ...]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fp:
        fp.write("# Generated per install. Keep private.\n")
        for key in wanted:
            fp.write(f'{key} = "{values[key]}"\n')
    os.chmod(path, 0o600)
