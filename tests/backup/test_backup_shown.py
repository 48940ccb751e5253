"""The last backup's time and result are on /healthz and the admin's settings page."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from radio.backup.service import backup_station
from tests.web.people import (
    EMAILS,
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
