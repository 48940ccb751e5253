"""The off-air logger's disk fills up while the station is on air.

The probe puts the logger's folder on a small disk of its own (a tmpfs) holding one
recording from ten days ago, starts the real stack, and fills the disk to the last byte.
What must hold: the stream keeps playing (Liquidsoap is never restarted, listeners hear the
programme); the logger says it cannot write and ``/healthz`` reports that it has stopped
and that the disk cannot hold the retention period; the ten-day-old recording is still
there (nothing is removed early to make room, retention included); and once space returns
the logger records again on its own, the lost stretch listed as a gap.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from radio.bootstrap import build_services
from radio.logger.files import find_gaps, list_files, recording_since, remove_expired
from radio.logger.writer import file_name
from tests.playout.rig import Rig, start_rig
from tests.security.disk import fill, small_disk
from tests.support import decode, rms_dbfs, wait_for

pytestmark = pytest.mark.stack


@pytest.fixture
def rig(tmp_path: Path, demo_media: Path) -> Iterator[tuple[Rig, Path]]:
    with small_disk(tmp_path / "var" / "logger", 4) as folder:
        old = folder / file_name((datetime.now(UTC) - timedelta(days=10)).timestamp(), ".mp3")
        old.write_bytes(b"\xff" * 20000)
        with start_rig(tmp_path, demo_media, logger_file_seconds=3) as rig:
            yield rig, old


def liquidsoap_lines(rig: Rig) -> list[str]:
    child = next(c for c in rig.supervisor.children if c.name == "liquidsoap")
    return list(child.recent)


def test_a_full_disk_stops_the_logger_not_the_stream(rig: tuple[Rig, Path]) -> None:
    station, old = rig
    settings = station.settings
    folder = settings.logger_dir
    wait_for(lambda: len(list_files(folder)) >= 3, 20, "the logger's first files")
    pid = station.liquidsoap_pid()
    ballast = fill(folder)
    filled = datetime.now(UTC)
    wait_for(
        lambda: any("radio logger: cannot write" in line for line in liquidsoap_lines(station)),
        10,
        "the logger to say it cannot write",
    )
    # Listeners still hear the programme.
    assert rms_dbfs(decode(station.mp3, 4)) > -40
    services = build_services(settings)
    try:
        wait_for(
            lambda: any(
                r.startswith("the off-air logger has written nothing since")
                for r in services.health.engine().reasons
            ),
            30,
            "/healthz to say the logger stopped",
        )
        warnings = services.health.engine().warnings
        assert any("less than the 42 days it must keep" in w for w in warnings), warnings
    finally:
        services.liquidsoap.close()
        services.db.dispose()
    # Nothing is removed to make room, and retention leaves a ten-day-old file alone.
    assert remove_expired(folder, settings.logger_keep_days, datetime.now(UTC)) == []
    assert old.exists()
    ballast.unlink()
    freed = datetime.now(UTC)
    wait_for(
        lambda: any(f.start >= freed - timedelta(seconds=1) for f in list_files(folder)),
        10,
        "the logger to record again",
    )
    wait_for(lambda: list_files(folder)[-1].size > 16000, 10, "a second of the new recording")
    assert station.liquidsoap_pid() == pid, "Liquidsoap was restarted"
    files = [f for f in list_files(folder) if f.path != old]
    gaps = find_gaps(files, recording_since(folder), files[0].start, files[-1].end)
    assert len(gaps) == 1, gaps
    assert gaps[0].start <= filled + timedelta(seconds=1)
    assert gaps[0].end >= freed - timedelta(seconds=1)
