"""The as-run log from Liquidsoap's events: statuses and slot boundaries (no Liquidsoap here)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from radio.bootstrap import open_database
from radio.config import Settings
from radio.db import Database
from radio.grid.model import Occurrence
from radio.playout.asrun import AsRunRecorder, entries, parse_event
from tests.grid.build import occurrence

T0 = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
EMPTY = occurrence("empty-hour", "Empty Hour", T0, slot_id="weekly")


@pytest.fixture
def db(tmp_path: Path, database_url: str) -> Iterator[Database]:
    database = open_database(Settings(data_dir=tmp_path / "var", database_url=database_url))
    yield database
    database.dispose()


def slot_at(at: datetime) -> Occurrence | None:
    return EMPTY if EMPTY.start <= at < EMPTY.end else None


def track(
    recorder: AsRunRecorder, at: datetime, title: str, source: str = "rotation", **extra: str
) -> None:
    fields = {"event": "track", "t_ms": str(int(at.timestamp() * 1000)), "source": source,
              "title": title, "filename": f"/m/{title}.ogg", **extra}  # fmt: skip
    recorder.handle_line("RADIO-EVENT " + json.dumps([[k, v] for k, v in fields.items()]))


def log(db: Database) -> list[tuple[str, str, str | None, str]]:
    return [
        (e.started_at.strftime("%H:%M:%S"), e.status, e.show, e.title)
        for e in entries(db, T0 - timedelta(days=1), T0 + timedelta(days=1))
    ]


def test_a_track_playing_on_into_an_empty_slot_is_marked_from_the_slot_start(
    db: Database,
) -> None:
    recorder = AsRunRecorder(db, slot_at)
    track(recorder, T0 - timedelta(minutes=2), "Song A")
    recorder.mark_slot(T0 + timedelta(milliseconds=500))  # too soon: an episode may start
    assert log(db) == [("09:58:00", "rotation", None, "Song A")]
    recorder.mark_slot(T0 + timedelta(seconds=2))
    recorder.mark_slot(T0 + timedelta(seconds=3))  # once only
    assert log(db) == [
        ("09:58:00", "rotation", None, "Song A"),
        ("10:00:00", "missing", "empty-hour", "Song A"),
    ]
    track(recorder, T0 + timedelta(minutes=1), "Song B")
    recorder.mark_slot(T0 + timedelta(hours=1, seconds=2))  # Song B runs on past the slot
    assert log(db)[2:] == [
        ("10:01:00", "missing", "empty-hour", "Song B"),
        ("11:00:00", "rotation", None, "Song B"),
    ]


def test_a_track_starting_just_after_the_slot_start_marks_the_moment_before(
    db: Database,
) -> None:
    recorder = AsRunRecorder(db, slot_at)
    track(recorder, T0 - timedelta(minutes=2), "Song A")
    track(recorder, T0 + timedelta(milliseconds=400), "Song B")
    assert log(db) == [
        ("09:58:00", "rotation", None, "Song A"),
        ("10:00:00", "missing", "empty-hour", "Song A"),
        ("10:00:00", "missing", "empty-hour", "Song B"),
    ]


def test_an_episode_starting_on_time_is_not_split(db: Database) -> None:
    recorder = AsRunRecorder(db, slot_at)
    track(recorder, T0 - timedelta(minutes=2), "Song A")
    track(recorder, T0 - timedelta(milliseconds=20), "Episode", "scheduled", occurrence=EMPTY.id)
    recorder.mark_slot(T0 + timedelta(seconds=5))
    assert log(db) == [
        ("09:58:00", "rotation", None, "Song A"),
        ("09:59:59", "episode", "empty-hour", "Episode"),
    ]


def test_an_event_after_a_log_message_on_the_same_line_is_read() -> None:
    # Liquidsoap's log and its prints share stdout; a log line may lack its end of line.
    line = '[switch_9:3] Switch to fade.final.RADIO-EVENT [["event","track"],["t_ms","5"]]'
    assert parse_event(line) == {"event": "track", "t_ms": "5"}
