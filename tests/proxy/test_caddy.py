"""The station behind Caddy at one HTTPS address, on the real stack.

``radio run`` with ``public_url = https://localhost:PORT``, Caddy started on the Caddyfile
``radio proxy config --internal-tls`` wrote; everything below goes over HTTPS through Caddy,
with its certificate checked against Caddy's own local authority. A listener hears the
station at ``/stream.mp3``, a visitor gets the site with HSTS, an admin logs in with a
Secure cookie and uploads a file that ends up ready to air.
"""

from __future__ import annotations

import array
import base64
import json
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.media.make_fixtures import make_fixtures
from tests.proxy.rig import Browser, Proxied, proxied_station
from tests.support import require, rms_dbfs, wait_for

pytestmark = pytest.mark.stack

CHUNK = 64_000


@pytest.fixture(scope="module")
def proxied(demo_media: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxied]:
    with proxied_station(demo_media, tmp_path_factory.mktemp("proxied")) as made:
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
