"""Resumable upload sessions (no HTTP): limits told up front, offsets, finishing once,
and the start-up sweep of what interrupted uploads left."""

from __future__ import annotations

import dataclasses
import fcntl
import io
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from radio.config import Settings
from radio.db import Database
from radio.errors import MediaRejected
from radio.media.library import MediaLibrary, Target
from radio.media.uploads import (
    UploadConflict,
    UploadGone,
    Uploads,
    sweep_temporary,
    upload_dir,
)
from tests.media.conftest import HOUR, stored_files


@pytest.fixture
def uploads(library: MediaLibrary) -> Uploads:
    return Uploads(library)


def test_too_large_is_refused_before_any_byte_with_the_limit(
    db: Database, settings: Settings
) -> None:
    small = dataclasses.replace(settings, max_upload_bytes=1024**2)
    with pytest.raises(MediaRejected) as refused:
        Uploads(MediaLibrary(small, db)).create("show.wav", 2 * 1024**3)
    assert str(refused.value) == (
        "The file is 2.0 GiB, over the station's limit of 1.0 MiB; export it at a lower bit "
        "rate (for example MP3 at 192 kbit/s) or split it."
    )
    assert stored_files(settings) == []


def test_names_and_targets_are_checked_when_the_upload_opens(uploads: Uploads) -> None:
    with pytest.raises(MediaRejected, match="path separator"):
        uploads.create("../../etc/passwd", 10)
    with pytest.raises(MediaRejected, match="empty"):
        uploads.create("nothing.mp3", 0)


def test_chunks_at_offsets_then_finish_once(
    uploads: Uploads, library: MediaLibrary, media_files: Path
) -> None:
    data = (media_files / "programme-mp3.mp3").read_bytes()
    state = uploads.create("My show.mp3", len(data), Target("show-a", HOUR.id))
    assert (state.offset, state.status) == (0, "receiving")
    half = len(data) // 2
    assert uploads.write(state.id, 0, io.BytesIO(data[:half]), half) == half
    with pytest.raises(UploadConflict) as wrong:
        uploads.write(state.id, 0, io.BytesIO(data[:10]), 10)
    assert wrong.value.offset == half
    with pytest.raises(UploadConflict, match=f"Only {half} of {len(data)} bytes"):
        uploads.finish(state.id)
    assert uploads.write(state.id, half, io.BytesIO(data[half:]), None) == len(data)
    done = uploads.finish(state.id)
    assert done.status == "done" and done.result is not None
    assert done.media_id is not None
    assert done.result["item"]["original_filename"] == "My show.mp3"
    assert uploads.finish(state.id) == done  # repeated: the same answer
    episode = library.episode_for(HOUR.id)
    assert episode is not None and episode.item_id == done.media_id
    assert list(upload_dir(library.settings).iterdir()) == []


def test_while_analysing_the_upload_says_how_far_the_check_got(
    uploads: Uploads, library: MediaLibrary, media_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (media_files / "programme-mp3.mp3").read_bytes()
    state = uploads.create("My show.mp3", len(data), Target("show-a", HOUR.id))
    uploads.write(state.id, 0, io.BytesIO(data), None)
    seen: list[dict[str, float]] = []
    ingest = library.ingest

    def watched(*args: Any, progress: Any = None, **kwargs: Any) -> Any:
        def heard(seconds: float, declared: float | None) -> None:
            progress(seconds, declared)
            checked = uploads.state(state.id).to_json()["checked"]  # what the page polls
            assert isinstance(checked, dict)
            seen.append({k: float(v) for k, v in checked.items() if isinstance(v, float)})

        return ingest(*args, progress=heard, **kwargs)

    monkeypatch.setattr(library, "ingest", watched)
    assert uploads.finish(state.id).status == "done"
    # Every few seconds of audio, the seconds checked out of the file's declared length.
    assert [c["seconds"] for c in seen] == [3.0, 5.9, 7.5]
    assert all(c["of"] == pytest.approx(7.55, abs=0.01) for c in seen)
    assert uploads.state(state.id).to_json()["checked"] is None  # done: no figure left


def test_a_refused_upload_keeps_its_reason_and_nothing_else(
    uploads: Uploads, settings: Settings, media_files: Path
) -> None:
    data = (media_files / "page.mp3").read_bytes()
    state = uploads.create("episode.mp3", len(data))
    uploads.write(state.id, 0, io.BytesIO(data), len(data))
    with pytest.raises(MediaRejected, match="web page"):
        uploads.finish(state.id)
    after = uploads.state(state.id)
    assert after.status == "rejected" and "web page" in after.note
    assert stored_files(settings) == []


def test_more_bytes_than_declared_are_refused(uploads: Uploads) -> None:
    state = uploads.create("a.mp3", 4)
    with pytest.raises(MediaRejected, match="past its declared size"):
        uploads.write(state.id, 0, io.BytesIO(b"12345"), 5)
    with pytest.raises(MediaRejected, match="More bytes arrived"):
        uploads.write(state.id, 0, io.BytesIO(b"12345"), None)


def test_a_dropped_stream_keeps_what_arrived(uploads: Uploads) -> None:
    class Dropping(io.BytesIO):
        def read(self, n: int | None = -1) -> bytes:
            if self.tell() >= 100_000:
                raise ConnectionResetError("client went away")
            return super().read(min(n or 65536, 100_000 - self.tell()))

    state = uploads.create("a.mp3", 300_000)
    with pytest.raises(ConnectionResetError):
        uploads.write(state.id, 0, Dropping(b"x" * 300_000), 300_000)
    assert uploads.state(state.id).offset == 100_000


def test_sweep_removes_leftovers_and_keeps_live_uploads(
    uploads: Uploads, settings: Settings, db: Database
) -> None:
    live = uploads.create("live.mp3", 10)
    expired = uploads.create("old.mp3", 10)
    folder = upload_dir(settings)
    orphan = folder / "orphan-from-a-crash.part"
    orphan.write_bytes(b"x")
    stale = settings.data_dir / "tmp" / "ingest-0123456789abcdef.part"
    stale.write_bytes(b"x")
    hour_ago = time.time() - 2 * 3600
    os.utime(stale, (hour_ago, hour_ago))
    fresh = settings.data_dir / "tmp" / "ingest-fedcba9876543210.part"
    fresh.write_bytes(b"x")  # an import running right now
    later = datetime.now(UTC) + timedelta(hours=23)
    with db.write() as session:
        from radio.media.store import UploadSession

        row = session.get(UploadSession, expired.id)
        assert row is not None
        row.expires_at = datetime.now(UTC) - timedelta(minutes=1)
    assert sweep_temporary(settings, db, now=later - timedelta(hours=23)) == 3
    assert (folder / f"{live.id}.part").exists() and fresh.exists()
    assert not orphan.exists() and not stale.exists()
    assert not (folder / f"{expired.id}.part").exists()
    with pytest.raises(UploadGone):
        uploads.state(expired.id)
    assert uploads.state(live.id).status == "receiving"


def test_a_station_starting_leaves_an_analysis_running_in_a_web_process_alone(
    uploads: Uploads, settings: Settings, db: Database
) -> None:
    """``radio run`` restarts while another web process analyses an upload: the sweep must
    not send that upload back to "receiving" (the presenter would upload it again); one
    whose analysis was cut short (no process holds its file) is finished again."""
    from radio.media.store import UploadSession

    running, cut_short = uploads.create("running.mp3", 10), uploads.create("cut.mp3", 10)
    with db.write() as session:
        for upload in (running, cut_short):
            row = session.get(UploadSession, upload.id)
            assert row is not None
            row.status = "analysing"
    with (upload_dir(settings) / f"{running.id}.analysing").open("ab") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as Uploads.finish holds it while analysing
        sweep_temporary(settings, db)
    assert uploads.state(running.id).status == "analysing"
    assert uploads.state(cut_short.id).status == "receiving"
    assert (upload_dir(settings) / f"{running.id}.part").exists()


def test_sweep_works_before_the_database_exists(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "fresh")
    leftover = upload_dir(settings) / "x.part"
    leftover.write_bytes(b"x")
    empty = Database(settings.database_url_in_use)  # no tables yet
    try:
        assert sweep_temporary(settings, empty) == 1
    finally:
        empty.dispose()
