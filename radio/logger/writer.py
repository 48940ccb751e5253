"""The off-air logger's writer: Liquidsoap's encoded output on standard input, into a file.

Liquidsoap (``output.external`` in the station script) starts this once per logger file::

    python3 -I -S writer.py FOLDER 1796155200020 .mp3

(the Unix time in milliseconds when the file opened, by Liquidsoap's clock, and the
format's extension) and closes the pipe at the file's end (the next hour). The file is
named by its UTC start to the millisecond: ``20261201T190000.020Z.mp3``.

The writer never stops reading: a write that fails (the disk is full, the folder was
deleted) is reported once on standard error, and what follows is dropped until a new file
can be opened, named by the time it opens. So the station never waits on the logger, and a
loss shows as a gap between the files.

The first file ever written leaves ``logger.since`` beside the folder: from then on, any
time that no file covers is a gap, even when the files themselves are gone.

Standard library only, so it starts in a few milliseconds with ``-I -S``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

#: How often an open file is checked for having been deleted, and a failed one retried.
CHECK_S = 0.5
CHUNK = 65536


def file_name(at: float, suffix: str) -> str:
    """The name of a logger file starting at Unix time ``at`` (UTC, to the millisecond)."""
    moment = datetime.fromtimestamp(at, UTC)
    return f"{moment:%Y%m%dT%H%M%S}.{moment.microsecond // 1000:03d}Z{suffix}"


def command(python: str = sys.executable) -> tuple[str, ...]:
    """How Liquidsoap runs this file (less the folder and name): isolated, no site."""
    return (python, "-I", "-S", str(Path(__file__).resolve()))


def since_marker(folder: Path) -> Path:
    return folder.with_name(folder.name + ".since")


class Writer:
    """Writes what it is given to the current file, opening another one after a failure."""

    def __init__(self, folder: Path, start: float, suffix: str) -> None:
        self.folder = folder
        self.suffix = suffix
        self.out: int | None = None
        self.path: Path | None = None
        self.failed = False
        self.checked = 0.0
        self._open(folder / file_name(start, suffix))

    def write(self, chunk: bytes) -> None:
        now = time.monotonic()
        if self.out is not None and now - self.checked >= CHECK_S:
            self.checked = now
            if os.fstat(self.out).st_nlink == 0:  # deleted under us: the bytes go nowhere
                self._fail(f"{self.path} was deleted")
        if self.out is None:
            if now - self.checked < CHECK_S:
                return
            self.checked = now
            self._open(self.folder / file_name(time.time(), self.suffix))
            if self.out is None:
                return
        try:
            view = memoryview(chunk)
            while view:
                view = view[os.write(self.out, view) :]
        except OSError as exc:
            self._fail(f"cannot write {self.path} ({exc.strerror})")

    def close(self) -> None:
        if self.out is not None:
            empty = self.path is not None and os.fstat(self.out).st_size == 0
            os.close(self.out)
            self.out = None
            if empty and self.path is not None:  # Liquidsoap stopped before any audio came
                self.path.unlink(missing_ok=True)

    def _open(self, path: Path) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        except OSError as exc:
            self._fail(f"cannot open {path} ({exc.strerror})")
            return
        self.path = path
        if self.failed:
            self.failed = False
            _say(f"recording again into {path}")
        marker = since_marker(self.folder)
        if not marker.exists():
            with contextlib.suppress(OSError):  # else written with a later file
                marker.write_text(path.name + "\n", encoding="utf-8")

    def _fail(self, why: str) -> None:
        self.checked = time.monotonic()
        if self.out is not None and self.path is not None and os.fstat(self.out).st_size == 0:
            self.path.unlink(missing_ok=True)  # opened while the disk is still full
        self.close()
        if not self.failed:
            self.failed = True
            _say(f"{why}; recording stops until a new file can be written")


def _say(text: str) -> None:
    print(f"radio logger: {text}", file=sys.stderr, flush=True)


def run(folder: Path, start: float, suffix: str, stream: BinaryIO) -> None:
    writer = Writer(folder, start, suffix)
    try:
        while chunk := stream.read1(CHUNK):  # type: ignore[attr-defined]
            writer.write(chunk)
    finally:
        writer.close()


def main(argv: list[str]) -> int:
    if len(argv) != 4 or not argv[2].isdigit() or argv[3] not in (".mp3", ".ogg"):
        _say("usage: writer.py FOLDER UNIX_MILLISECONDS .mp3|.ogg")
        return 2
    run(Path(argv[1]), int(argv[2]) / 1000, argv[3], sys.stdin.buffer)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
