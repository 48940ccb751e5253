"""The logger's files read back, without Liquidsoap: names, gaps, retention, health."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from radio.grid import tomlfile
from radio.logger.export import export, plan
from radio.logger.files import check, find_gaps, list_files, parse_name, remove_expired
from radio.logger.writer import Writer, file_name, since_marker
from tests.logger.recordings import recording

T0 = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)


def made(folder: Path, start: datetime, seconds: float) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(start.timestamp(), ".mp3")
    path.write_bytes(b"\xff\xfb" * 100)
    end = (start + timedelta(seconds=seconds)).timestamp()
    os.utime(path, (end, end))
    return path


def test_names_are_the_utc_start_to_the_millisecond() -> None:
    name = file_name(T0.timestamp() + 0.02, ".mp3")
    assert name == "20261201T190000.020Z.mp3"
    assert parse_name(name) == T0 + timedelta(milliseconds=20)
    assert parse_name("notes.txt") is None and parse_name("20261301T190000.000Z.mp3") is None


def test_gaps_are_the_time_no_file_covers_since_the_first_recording(tmp_path: Path) -> None:
    made(tmp_path, T0, 3600)
    made(tmp_path, T0 + timedelta(hours=1, seconds=1), 3599)  # the writer's rhythm: no gap
    made(tmp_path, T0 + timedelta(hours=2, minutes=5), 600)
    files = list_files(tmp_path)
    gaps = find_gaps(files, T0, T0, T0 + timedelta(hours=3))
    assert [(g.start, g.end) for g in gaps] == [
        (T0 + timedelta(hours=2), T0 + timedelta(hours=2, minutes=5)),
        (T0 + timedelta(hours=2, minutes=15), T0 + timedelta(hours=3)),
    ]
    # Files deleted before the newest: the time since the first recording is a gap.
    assert find_gaps(files[2:], T0, T0, T0 + timedelta(hours=2, minutes=15))[0].start == T0


def test_retention_removes_only_files_that_ended_before_it(tmp_path: Path) -> None:
    now = T0 + timedelta(days=42, hours=1)
    expired = made(tmp_path, T0 - timedelta(hours=1), 3600)  # ended at T0: 42 days 1 h ago
    kept = made(tmp_path, T0 + timedelta(minutes=30), 3600)  # ends 41 days 23.5 h ago
    assert remove_expired(tmp_path, 42, now) == [expired]
    assert kept.exists() and not expired.exists()


def test_health_names_a_stopped_logger_and_a_disk_too_small(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    made(tmp_path, now - timedelta(minutes=2), 60)
    status = check(tmp_path, keep_days=10**6, bitrate_kbps=128, now=now, liquidsoap_up=True)
    assert status.problems[0].startswith("the off-air logger has written nothing since")
    assert status.warnings[0].startswith("the logger's disk holds ")
    assert status.warnings[0].endswith("less than the 1000000 days it must keep")
    # Liquidsoap down: the time since the last write is a gap of the last day (a warning:
    # the station is not "degraded" for a day after a restart).
    down = check(tmp_path, keep_days=1, bitrate_kbps=128, now=now, liquidsoap_up=False)
    assert down.warnings[0].startswith("the off-air logger has 1 gap(s) in the last day (60 s")
    assert down.problems == []


def test_the_writer_survives_its_folder_being_deleted(tmp_path: Path) -> None:
    folder = tmp_path / "logger"
    writer = Writer(folder, T0.timestamp(), ".mp3")
    writer.write(b"a" * 1000)
    assert since_marker(folder).read_text() == "20261201T190000.000Z.mp3\n"
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    writer.checked = 0.0
    writer.write(b"b" * 1000)  # notices, drops this chunk
    writer.checked = 0.0
    writer.write(b"c" * 1000)  # a new file, named by now
    writer.close()
    [again] = list_files(folder)
    assert again.path.read_bytes() == b"c" * 1000


def test_a_show_opts_in_to_listen_again_in_its_grid_table() -> None:
    text = (
        '[[show]]\nslug = "phone-in"\ntitle = "Phone In"\nkind = "live"\nlisten_again = true\n'
        '[[show.slot]]\nid = "w"\nrepeat = "weekly"\ndays = ["mon"]\nstart = "19:00"\n'
        'duration = "1h"\nfrom = 2026-11-30\n'
    )
    grid = tomlfile.loads(text)
    assert grid.shows[0].listen_again
    assert "listen_again = true" in tomlfile.dumps(grid)
    assert tomlfile.loads(tomlfile.dumps(grid)) == grid
    assert not tomlfile.loads(text.replace("listen_again = true\n", "")).shows[0].listen_again


def test_a_file_liquidsoap_opened_as_it_was_killed_is_left_out_of_an_export(
    tmp_path: Path,
) -> None:
    """CI once saw a logger file ffmpeg refuses: Liquidsoap was killed as it opened it, so
    it holds no whole frame. An export over it still gives the audio around it."""
    folder = tmp_path / "logger"
    start = datetime(2026, 11, 30, 12, tzinfo=UTC)
    recording(folder, start, 5, 1000)
    cut_short = folder / file_name((start + timedelta(seconds=5)).timestamp(), ".mp3")
    cut_short.write_bytes(b"\xff\xfb\x90\x64" + b"\0" * 100)  # the start of one frame
    moment = (start + timedelta(seconds=5.5)).timestamp()
    os.utime(cut_short, (moment, moment))
    recording(folder, start + timedelta(seconds=6), 5, 1500)
    out = tmp_path / "range.mp3"
    made = export(folder, start, start + timedelta(seconds=11), out, now=start + timedelta(hours=1),
                  keep_days=42, tz=ZoneInfo("Europe/London"))  # fmt: skip
    assert [p.file.path for p in plan(folder, start, start + timedelta(seconds=11),
            now=start + timedelta(hours=1), keep_days=42, tz=ZoneInfo("Europe/London")).parts
            ] == [f.path for f in list_files(folder) if f.path != cut_short]  # fmt: skip
    assert abs(made.seconds - 10) < 0.2
    assert out.stat().st_size > 100_000
