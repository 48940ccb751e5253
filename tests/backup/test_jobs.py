"""The pieces the station wires in: the nightly job, the last backup's record, the settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from radio.backup.service import add_nightly_job, last_backup, nightly_backup
from radio.config import Settings, load_settings
from radio.errors import ConfigError


def test_the_nightly_job_runs_at_backup_at_in_station_time_once_a_repository_is_set(
    tmp_path: Path,
) -> None:
    scheduler = BackgroundScheduler()
    assert not add_nightly_job(scheduler, Settings(data_dir=tmp_path))
    assert scheduler.get_jobs() == []
    settings = Settings(data_dir=tmp_path, backup_repository=str(tmp_path / "repo"),
                        backup_at="02:15", timezone="America/New_York")  # fmt: skip
    assert add_nightly_job(scheduler, settings)
    (job,) = scheduler.get_jobs()
    assert "hour='2'" in str(job.trigger) and "minute='15'" in str(job.trigger)
    assert str(job.trigger.timezone) == "America/New_York"


def test_a_failed_nightly_backup_is_recorded_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("RESTIC_PASSWORD", "RESTIC_PASSWORD_FILE", "RESTIC_PASSWORD_COMMAND"):
        monkeypatch.delenv(name, raising=False)
    assert last_backup(tmp_path) is None
    settings = Settings(data_dir=tmp_path, backup_repository=str(tmp_path / "repo"))
    result = nightly_backup(settings)  # no password anywhere
    assert not result.ok
    assert result.message.startswith("No password for the backup repository is set;")
    assert last_backup(tmp_path) == result
    assert result.to_json()["ok"] is False


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RADIO_BACKUP_AT": "25:00"}, "backup_at must be a local time such as 03:30"),
        ({"RADIO_BACKUP_KEEP_DAILY": "0", "RADIO_BACKUP_KEEP_WEEKLY": "0",
          "RADIO_BACKUP_KEEP_MONTHLY": "0"}, "at least one above 0"),
        ({"RADIO_BACKUP_KEEP_WEEKLY": "-1"}, "must be 0 or more"),
    ],
)  # fmt: skip
def test_backup_settings_are_checked(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=env)
