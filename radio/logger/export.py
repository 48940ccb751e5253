"""Any range of the logger as one file: cut from its files with ffmpeg, copied, not encoded.

The range is checked first, each refusal one sentence: it must lie within the days the
logger keeps and hold some recording. Gaps inside it are left out of the file and listed.
When the file's extension is the logger's own format the audio is copied (frame-accurate,
no loss); another extension is encoded to that format.
"""

from __future__ import annotations

import logging
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from radio.errors import LoggerError
from radio.logger.files import Gap, LoggerFile, find_gaps, list_files, recording_since

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Part:
    """What one logger file gives: seconds ``[inpoint, outpoint)`` into it."""

    file: LoggerFile
    inpoint: float
    outpoint: float


@dataclass(frozen=True)
class Export:
    path: Path
    start: datetime
    end: datetime
    gaps: list[Gap]
    #: Seconds of audio in the file (the range less its gaps).
    seconds: float


@dataclass(frozen=True)
class Range:
    """A checked range: its parts and its gaps."""

    start: datetime
    end: datetime
    parts: list[Part]
    gaps: list[Gap]


def plan(
    folder: Path, start: datetime, end: datetime, *, now: datetime, keep_days: int, tz: ZoneInfo
) -> Range:
    """The files and gaps of ``[start, end)``; :class:`LoggerError` for a range it cannot give."""

    def at(moment: datetime) -> str:
        return f"{moment.astimezone(tz):%Y-%m-%d %H:%M:%S %Z}"

    if end <= start:
        raise LoggerError("The end of the range must come after its start.")
    oldest = now - timedelta(days=keep_days)
    if start < oldest:
        raise LoggerError(
            f"The logger keeps the last {keep_days} days only: {at(start)} is older than "
            f"that; ask for something from {at(oldest)} on."
        )
    if start >= now:
        raise LoggerError(f"{at(start)} has not been broadcast yet.")
    end = min(end, now)
    files = list_files(folder)
    parts = [
        Part(f, max(0.0, (start - f.start).total_seconds()),
             (min(f.end, end) - f.start).total_seconds())
        for f in files
        if f.start < end and f.end > start and f.holds_audio
    ]  # fmt: skip
    parts = [p for p in parts if p.outpoint - p.inpoint > 0.05]
    gaps = find_gaps(files, recording_since(folder) or start, start, end)
    if not parts:
        raise LoggerError(f"The logger holds no recording from {at(start)} to {at(end)}.")
    return Range(start, end, parts, gaps)


def cut(parts: list[Part], out: Path, logger_suffix: str) -> None:
    """Join ``parts`` into ``out`` with ffmpeg (copied when ``out`` has the logger's format)."""
    copy = out.suffix.lower() == logger_suffix
    with tempfile.NamedTemporaryFile("w", suffix=".ffconcat", encoding="utf-8") as listing:
        listing.write("ffconcat version 1.0\n")
        for p in parts:
            quoted = str(p.file.path).replace("'", "'\\''")
            listing.write(f"file '{quoted}'\ninpoint {p.inpoint:.3f}\noutpoint {p.outpoint:.3f}\n")
        listing.flush()
        command = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0",
                   "-i", listing.name, "-map", "0:a", *(["-c", "copy"] if copy else []),
                   str(out)]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        log.error("ffmpeg could not cut the logger's range: %s", done.stderr.strip())
        raise LoggerError(f"The range could not be written to {out} (ffmpeg failed; see the log).")


def export(
    folder: Path,
    start: datetime,
    end: datetime,
    out: Path,
    *,
    now: datetime,
    keep_days: int,
    tz: ZoneInfo,
    logger_suffix: str = ".mp3",
) -> Export:
    """Write ``[start, end)`` of the logger to ``out``."""
    found = plan(folder, start, end, now=now, keep_days=keep_days, tz=tz)
    cut(found.parts, out, logger_suffix)
    seconds = sum(p.outpoint - p.inpoint for p in found.parts)
    return Export(out, found.start, found.end, found.gaps, seconds)


def local_time(what: str, text: str, tz: ZoneInfo) -> datetime:
    """A local ``YYYY-MM-DD HH:MM[:SS]`` (or with a ``T``) as an aware UTC instant."""
    try:
        naive = datetime.fromisoformat(text.strip())
    except ValueError:
        naive = None
    if naive is None or naive.tzinfo is not None:
        raise LoggerError(
            f"{what} {text!r} is not a local date and time; write it like 2026-12-01 19:00."
        )
    return naive.replace(tzinfo=tz).astimezone(UTC)


def gap_sentence(gaps: list[Gap], tz: ZoneInfo) -> str:
    """The gaps of a range in words ("" when there are none)."""
    if not gaps:
        return ""
    spans = ", ".join(
        f"{g.start.astimezone(tz):%H:%M:%S} to {g.end.astimezone(tz):%H:%M:%S}" for g in gaps
    )
    total = sum(g.seconds for g in gaps)
    return (
        f"The logger has no recording from {spans} ({total:.0f} s in all, {tz.key}); "
        "the file goes on from the next recording."
    )
