"""One person cannot hold the station's upload space hostage.

A presenter once opened 100 uploads of 1 GiB each: every one reserved room and a row, and
none ever finished. The probe tries the same, and a few malformed sizes, and checks:

* one person may have ``upload_sessions_per_person`` uploads in progress and declare
  ``upload_reserved_bytes_per_person`` bytes in all; beyond that the answer is 429 with a
  sentence saying what to do, and nothing is opened; other people are not affected;
* an upload that receives nothing for ``upload_expire_after_h`` hours is removed with its
  bytes, both by the periodic sweep and when the same person opens a new one;
* an ``Upload-Length`` that is negative or not a whole number is a 400 with a sentence, and
  opens nothing (it used to open an upload that could never finish).
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from radio.bootstrap import open_database
from radio.config import Settings, load_settings
from radio.errors import ConfigError
from radio.media.library import MediaLibrary
from radio.media.store import UploadSession
from radio.media.uploads import UploadGone, Uploads, expire_uploads, upload_dir
from tests.web.people import Station, csrf, station_fixture  # noqa: F401
from tests.web.test_uploads import open_upload

GIB = 1024**3


def opened(station: Station) -> int:
    with station.services.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(UploadSession)) or 0)


def new_upload(client: FlaskClient, token: str, station: Station, size: int = 1000):  # type: ignore[no-untyped-def]
    return open_upload(client, token, size, filename="episode.mp3",
                       occurrence_id=station.occurrence("show-a"))  # fmt: skip


def test_too_many_uploads_in_progress_are_refused_until_one_is_cancelled(
    station: Station,
) -> None:
    client = station.client("presenter_a")
    token = csrf(client)
    most = station.services.settings.upload_sessions_per_person
    assert most == 4
    made = [new_upload(client, token, station) for _ in range(most)]
    assert [m.status_code for m in made] == [201] * most
    refused = new_upload(client, token, station)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert refused.json is not None and refused.json["detail"] == (
        "You already have 4 uploads in progress, the most one person may have at once; "
        "finish or cancel one (an upload that receives nothing for 24 hours is removed), "
        "then start this one."
    )
    assert opened(station) == most
    # Someone else is not held up by it.
    other = station.client("presenter_b")
    answer = open_upload(other, csrf(other), 1000, filename="b.mp3",
                         occurrence_id=station.occurrence("show-b"))  # fmt: skip
    assert answer.status_code == 201
    # Cancelling one makes room.
    assert (
        client.delete(made[0].headers["Location"], headers={"X-CSRFToken": token}).status_code
        == 204
    )
    assert new_upload(client, token, station).status_code == 201


def test_the_bytes_one_person_may_reserve_are_limited(station: Station) -> None:
    client = station.client("presenter_a")
    token = csrf(client)
    assert station.services.settings.upload_reserved_bytes_per_person == 2 * GIB
    assert new_upload(client, token, station, GIB).status_code == 201
    assert new_upload(client, token, station, GIB).status_code == 201
    refused = new_upload(client, token, station, 1000)
    assert refused.status_code == 429
    assert refused.json is not None and refused.json["detail"] == (
        "Your uploads in progress already declare 2.0 GiB, and this 1000 bytes file would "
        "take you past the 2.0 GiB one person may upload at once; finish or cancel one of "
        "them, then start this one."
    )
    assert opened(station) == 2


def test_an_abandoned_upload_is_removed_when_its_owner_opens_another(station: Station) -> None:
    client = station.client("presenter_a")
    token = csrf(client)
    urls = [new_upload(client, token, station).headers["Location"] for _ in range(4)]
    first = urls[0].rsplit("/", 1)[1]
    part = upload_dir(station.services.settings) / f"{first}.part"
    assert part.exists()
    with station.services.db.write() as session:  # nothing received for a day
        row = session.get(UploadSession, first)
        assert row is not None
        row.expires_at = station.clock[0] - timedelta(minutes=1)  # by the station clock
    assert new_upload(client, token, station).status_code == 201
    assert not part.exists()
    assert client.get(urls[0]).status_code == 404
    assert opened(station) == 4


def test_the_periodic_sweep_removes_uploads_idle_for_the_configured_time(
    tmp_path: Path,
) -> None:
    hourly = Settings(data_dir=tmp_path / "var", upload_expire_after_h=1.0)
    db = open_database(hourly)
    now = [datetime(2026, 11, 23, 9, 0, tzinfo=UTC)]
    uploads = Uploads(MediaLibrary(hourly, db), clock=lambda: now[0])
    idle = uploads.create("idle.mp3", 1000, owner="7")
    busy = uploads.create("busy.mp3", 1000, owner="7")
    now[0] += timedelta(minutes=30)
    uploads.write(busy.id, 0, io.BytesIO(b"x" * 10), 10)  # a byte received: the clock restarts
    assert expire_uploads(hourly, db, now=now[0] + timedelta(minutes=31)) == 1
    assert not (upload_dir(hourly) / f"{idle.id}.part").exists()
    with pytest.raises(UploadGone):
        uploads.state(idle.id)
    assert uploads.state(busy.id).offset == 10
    assert expire_uploads(hourly, db, now=now[0] + timedelta(minutes=61)) == 1
    assert not (upload_dir(hourly) / f"{busy.id}.part").exists()
    db.dispose()


@pytest.mark.parametrize(
    "length", ["-5", "abc", "1_000", "12.5", "١٢", "+7", "99999999999999999999"]
)
def test_a_size_that_is_not_a_whole_number_of_bytes_is_a_400(station: Station, length: str) -> None:
    client = station.client("presenter_a")
    answer = client.post(
        "/api/uploads",
        headers={"Tus-Resumable": "1.0.0", "Upload-Length": length, "X-CSRFToken": csrf(client)},
    )
    assert answer.status_code == 400
    assert answer.json is not None and answer.json["detail"] == (
        f"Upload-Length must be the file's size in bytes, a whole number such as 52428800, "
        f"not {length!r}."
    )
    assert opened(station) == 0


def test_a_negative_size_in_a_json_body_is_a_400(station: Station) -> None:
    client = station.client("presenter_a")
    answer = client.post(
        "/api/uploads", json={"size": -1, "occurrence_id": station.occurrence("show-a")},
        headers={"X-CSRFToken": csrf(client)},
    )  # fmt: skip
    assert answer.status_code == 400
    assert opened(station) == 0


def test_the_quota_settings_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="upload_sessions_per_person must be 1 or more"):
        load_settings(environ={"RADIO_UPLOAD_SESSIONS_PER_PERSON": "0"})
    with pytest.raises(ConfigError, match="at least max_upload_bytes"):
        load_settings(environ={"RADIO_UPLOAD_RESERVED_BYTES_PER_PERSON": "1000"})
    with pytest.raises(ConfigError, match="upload_expire_after_h must be above 0"):
        load_settings(environ={"RADIO_UPLOAD_EXPIRE_AFTER_H": "0"})
