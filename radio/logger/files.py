"""The logger's files read back: what they cover, the gaps, retention and health.

A file covers ``[start, last write)``: its name is its UTC start and the writer writes
every chunk as it comes, so its modification time is where its audio ends. Any time since
the logger first recorded (``logger.since``, written by the writer) that no file covers is
a gap: Liquidsoap restarting, a full disk, files deleted.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from radio.logger.writer import since_marker

log = logging.getLogger(__name__)

#: Less than this between two files is the writer's own rhythm, not a gap.
TOLERANCE = timedelta(seconds=2)
#: The newest file not written for this long while Liquidsoap runs: the logger has stopped.
STALE = timedelta(seconds=10)
SUFFIXES = (".mp3", ".ogg")
#: A file smaller than this holds no whole frame of audio: Liquidsoap stopped (killed, or
#: the disk filled) as it opened it. ffmpeg refuses such a file, so no export includes it.
MIN_AUDIO_BYTES = 1024


@dataclass(frozen=True)
class LoggerFile:
    path: Path
    start: datetime
    end: datetime
    size: int

    @property
    def holds_audio(self) -> bool:
        return self.size >= MIN_AUDIO_BYTES


@dataclass(frozen=True)
class Gap:
    """Time the logger holds nothing for, ``[start, end)`` in UTC."""

    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def parse_name(name: str) -> datetime | None:
    """The UTC start in a logger file's name (``20261201T190000.020Z.mp3``), else None."""
    stem, dot, suffix = name.partition("Z.")
    if not dot or "." + suffix not in SUFFIXES:
        return None
    try:
        return datetime.strptime(stem, "%Y%m%dT%H%M%S.%f").replace(tzinfo=UTC)
    except ValueError:
        return None


def list_files(folder: Path) -> list[LoggerFile]:
    """The logger's files, oldest first (a missing folder holds none)."""
    found = []
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    for entry in entries:
        start = parse_name(entry.name)
        if start is None:
            continue
        try:
            stat = entry.stat()
        except FileNotFoundError:
            continue
        end = max(start, datetime.fromtimestamp(stat.st_mtime, UTC))
        found.append(LoggerFile(Path(entry.path), start, end, stat.st_size))
    return sorted(found, key=lambda f: f.start)


def recording_since(folder: Path) -> datetime | None:
    """When the logger first recorded (from ``logger.since``), or None."""
    try:
        return parse_name(since_marker(folder).read_text(encoding="utf-8").strip())
    except OSError:
        return None


def find_gaps(
    files: list[LoggerFile], since: datetime | None, start: datetime, end: datetime
) -> list[Gap]:
    """Stretches of ``[start, end)`` after ``since`` that no file covers, oldest first."""
    if since is None:
        if not files:
            return []
        since = files[0].start
    cursor = max(start, since)
    gaps = []
    for f in files:
        if f.end <= cursor:
            continue
        if f.start >= end:
            break
        if f.start - cursor > TOLERANCE:
            gaps.append(Gap(cursor, f.start))
        cursor = max(cursor, f.end)
    if end - cursor > TOLERANCE:
        gaps.append(Gap(cursor, end))
    return gaps


def remove_expired(folder: Path, keep_days: int, now: datetime) -> list[Path]:
    """Delete the files that ended more than ``keep_days`` ago; nothing else, ever."""
    limit = now - timedelta(days=keep_days)
    removed = []
    for f in list_files(folder):
        if f.end < limit:
            try:
                f.path.unlink()
            except OSError as exc:
                log.warning("cannot remove the expired logger file %s: %s", f.path, exc)
                continue
            removed.append(f.path)
    if removed:
        log.info("removed %d logger file(s) past %d days", len(removed), keep_days)
    return removed


def bytes_per_day(bitrate_kbps: int) -> int:
    return bitrate_kbps * 1000 // 8 * 86400


@dataclass(frozen=True)
class LoggerStatus:
    """What ``/healthz`` says of the logger: ``problems`` make the station degraded (the
    logger is not recording now); ``warnings`` are for a person to look at (a gap in the last
    day, a disk too small for the retention period) while the station is on air and
    recording: a restart of Liquidsoap leaves a gap, and must not leave the station
    "degraded" for a day."""

    problems: list[str]
    warnings: list[str]
    gaps_last_day: list[Gap]
    newest: datetime | None
    days_of_room: float


def check(
    folder: Path,
    *,
    keep_days: int,
    bitrate_kbps: int,
    now: datetime,
    liquidsoap_up: bool,
) -> LoggerStatus:
    """Gaps in the last day, a logger that stopped writing, a disk too small to keep
    ``keep_days``."""
    files = list_files(folder)
    problems: list[str] = []
    warnings: list[str] = []
    newest = files[-1].end if files else None
    since = recording_since(folder)
    # The time up to now belongs to the file being written: a stop is reported as stale.
    last = newest if newest is not None and liquidsoap_up else now
    day_ago = now - timedelta(days=1)
    gaps = find_gaps(files, since, day_ago, max(last, day_ago))
    if gaps:
        total = sum(g.seconds for g in gaps)
        warnings.append(
            f"the off-air logger has {len(gaps)} gap(s) in the last day ({total:.0f} s "
            f"unrecorded, the latest from {gaps[-1].start:%H:%M:%S} UTC)"
        )
    if liquidsoap_up and newest is not None and now - newest > STALE:
        problems.append(
            f"the off-air logger has written nothing since {newest:%Y-%m-%d %H:%M:%S} UTC"
        )
    stored = sum(f.size for f in files)
    free = _free_bytes(folder)
    room = (free + stored) / bytes_per_day(bitrate_kbps)
    if room < keep_days:
        warnings.append(
            f"the logger's disk holds {room:.1f} days of recordings, less than the "
            f"{keep_days} days it must keep"
        )
    return LoggerStatus(problems, warnings, gaps, newest, room)


def _free_bytes(folder: Path) -> int:
    for place in (folder, *folder.parents):
        try:
            return shutil.disk_usage(place).free
        except OSError:
            continue
    return 0
