"""Files and folders of the library: size and disk checks, the temporary folder, playlists."""

from __future__ import annotations

import fcntl
import io
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

from radio import playlists
from radio.config import Settings
from radio.errors import MediaRejected

#: Kept free on the data disk beyond the file itself.
DISK_MARGIN_BYTES = 64 * 1024 * 1024


def check_size(size: int, limit: int) -> None:
    if size == 0:
        raise MediaRejected(
            "The file is empty (0 bytes); the recording or the upload did not finish, "
            "so send it again."
        )
    if size > limit:
        raise MediaRejected(
            f"The file is {human_size(size)}, over the station's limit of {human_size(limit)}; "
            "export it at a lower bit rate (for example MP3 at 192 kbit/s) or split it."
        )


def check_disk(folder: Path, size: int) -> None:
    free = shutil.disk_usage(folder).free
    if free < size + DISK_MARGIN_BYTES:
        raise MediaRejected(
            f"The station's disk has only {human_size(free)} free, too little for this "
            f"{human_size(size)} file; ask the station's admin to make room."
        )


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError  # pragma: no cover


def temporary_dir(settings: Settings) -> Path:
    path = settings.data_dir / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def add_to_playlist(folder: Path, name: str, entry: str, lock_dir: Path) -> bool:
    """Append ``entry`` to ``folder/name.m3u8`` (created if missing); False if already there."""
    before = edit_playlist(folder, name, lambda entries: [*entries, entry]
                           if entry not in entries else entries, lock_dir)  # fmt: skip
    return entry not in before


def edit_playlist(
    folder: Path, name: str, change: Callable[[list[str]], list[str]], lock_dir: Path
) -> list[str]:
    """Replace the entries of ``folder/name.m3u8`` (created if missing) with
    ``change(entries)``; return the entries it had.

    Its comment lines are kept. Every writer (an upload's ingest, a volunteer's edit, in any
    web process) takes one lock, kept in ``lock_dir`` and not among the playlists, so no
    change is lost to another made meanwhile; the file is replaced atomically, so playout
    never reads half a playlist.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.m3u8"
    with (lock_dir / f"playlist-{name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        entries = playlists.load(io.StringIO(text))
        changed = change(list(entries))
        if changed != entries or not path.exists():
            write_atomic(path, playlists.rewrite(text, changed).encode("utf-8"))
    return entries


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
