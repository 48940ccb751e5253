"""The station's disk fills up in the middle of an upload.

The probe mounts a small tmpfs as the station's data folder (database, media and the upload
temporary folder all on it), starts a presenter's upload, sends a first chunk, then fills the
disk to the last byte and sends the next chunk. What must hold:

* the presenter gets the real reason in one sentence (the disk is full; resume once space is
  freed; nothing received is lost), as problem details with the offset reached, not a
  generic "something went wrong" (the database write that records the upload's activity
  fails too on a full disk, and once replaced the real message);
* once space is freed, the upload resumes from that offset and the episode stored is the
  file, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from radio.media.library import MediaLibrary
from tests.media.make_fixtures import make_fixtures
from tests.security.disk import empty_wal, fill, small_disk
from tests.web.people import Station, csrf, make_station
from tests.web.test_uploads import open_upload, send

FULL = (
    "The station's disk is full, so the upload stopped at {offset} bytes; nothing received "
    "is lost: resume the upload once the station's admin has freed some space."
)


@pytest.fixture
def station(tmp_path: Path) -> Iterator[Station]:
    # 64 MiB are kept free beyond the file when an upload opens; a little more for the rest.
    with small_disk(tmp_path / "var", 72):
        made = make_station(tmp_path)
        try:
            yield made
        finally:
            made.services.db.dispose()


def test_a_full_disk_is_said_plainly_and_the_upload_resumes(station: Station) -> None:
    data = (make_fixtures() / "programme-wav.wav").read_bytes()
    client = station.client("presenter_a")
    token = csrf(client)
    made = open_upload(client, token, len(data), filename="Tuesday.wav",
                       occurrence_id=station.occurrence("show-a"), show="show-a")  # fmt: skip
    assert made.status_code == 201, made.get_data(as_text=True)
    url = made.headers["Location"]
    first = send(client, token, url, data[:400_000], 0)
    assert first.status_code == 204

    empty_wal(station.services.db)
    ballast = fill(station.services.settings.data_dir)
    answer = send(client, token, url, data[400_000:], 400_000)
    assert answer.status_code == 507, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    reached = int(answer.headers["Upload-Offset"])
    assert 400_000 <= reached < len(data)
    assert answer.json is not None and answer.json["detail"] == FULL.format(offset=reached)

    ballast.unlink()
    assert client.head(url).headers["Upload-Offset"] == str(reached)
    rest = send(client, token, url, data[reached:], reached)
    assert rest.status_code == 204, rest.get_data(as_text=True)
    library = MediaLibrary(station.services.settings, station.services.db)
    episode = library.episode_for(station.occurrence("show-a"))
    assert episode is not None and episode.path.read_bytes() == data
