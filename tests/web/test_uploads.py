"""The upload endpoint: tus-like chunks at offsets, limits told before any byte, problem
details for refusals, and a real server whose connection drops halfway, then resumes."""

from __future__ import annotations

import base64
import gc
import hashlib
import http.client
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import waitress
from flask.testing import FlaskClient
from sqlalchemy import func, select

from radio.media.library import MediaLibrary
from radio.media.store import MediaItem
from tests.media.make_fixtures import make_fixtures
from tests.web.people import Station, csrf, station_fixture  # noqa: F401

CHUNK = 40_000


@pytest.fixture(scope="module")
def media_files() -> Path:
    return make_fixtures()


def metadata(**fields: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in fields.items())


def open_upload(client: FlaskClient, token: str, size: int, **fields: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/uploads",
        headers={"Tus-Resumable": "1.0.0", "Upload-Length": str(size),
                 "Upload-Metadata": metadata(**fields), "X-CSRFToken": token},
    )  # fmt: skip


def send(client: FlaskClient, token: str, url: str, data: bytes, offset: int):  # type: ignore[no-untyped-def]
    return client.patch(
        url, data=data,
        headers={"Tus-Resumable": "1.0.0", "Upload-Offset": str(offset), "X-CSRFToken": token,
                 "Content-Type": "application/offset+octet-stream"},
    )  # fmt: skip


def items(station: Station) -> int:
    with station.services.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(MediaItem)) or 0)


def test_a_presenter_uploads_an_episode_in_chunks(station: Station, media_files: Path) -> None:
    client = station.client("presenter_a")
    token = csrf(client)
    data = (media_files / "programme-mp3.mp3").read_bytes()
    occurrence = station.occurrence("show-a")
    made = open_upload(client, token, len(data), filename="Tuesday.mp3",
                       occurrence_id=occurrence, show="show-a")  # fmt: skip
    assert made.status_code == 201, made.get_data(as_text=True)
    url = made.headers["Location"]
    assert made.headers["Upload-Offset"] == "0" and made.json is not None
    assert made.json["limit"] == station.services.settings.max_upload_bytes
    offset = 0
    while offset < len(data):
        answer = send(client, token, url, data[offset : offset + CHUNK], offset)
        assert answer.status_code == 204, answer.get_data(as_text=True)
        offset = int(answer.headers["Upload-Offset"])
        assert client.head(url).headers["Upload-Offset"] == str(offset)
    state = client.get(url).json
    assert state is not None and state["status"] == "done"
    assert state["result"]["item"]["original_filename"] == "Tuesday.mp3"
    warnings = state["result"]["warnings"]
    assert any("much shorter than its 1:00:00 slot" in w for w in warnings)
    # No title in the file's tags: the episode is named after its show and date.
    assert state["result"]["item"]["title"] == "Show A, 24 November 2026"
    library = MediaLibrary(station.services.settings, station.services.db)
    episode = library.episode_for(occurrence)
    assert episode is not None and episode.path.read_bytes() == data
    # A repeated finish gives the same answer.
    again = client.post(f"{url}/finish", headers={"X-CSRFToken": token})
    assert again.status_code == 200 and again.json is not None
    assert again.json["media_id"] == state["media_id"]


def test_too_large_is_refused_before_any_byte_with_the_limit(station: Station) -> None:
    client = station.client("presenter_a")
    limit = station.services.settings.max_upload_bytes
    answer = open_upload(client, csrf(client), limit + 1, filename="huge.wav",
                         occurrence_id=station.occurrence("show-a"), show="show-a")  # fmt: skip
    assert answer.status_code == 413
    assert answer.mimetype == "application/problem+json"
    assert answer.json is not None and answer.json["limit"] == limit
    assert answer.json["detail"] == (
        "The file is 1.0 GiB, over the station's limit of 1.0 GiB; export it at a lower bit "
        "rate (for example MP3 at 192 kbit/s) or split it."
    )


def test_presenters_upload_only_to_their_own_slots(station: Station) -> None:
    client = station.client("presenter_b")
    answer = open_upload(client, csrf(client), 1000, filename="x.mp3",
                         occurrence_id=station.occurrence("show-a"), show="show-a")  # fmt: skip
    assert answer.status_code == 403
    assert answer.json is not None
    assert answer.json["detail"] == "You can upload episodes only to your own shows' slots."
    # Leaving the show out does not help: the grid says whose slot it is.
    sneaky = open_upload(client, csrf(client), 1000, filename="x.mp3",
                         occurrence_id=station.occurrence("show-a"))  # fmt: skip
    assert sneaky.status_code == 403
    unknown = open_upload(client, csrf(client), 1000, filename="x.mp3", occurrence_id="nope")
    assert unknown.status_code == 404
    anonymous = station.client()
    assert open_upload(
        anonymous, csrf(anonymous, "/login"), 1000, filename="x.mp3"
    ).status_code in (
        401,
        400,
    )


def test_a_refused_file_is_a_problem_with_its_sentence_and_leaves_nothing(
    station: Station, media_files: Path
) -> None:
    client = station.client("presenter_a")
    token = csrf(client)
    data = (media_files / "page.mp3").read_bytes()
    made = open_upload(client, token, len(data), filename="episode.mp3",
                       occurrence_id=station.occurrence("show-a"), show="show-a")  # fmt: skip
    answer = send(client, token, made.headers["Location"], data, 0)
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert answer.json is not None and answer.json["detail"] == (
        "The file is a web page (HTML), not audio, whatever its name says; download the "
        "recording itself, not the page that links to it."
    )
    assert items(station) == 0
    media = station.services.settings.media_dir
    assert not any(p.is_file() for p in media.rglob("*"))
    state = client.get(made.headers["Location"]).json
    assert state is not None and state["status"] == "rejected"


def test_a_wrong_offset_is_a_conflict_that_says_where_to_resume(
    station: Station, media_files: Path
) -> None:
    client = station.client("presenter_a")
    token = csrf(client)
    made = open_upload(client, token, 100, filename="a.mp3",
                       occurrence_id=station.occurrence("show-a"), show="show-a")  # fmt: skip
    url = made.headers["Location"]
    assert send(client, token, url, b"x" * 10, 0).status_code == 204
    wrong = send(client, token, url, b"x" * 10, 0)
    assert wrong.status_code == 409 and wrong.headers["Upload-Offset"] == "10"
    assert wrong.json is not None and wrong.json["offset"] == 10
    other = station.client("presenter_b")
    assert other.head(url).status_code == 404  # not theirs


# A real server, a dropped connection ---------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@pytest.fixture
def server(station: Station) -> Iterator[int]:
    served = waitress.create_server(station.app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    yield int(served.effective_port)  # type: ignore[union-attr]
    served.close()
    thread.join(timeout=5)
    gc.collect()  # within the test's warning filters (see the test below)


# waitress lets go of a cut-short request's spool file without closing it (a ResourceWarning
# from its thread); that is waitress's, not ours.
@pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning")
def test_an_upload_survives_a_dropped_connection_and_resumes(
    station: Station, server: int, media_files: Path
) -> None:
    browser = station.client("presenter_a")
    token = csrf(browser)
    cookie = browser.get_cookie("session")
    assert cookie is not None
    auth = {"Cookie": f"session={cookie.value}", "X-CSRFToken": token, "Tus-Resumable": "1.0.0"}
    data = (media_files / "programme-wav.wav").read_bytes()  # 1.3 MB
    half = len(data) // 2

    def request(method: str, path: str, body: bytes = b"", **headers: str) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", server, timeout=30)
        try:
            conn.request(method, path, body=body, headers={**auth, **headers})
            response = conn.getresponse()
            return Answer(response.status, dict(response.getheaders()), response.read())
        finally:
            conn.close()

    made = request("POST", "/api/uploads", **{
        "Upload-Length": str(len(data)),
        "Upload-Metadata": metadata(filename="dropped.wav", show="show-a",
                                    occurrence_id=station.occurrence("show-a")),
    })  # fmt: skip
    assert made.status == 201, made.body
    url = made.headers["Location"]
    first = request("PATCH", url, data[:CHUNK], **{"Upload-Offset": "0",
                    "Content-Type": "application/offset+octet-stream"})  # fmt: skip
    assert first.status == 204

    # The second request promises the rest but the connection drops halfway through it.
    with socket.create_connection(("127.0.0.1", server)) as raw:
        head = (
            f"PATCH {url} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "".join(f"{k}: {v}\r\n" for k, v in auth.items())
            + f"Upload-Offset: {CHUNK}\r\nContent-Type: application/offset+octet-stream\r\n"
            + f"Content-Length: {len(data) - CHUNK}\r\n\r\n"
        )
        raw.sendall(head.encode() + data[CHUNK:half])
    reached = int(request("HEAD", url).headers["Upload-Offset"])
    assert CHUNK <= reached <= half  # what arrived is kept (all of it, or the last whole chunk)
    assert items(station) == 0

    resumed = request("PATCH", url, data[reached:], **{"Upload-Offset": str(reached),
                      "Content-Type": "application/offset+octet-stream"})  # fmt: skip
    assert resumed.status == 204, resumed.body
    library = MediaLibrary(station.services.settings, station.services.db)
    episode = library.episode_for(station.occurrence("show-a"))
    assert episode is not None
    assert hashlib.sha256(episode.path.read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()
    assert episode.cue_out_s == pytest.approx(6.0, abs=0.03)
