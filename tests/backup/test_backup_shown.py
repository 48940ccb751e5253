"""The last backup's time and result are on /healthz and the admin's settings page."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from pathlib import Path

from radio.backup.service import (
    STATUS_FILE,
    BackupResult,
    _only_one,
    backup_station,
    last_backup,
)
from tests.support import require
from tests.web.people import (
    EMAILS,
    NOW,
    Station,
    login,
    station_fixture,  # noqa: F401  (the "station" fixture)
)
from web import create_app


def test_a_failed_backup_is_shown_on_healthz_and_to_the_admin(
    station: Station, tmp_path: Path
) -> None:
    password = tmp_path / "restic-password"
    password.write_text("a long enough password\n")
    settings = dataclasses.replace(
        station.services.settings,
        backup_repository=str(tmp_path / "no-such-repository"),
        backup_password_file=str(password),
    )
    services = dataclasses.replace(station.services, settings=settings)
    app = create_app(settings, services)
    app.config["TESTING"] = True
    admin = app.test_client()
    login(admin, EMAILS["admin"])
    before = admin.get("/admin/settings").get_data(as_text=True)
    assert "No backup has been made yet" in before

    result = backup_station(settings)
    assert not result.ok

    health = app.test_client().get("/healthz").get_json()
    assert health["backup"]["ok"] is False
    assert health["backup"]["message"] == result.message
    after = admin.get("/admin/settings").get_data(as_text=True)
    assert "it failed" in after and "There is no restic repository" in after


def test_a_backup_refused_while_another_runs_leaves_that_ones_result(
    station: Station, tmp_path: Path
) -> None:
    """``radio backup`` while the nightly backup runs is told so; the status /healthz shows
    stays the running one's (here the last one recorded)."""
    password = tmp_path / "restic-password"
    password.write_text("a long enough password\n")
    repository = tmp_path / "repository"
    env = {**os.environ, "RESTIC_PASSWORD_FILE": str(password)}
    subprocess.run([require("restic"), "init", "--repo", str(repository)], env=env, check=True,
                   capture_output=True)  # fmt: skip
    settings = dataclasses.replace(
        station.services.settings,
        backup_repository=str(repository),
        backup_password_file=str(password),
    )
    settings.data_dir.joinpath("log").mkdir(parents=True, exist_ok=True)
    recorded = BackupResult(True, NOW, NOW, str(repository), "Backed up earlier.")
    (settings.data_dir / STATUS_FILE).write_text(json.dumps(recorded.to_json()))
    with _only_one(settings.data_dir):  # the nightly backup, running
        refused = backup_station(settings)
    assert refused.message == "Another backup of this station is running; wait for it to finish."
    assert last_backup(settings.data_dir) == recorded
