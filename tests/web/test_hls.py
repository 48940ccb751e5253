"""The site's side of the HLS stream: the player offers it first, and ``/hls/`` serves the
files Liquidsoap's ffmpeg writes with the types and caching players and CDNs expect."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.listeners import ListenerStation, make_listener_station


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ListenerStation]:
    made = make_listener_station(Path(tmp_path_factory.mktemp("hls")))
    folder = made.services.settings.hls_dir
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "live.m3u8").write_text("#EXTM3U\n#EXTINF:4.0,\nlive1796000000.ts\n")
    (folder / "live1796000000.ts").write_bytes(b"\x47" * 188)
    yield made
    made.services.db.dispose()


def test_the_player_offers_hls_before_the_icecast_mounts(station: ListenerStation) -> None:
    html = station.client().get("/").get_data(as_text=True)
    hls = html.index('<source src="/hls/live.m3u8" type="application/vnd.apple.mpegurl">')
    assert hls < html.index("stream.mp3")


def test_the_playlist_and_segments_come_with_their_types(station: ListenerStation) -> None:
    playlist = station.client().get("/hls/live.m3u8")
    playlist.close()
    assert playlist.status_code == 200
    assert playlist.headers["Content-Type"] == "application/vnd.apple.mpegurl"
    assert playlist.headers["Cache-Control"] == "no-cache"
    assert playlist.headers["Access-Control-Allow-Origin"] == "*"
    segment = station.client().get("/hls/live1796000000.ts")
    assert segment.headers["Content-Type"] == "video/mp2t"
    assert segment.headers["Cache-Control"] == "public, max-age=86400, immutable"
    assert segment.data == b"\x47" * 188
    segment.close()


@pytest.mark.parametrize(
    ("name", "detail"),
    [("live2.ts", "The HLS stream is not being written just now; try again soon."),
     ("live.m3u8.bak", "There is no such file of the HLS stream; try /hls/live.m3u8."),
     ("secrets.toml", "There is no such file of the HLS stream; try /hls/live.m3u8.")],
)  # fmt: skip
def test_anything_else_is_a_404_in_a_sentence(
    station: ListenerStation, name: str, detail: str
) -> None:
    answer = station.client().get(f"/hls/{name}")
    assert answer.status_code == 404
    assert detail in answer.get_data(as_text=True)


def test_no_path_leads_out_of_the_folder(station: ListenerStation) -> None:
    for path in ("/hls/..%2Fradio.sqlite3", "/hls/../radio.sqlite3", "/hls/%2E%2E/secrets.toml"):
        answer = station.client().get(path)
        assert answer.status_code == 404, path
        assert b"SQLite" not in answer.data
