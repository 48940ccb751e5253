"""Who may open an upload, tried on every combination of the fields that say where it goes.

``POST /api/uploads`` names up to three places for the file: a ``show``, an occurrence of the
grid (``occurrence_id``) and a station ``playlist``. Authorisation must be decided on the
request as a whole: a presenter once added a file to the station's rotation by naming a slot
of their own show *and* ``playlist=rotation``, each field passing its own check.

The probe sends every combination of those fields (each absent, pointing at presenter A's
things, at presenter B's, or at something that does not exist or is malformed) as each kind
of person (anonymous, presenter A, presenter B, a volunteer, an admin) and checks:

* the status is what :func:`expected` (written here independently of the code) says;
* playlists are for volunteers and admins only, whatever else the request carries;
* a refused request leaves the playlists byte for byte as they were and opens no upload.

Then the whole path for real: a presenter's complete file naming a playlist is refused and
the rotation is untouched; a volunteer's is added and the rotation keeps its comment lines.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from radio.media.store import UploadSession
from tests.media.make_fixtures import make_fixtures
from tests.web.people import Station, csrf, make_station

ROLES = ("anonymous", "presenter_a", "presenter_b", "volunteer", "admin")
#: What each field may be: absent, presenter A's, presenter B's, something that is not there.
SHOWS = (None, "show-a", "show-b", "no-such-show")
OCCURRENCES = (None, "a", "b", "no-such-occurrence")
PLAYLISTS = (None, "rotation", "jingles", "no-such-playlist", "../rotation")
OWNER = {"a": "show-a", "b": "show-b"}
PRESENTS = {"presenter_a": {"show-a", "live-a"}, "presenter_b": {"show-b"}}


def expected(role: str, show: str | None, occ: str | None, playlist: str | None) -> int:
    """The status the station must answer, from the rules as a person would state them."""
    if role == "anonymous":
        return 401
    staff = role in ("volunteer", "admin")
    if not staff:
        if playlist is not None:
            return 403  # playlists are the station's, never a presenter's
        if occ is None:
            return 403  # a presenter uploads to a slot
        if occ in OWNER and OWNER[occ] not in PRESENTS[role]:
            return 403  # someone else's slot
    if playlist is not None and playlist not in ("rotation", "jingles"):
        return 422
    if occ is None:
        return 422 if show is not None else 201
    if occ not in OWNER:
        return 404
    if show is not None and show != OWNER[occ]:
        return 422
    return 201


def metadata(fields: dict[str, str]) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in fields.items())


def open_upload(client: FlaskClient, token: str, size: int, fields: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/uploads",
        headers={"Tus-Resumable": "1.0.0", "Upload-Length": str(size),
                 "Upload-Metadata": metadata(fields), "X-CSRFToken": token},
    )  # fmt: skip


def playlist_bytes(station: Station) -> dict[str, bytes]:
    folder = station.services.settings.playlists_dir
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def sessions(station: Station) -> int:
    with station.services.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(UploadSession)) or 0)


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Station]:
    made = make_station(tmp_path_factory.mktemp("upload-access"))
    yield made
    made.services.db.dispose()


@pytest.mark.parametrize("role", ROLES)
def test_every_combination_of_fields_for_every_role(station: Station, role: str) -> None:
    client = station.client(None if role == "anonymous" else role)
    token = csrf(client, "/login" if role == "anonymous" else "/logout")
    occurrences = {"a": station.occurrence("show-a"), "b": station.occurrence("show-b")}
    before = playlist_bytes(station)
    wrong = []
    for show, occ, playlist in itertools.product(SHOWS, OCCURRENCES, PLAYLISTS):
        fields = {"filename": "episode.mp3"}
        if show is not None:
            fields["show"] = show
        if occ is not None:
            fields["occurrence_id"] = occurrences.get(occ, occ)
        if playlist is not None:
            fields["playlist"] = playlist
        open_before = sessions(station)
        answer = open_upload(client, token, 1000, fields)
        want = expected(role, show, occ, playlist)
        if answer.status_code != want:
            wrong.append(f"{fields}: expected {want}, got {answer.status_code}")
        if answer.status_code == 201:  # cancel it, so the next request starts clean
            gone = client.delete(answer.headers["Location"], headers={"X-CSRFToken": token})
            assert gone.status_code == 204
        else:
            assert answer.mimetype == "application/problem+json"
            assert answer.json is not None and answer.json["detail"].endswith(".")
            assert sessions(station) == open_before, f"{fields} left an upload open"
        assert playlist_bytes(station) == before, f"{fields} changed a playlist"
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_a_presenter_is_told_plainly_that_playlists_are_not_theirs(station: Station) -> None:
    client = station.client("presenter_a")
    answer = open_upload(client, csrf(client), 1000, {
        "filename": "tune.mp3", "occurrence_id": station.occurrence("show-a"),
        "show": "show-a", "playlist": "rotation",
    })  # fmt: skip
    assert answer.status_code == 403
    assert answer.json is not None and answer.json["detail"] == (
        "Only the station's volunteers and admins can add files to a playlist; "
        "upload your episode to one of your show's slots."
    )


def test_unreadable_metadata_is_refused_not_dropped(station: Station) -> None:
    """A field that cannot be decoded must not vanish and let the rest pass as if absent."""
    client = station.client("presenter_a")
    answer = client.post(
        "/api/uploads",
        headers={"Tus-Resumable": "1.0.0", "Upload-Length": "1000", "X-CSRFToken": csrf(client),
                 "Upload-Metadata": metadata({"occurrence_id": station.occurrence("show-a")})
                 + ",playlist not*base64"},
    )  # fmt: skip
    assert answer.status_code == 400
    assert answer.json is not None and answer.json["detail"] == (
        "The upload's 'playlist' (in Upload-Metadata) is not base64-encoded UTF-8 text."
    )


def send_whole(client: FlaskClient, token: str, url: str, data: bytes):  # type: ignore[no-untyped-def]
    return client.patch(
        url, data=data,
        headers={"Tus-Resumable": "1.0.0", "Upload-Offset": "0", "X-CSRFToken": token,
                 "Content-Type": "application/offset+octet-stream"},
    )  # fmt: skip


def test_a_volunteer_adds_to_the_rotation_and_its_comments_stay(
    tmp_path: Path,
) -> None:
    station = make_station(tmp_path)
    try:
        data = (make_fixtures() / "programme-mp3.mp3").read_bytes()
        rotation = station.services.settings.playlists_dir / "rotation.m3u8"
        original = rotation.read_text()
        comments = [line for line in original.splitlines() if line.startswith("#")]
        assert len(comments) >= 3
        # A presenter with a slot of their own cannot.
        presenter = station.client("presenter_a")
        token = csrf(presenter)
        refused = open_upload(presenter, token, len(data), {
            "filename": "tune.mp3", "occurrence_id": station.occurrence("show-a"),
            "playlist": "rotation",
        })  # fmt: skip
        assert refused.status_code == 403
        assert rotation.read_text() == original
        # A volunteer can, and the rotation keeps every comment line.
        volunteer = station.client("volunteer")
        token = csrf(volunteer)
        made = open_upload(volunteer, token, len(data),
                           {"filename": "tune.mp3", "playlist": "rotation"})  # fmt: skip
        assert made.status_code == 201
        done = send_whole(volunteer, token, made.headers["Location"], data)
        assert done.status_code == 204, done.get_data(as_text=True)
        state = volunteer.get(made.headers["Location"]).json
        assert state is not None and "Added to the playlist rotation." in state["result"]["notes"]
        lines = rotation.read_text().splitlines()
        assert lines[: len(original.splitlines())] == original.splitlines()
        assert len(lines) == len(original.splitlines()) + 1
    finally:
        station.services.db.dispose()
