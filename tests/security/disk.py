"""A genuinely full disk for the probes: a small tmpfs mounted over a folder (needs root)."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

from radio.db import Database


@contextlib.contextmanager
def small_disk(folder: Path, size_mib: int) -> Iterator[Path]:
    """``folder`` on its own tmpfs of ``size_mib`` MiB, unmounted at the end."""
    assert os.geteuid() == 0, "this probe mounts a small tmpfs to fill a disk: run it as root"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mib}m,mode=0755", "tmpfs", str(folder)],
        check=True,
    )
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(folder: Path) -> Path:
    """Write a ballast file in ``folder`` until its disk refuses another byte."""
    ballast = folder / "ballast"
    block = b"\0" * (1 << 20)
    with ballast.open("wb", buffering=0) as fp:
        for size in (1 << 20, 1 << 12, 1):
            try:
                while True:
                    fp.write(block[:size])
            except OSError as exc:
                assert exc.errno == errno.ENOSPC, exc
    return ballast


def empty_wal(db: Database) -> None:
    """Fold SQLite's write-ahead log into the database and truncate it, so that the next
    write needs new disk space (a reused log would take it without any)."""
    conn = db.engine.raw_connection()
    try:
        cursor = conn.cursor()
        busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
    finally:
        conn.close()
    assert busy == 0, "the write-ahead log could not be truncated"
