"""The station behind Caddy at one HTTPS address, on the real stack.

``radio run`` with ``public_url = https://localhost:PORT``, Caddy started on the Caddyfile
``radio proxy config --internal-tls`` wrote; everything below goes over HTTPS through Caddy,
with its certificate checked against Caddy's own local authority. A listener hears the
station at ``/stream.mp3``, a visitor gets the site with HSTS, an admin logs in with a
Secure cookie and uploads a file that ends up ready to air. The HLS stream, and the static
``/api/v1/now`` and ``/api/v1/schedule``, come from files Caddy serves itself; the now events
stream through Caddy from the site's events server.
"""

from __future__ import annotations

import array
import base64
import json
import os
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.media.make_fixtures import make_fixtures
from tests.proxy.rig import Browser, Proxied, Reply, proxied_station
from tests.support import free_port, require, rms_dbfs, wait_for

pytestmark = pytest.mark.stack

CHUNK = 64_000


@pytest.fixture(scope="module")
def proxied(demo_media: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    extra = {"RADIO_HLS_SEGMENT_S": "1", "RADIO_EVENTS_PORT": str(free_port())}
    with proxied_station(demo_media, tmp_path_factory.mktemp("proxied"), extra) as made:
        yield made


def logged_in(proxied: Proxied) -> Browser:
    browser = proxied.browser()
    answer = browser.log_in()
    assert answer.status == 302, answer.text
    return browser


def test_the_home_page_comes_over_https_with_hsts(proxied: Proxied) -> None:
    home = proxied.browser().request("GET", "/")
    assert home.status == 200
    assert home.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert proxied.station.settings.station_name in home.text


def test_login_sets_a_secure_session_cookie(proxied: Proxied) -> None:
    browser = logged_in(proxied)
    session = [c for c in browser.set_cookies if c.startswith("session=")]
    assert session, browser.set_cookies
    flags = {part.strip().lower() for part in session[-1].split(";")[1:]}
    assert "secure" in flags and "httponly" in flags
    landing = browser.request("GET", browser.landing.removeprefix(proxied.origin))
    assert landing.status == 200, browser.landing
    assert "Log out" in landing.text or "logout" in landing.text


def test_an_upload_through_the_proxy_becomes_ready(proxied: Proxied) -> None:
    browser = logged_in(proxied)
    csrf = browser.csrf("/logout")
    data = (make_fixtures() / "programme-mp3.mp3").read_bytes()
    name = base64.b64encode(b"Through Caddy.mp3").decode()
    made = browser.request("POST", "/api/uploads", headers={
        "Tus-Resumable": "1.0.0", "Upload-Length": str(len(data)),
        "Upload-Metadata": f"filename {name}", "X-CSRFToken": csrf,
    })  # fmt: skip
    assert made.status == 201, made.text
    url = made.headers["Location"]
    path = url.removeprefix(proxied.origin)
    assert path.startswith("/api/uploads/"), url
    offset = 0
    while offset < len(data):
        sent = browser.request("PATCH", path, body=data[offset : offset + CHUNK], headers={
            "Tus-Resumable": "1.0.0", "Upload-Offset": str(offset), "X-CSRFToken": csrf,
            "Content-Type": "application/offset+octet-stream",
        })  # fmt: skip
        assert sent.status in (200, 204), sent.text
        offset = int(sent.headers["Upload-Offset"])

    def finished() -> dict[str, object] | None:
        state = browser.request("GET", path)
        body = json.loads(state.body)
        return body if body["status"] in ("done", "rejected") else None

    state = wait_for(finished, 60, "the upload to be analysed")
    assert state["status"] == "done", state
    assert state["result"]["item"]["status"] == "ready", state  # type: ignore[index]


def test_a_listener_hears_the_stream_through_the_proxy(proxied: Proxied) -> None:
    ffmpeg = require("ffmpeg")
    out = subprocess.run(
        [ffmpeg, "-nostdin", "-v", "error", "-ca_file", str(proxied.ca_file),
         "-tls_verify", "1", "-i", f"{proxied.origin}/stream.mp3", "-t", "4",
         "-ac", "1", "-ar", "8000", "-f", "s16le", "-"],
        capture_output=True, timeout=40, check=True,
    ).stdout  # fmt: skip
    audio = array.array("h")
    audio.frombytes(out[: len(out) - len(out) % 2])
    assert len(audio) > 8000 * 3, "less than 3 s of audio came through"
    assert rms_dbfs(audio) > -40, "the stream through the proxy is silent"


def test_the_go_live_socket_reaches_the_harbor_through_the_proxy(proxied: Proxied) -> None:
    """The browser's wss:// connection to /harbor/live is the harbor's WebSocket (it answers
    the webcast subprotocol and asks for a key); other /harbor/ paths are the site's."""
    raw = socket.create_connection(("localhost", proxied.port), timeout=20)
    with proxied.tls().wrap_socket(raw, server_hostname="localhost") as conn:
        conn.sendall(
            b"GET /harbor/live HTTP/1.1\r\nHost: localhost:%d\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: "
            % proxied.port
            + base64.b64encode(os.urandom(16))
            + b"\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: webcast\r\n\r\n"
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(4096)
            assert chunk, head
            head += chunk
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0] == "HTTP/1.1 101 Switching Protocols", head
    assert "sec-websocket-protocol: webcast" in [line.lower() for line in lines]
    other = proxied.browser().request("GET", "/harbor/admin")
    assert other.status == 404


def segments(folder: Path) -> set[str]:
    return {p.name for p in folder.glob("live*.ts")}


def test_the_hls_stream_plays_through_the_proxy_and_its_segments_roll(proxied: Proxied) -> None:
    folder = proxied.station.settings.hls_dir
    wait_for(lambda: len(segments(folder)) >= 3, 60, "three HLS segments")
    browser = proxied.browser()
    playlist = browser.request("GET", "/hls/live.m3u8")
    assert playlist.status == 200, playlist.text
    assert playlist.headers["Content-Type"] == "application/vnd.apple.mpegurl"
    assert playlist.headers["Cache-Control"] == "no-cache"
    listed = [line for line in playlist.text.splitlines() if line.endswith(".ts")]
    segment = browser.request("GET", f"/hls/{listed[-1]}")
    assert segment.status == 200 and segment.headers["Content-Type"] == "video/mp2t"
    assert browser.request("GET", "/hls/../radio.sqlite3").status == 404
    ffmpeg = require("ffmpeg")
    out = subprocess.run(
        [ffmpeg, "-nostdin", "-v", "error", "-ca_file", str(proxied.ca_file),
         "-tls_verify", "1", "-i", f"{proxied.origin}/hls/live.m3u8", "-t", "3",
         "-ac", "1", "-ar", "8000", "-f", "s16le", "-"],
        capture_output=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    audio = array.array("h")
    audio.frombytes(out[: len(out) - len(out) % 2])
    assert len(audio) > 8000 * 2.5, "less than 2.5 s of audio came from the HLS stream"
    assert rms_dbfs(audio) > -40, "the HLS stream is silent"
    first = segments(folder)
    wait_for(lambda: not first & segments(folder), 60, "the first segments to be removed")
    assert len(segments(folder)) <= 10, sorted(segments(folder))  # 6 listed, 2 spare, 1 being made
    site = urllib.request.urlopen(f"{proxied.station.site}/hls/live.m3u8", timeout=10)
    assert site.headers["Content-Type"] == "application/vnd.apple.mpegurl"


def test_now_and_schedule_come_from_static_files(proxied: Proxied) -> None:
    files = proxied.station.settings.public_dir_in_use / "api" / "v1"
    wait_for(lambda: (files / "schedule.json").exists() and (files / "now.json").exists(),
             30, "the static now and schedule")  # fmt: skip
    browser = proxied.browser()

    def same_as_file() -> Reply | None:
        reply = browser.request("GET", "/api/v1/now")
        return reply if reply.body == (files / "now.json").read_bytes() else None

    now = wait_for(same_as_file, 20, "/api/v1/now to be the file's content")
    assert now.headers["Content-Type"] == "application/json"
    assert now.headers["Cache-Control"] == "no-cache"
    assert "Last-Modified" in now.headers  # Caddy's file server; the site sends none
    assert json.loads(now.body)["station"] == proxied.station.settings.station_name
    again = browser.request("GET", "/api/v1/now", headers={"If-None-Match": now.headers["ETag"]})
    assert again.status in (200, 304)
    week = browser.request("GET", "/api/v1/schedule")
    assert "Last-Modified" in week.headers and week.body == (files / "schedule.json").read_bytes()
    items = json.loads(week.body)["items"]
    assert items and items[0]["show"]["url"].startswith(proxied.origin + "/shows/")
    asked = browser.request("GET", "/api/v1/schedule?start=2026-12-01")
    assert asked.status == 200 and "Last-Modified" not in asked.headers  # the site's


def test_now_events_stream_through_the_proxy(proxied: Proxied) -> None:
    raw = socket.create_connection(("localhost", proxied.port), timeout=20)
    with proxied.tls().wrap_socket(raw, server_hostname="localhost") as conn:
        conn.sendall(b"GET /api/v1/now/events HTTP/1.1\r\nHost: localhost:%d\r\n"
                     b"Accept: text/event-stream\r\n\r\n" % proxied.port)  # fmt: skip
        got = b""
        while b"\ndata: " not in got or not got.rstrip(b"\r\n").endswith(b"}"):
            chunk = conn.recv(65536)
            assert chunk, got
            got += chunk
    head, _, body = got.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert b"content-type: text/event-stream" in head.lower()
    data = body.split(b"\ndata: ", 1)[1].split(b"\n", 1)[0]
    assert json.loads(data)["station"] == proxied.station.settings.station_name
