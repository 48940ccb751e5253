"""``radio logger export`` and ``radio logger gaps`` on hand-made recordings."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from radio.config import Settings
from tests.logger.recordings import recording


def radio(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADIO_")}
    env.update(RADIO_DATA_DIR=str(data), RADIO_TIMEZONE="Europe/London")
    return subprocess.run(
        [sys.executable, "-m", "radio", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_export_writes_the_range_in_local_time_and_names_its_gap(tmp_path: Path) -> None:
    data = tmp_path / "var"
    folder = Settings(data_dir=data).logger_dir
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    recording(folder, start, 10, 1000)
    recording(folder, start + timedelta(seconds=15), 10, 1500)
    tz = Settings().tz
    begin, end = start.astimezone(tz), (start + timedelta(seconds=25)).astimezone(tz)
    out = tmp_path / "range.mp3"
    done = radio(data, "logger", "export", "--from", f"{begin:%Y-%m-%d %H:%M:%S}",
                 "--to", f"{end:%Y-%m-%d %H:%M:%S}", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Wrote {out}: {begin:%Y-%m-%d %H:%M:%S} to {end:%H:%M:%S}")
    gap_from = (start + timedelta(seconds=10)).astimezone(tz)
    assert f"The logger has no recording from {gap_from:%H:%M:%S}" in done.stderr
    assert out.stat().st_size > 100_000
    listed = radio(data, "logger", "gaps")
    assert f"{gap_from:%Y-%m-%d %H:%M:%S}" in listed.stdout and "(5 s)" in listed.stdout


def test_export_outside_retention_is_refused_with_a_sentence(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir()
    done = radio(data, "logger", "export", "--from", "2020-01-01 19:00",
                 "--to", "2020-01-01 20:00", str(tmp_path / "x.mp3"))  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith(
        "radio: The logger keeps the last 42 days only: 2020-01-01 19:00:00 GMT is older than"
    )
    assert "Traceback" not in done.stderr
    bad = radio(data, "logger", "export", "--from", "yesterday", "--to", "now", "x.mp3")
    assert bad.stderr == (
        "radio: --from 'yesterday' is not a local date and time; write it like 2026-12-01 19:00.\n"
    )
