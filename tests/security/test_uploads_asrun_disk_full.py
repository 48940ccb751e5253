"""The as-run log while the database's disk is full.

Every track that airs must end up in the as-run log (it is what music-licensing returns are
made from). The probe puts the database on a small tmpfs, logs a track, fills the disk to the
last byte, and lets more tracks air and the slot tick run while no write can succeed. What
must hold:

* nothing raises out of the recorder (it is fed from Liquidsoap's output reader);
* the failure is logged once, not on every event or tick;
* once space is freed, the next tick writes every track kept in memory, with the times they
  aired, in order, and the log says it caught up.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from radio.bootstrap import open_database
from radio.config import Settings
from radio.db import Database
from radio.grid.model import Occurrence
from radio.playout.asrun import AsRunRecorder, entries
from tests.security.disk import empty_wal, fill, small_disk

T0 = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    with small_disk(tmp_path / "var", 8):
        database = open_database(Settings(data_dir=tmp_path / "var"))
        try:
            yield database
        finally:
            database.dispose()


def no_slot(at: datetime) -> Occurrence | None:
    return None


def track(recorder: AsRunRecorder, minutes: int, title: str) -> None:
    at = T0 + timedelta(minutes=minutes)
    fields = {"event": "track", "t_ms": str(int(at.timestamp() * 1000)), "source": "rotation",
              "title": title, "filename": f"/m/{title}.ogg"}  # fmt: skip
    recorder.handle_line("RADIO-EVENT " + json.dumps([[k, v] for k, v in fields.items()]))


def aired(db: Database) -> list[tuple[str, str, str]]:
    found = entries(db, T0 - timedelta(days=1), T0 + timedelta(days=1))
    return [(e.started_at.strftime("%H:%M"), _hhmm(e.ended_at), e.title) for e in found]


def _hhmm(moment: datetime | None) -> str:
    return moment.strftime("%H:%M") if moment else ""


def test_tracks_aired_while_the_disk_is_full_reach_the_log_once_it_has_room(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = AsRunRecorder(db, no_slot)
    track(recorder, 0, "Before")
    assert aired(db) == [("10:00", "", "Before")]

    empty_wal(db)
    ballast = fill(Path(str(db.engine.url.database)).parent)
    with caplog.at_level(logging.INFO, logger="radio.playout.asrun"):
        track(recorder, 3, "During one")
        recorder.mark_slot(T0 + timedelta(minutes=4))
        track(recorder, 6, "During two")
        recorder.mark_slot(T0 + timedelta(minutes=7))
        assert aired(db) == [("10:00", "", "Before")], "the disk was not full after all"
        assert recorder.pending == 2
        failures = [r for r in caplog.records if "cannot be written" in r.getMessage()]
        assert len(failures) == 1 and failures[0].levelno == logging.ERROR

        ballast.unlink()
        recorder.mark_slot(T0 + timedelta(minutes=8))
        assert recorder.pending == 0
        assert any("written again" in r.getMessage() for r in caplog.records)
    track(recorder, 9, "After")
    assert aired(db) == [
        ("10:00", "10:03", "Before"),
        ("10:03", "10:06", "During one"),
        ("10:06", "10:09", "During two"),
        ("10:09", "", "After"),
    ]
