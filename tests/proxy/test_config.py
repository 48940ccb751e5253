"""``radio proxy config``: the Caddyfile for public_url, and plain refusals without one.

The text is checked line by line (what each line is for), then Caddy itself validates it,
in production form (automatic HTTPS) and in the test form (``--internal-tls``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from radio.config import Settings
from radio.proxy import plan_proxy, render_caddyfile
from tests.proxy.rig import caddy_home
from tests.support import require

RADIO = str(Path(sys.executable).with_name("radio"))


def radio_proxy(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("RADIO_")}
    base.update(RADIO_DATA_DIR=str(tmp_path / "var"), **env)
    return subprocess.run(
        [RADIO, "proxy", "config", *args], env=base, capture_output=True, text=True,
        timeout=60, cwd=tmp_path,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("public_url", "message"),
    [
        ("http://radio.example.org",
         "radio: public_url 'http://radio.example.org' must start with https:// for Caddy "
         "to serve the station over HTTPS.\n"),
        ("",
         "radio: Set public_url (RADIO_PUBLIC_URL) to the station's https address, such as "
         "https://radio.example.org, before writing Caddy's configuration.\n"),
        ("https://example.org/radio",
         "radio: public_url 'https://example.org/radio' must be the site's address alone, "
         "without a path, for Caddy to serve the station at it.\n"),
    ],
)  # fmt: skip
def test_an_address_caddy_cannot_serve_is_refused_in_one_sentence(
    tmp_path: Path, public_url: str, message: str
) -> None:
    done = radio_proxy(tmp_path, "out.caddy", RADIO_PUBLIC_URL=public_url)
    assert done.returncode == 1
    assert done.stderr == message
    assert done.stdout == ""
    assert not (tmp_path / "out.caddy").exists()


def test_the_caddyfile_routes_the_site_the_mounts_the_go_live_sockets_and_public_files() -> None:
    settings = Settings(
        public_url="https://Radio.Example.org/", http_host="0.0.0.0", http_port=8080,
        icecast_port=8000, station_name="Riverside\nFM", data_dir=Path("/var/lib/radio"),
    )  # fmt: skip
    text = render_caddyfile(plan_proxy(settings), settings.station_name)
    assert text == (
        "# Riverside FM: written by 'radio proxy config'; write it again after\n"
        "# changing public_url, data_dir, public_dir, http_port, events_port, icecast_port or\n"
        "# harbor_port.\n"
        "radio.example.org {\n"
        '\theader Strict-Transport-Security "max-age=31536000"\n'
        "\t@stream expression `{http.request.uri.path} in "
        '["/stream.mp3", "/stream.ogg"]`\n'
        "\thandle @stream {\n"
        "\t\treverse_proxy 127.0.0.1:8000 {\n"
        "\t\t\tflush_interval -1\n"
        "\t\t}\n"
        "\t}\n"
        "\t@harbor expression `{http.request.uri.path} in "
        '["/harbor/live", "/harbor/live2"]`\n'
        "\thandle @harbor {\n"
        "\t\turi strip_prefix /harbor\n"
        "\t\treverse_proxy 127.0.0.1:8005\n"
        "\t}\n"
        "\t@hls {\n"
        "\t\tpath /hls/*\n"
        "\t\tfile {\n"
        "\t\t\troot /var/lib/radio/public\n"
        "\t\t\ttry_files {path}\n"
        "\t\t}\n"
        "\t}\n"
        "\thandle @hls {\n"
        "\t\troot * /var/lib/radio/public\n"
        "\t\t@playlist path *.m3u8\n"
        '\t\theader @playlist Content-Type "application/vnd.apple.mpegurl"\n'
        '\t\theader @playlist Cache-Control "no-cache"\n'
        "\t\t@segment path *.ts\n"
        '\t\theader @segment Content-Type "video/mp2t"\n'
        '\t\theader @segment Cache-Control "public, max-age=86400, immutable"\n'
        '\t\theader Access-Control-Allow-Origin "*"\n'
        "\t\tfile_server\n"
        "\t}\n"
        "\t@static_api {\n"
        '\t\texpression `{http.request.uri} in ["/api/v1/now", "/api/v1/schedule"]`\n'
        "\t\tfile {\n"
        "\t\t\troot /var/lib/radio/public\n"
        "\t\t\ttry_files {path}.json\n"
        "\t\t}\n"
        "\t}\n"
        "\thandle @static_api {\n"
        "\t\troot * /var/lib/radio/public\n"
        "\t\trewrite * {file_match.relative}\n"
        '\t\theader Content-Type "application/json"\n'
        '\t\theader Cache-Control "no-cache"\n'
        '\t\theader Access-Control-Allow-Origin "*"\n'
        "\t\tfile_server\n"
        "\t}\n"
        '\t@events expression `{http.request.uri.path} == "/api/v1/now/events"`\n'
        "\thandle @events {\n"
        "\t\treverse_proxy 127.0.0.1:8081 {\n"
        "\t\t\tflush_interval -1\n"
        "\t\t}\n"
        "\t}\n"
        "\thandle {\n"
        "\t\treverse_proxy 127.0.0.1:8080\n"
        "\t}\n"
        "}\n"
    )


@pytest.mark.parametrize("internal", [False, True])
def test_caddy_accepts_what_radio_writes(tmp_path: Path, internal: bool) -> None:
    caddy = require("caddy")
    flags = ["--internal-tls"] if internal else []
    done = radio_proxy(tmp_path, "Caddyfile", *flags, RADIO_PUBLIC_URL="https://localhost:8443")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Wrote Caddyfile;")
    assert (tmp_path / "Caddyfile").stat().st_mode & 0o777 == 0o644
    checked = subprocess.run(
        [caddy, "validate", "--config", "Caddyfile", "--adapter", "caddyfile"],
        env={**os.environ, **caddy_home(tmp_path / "home")}, cwd=tmp_path,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "Valid configuration" in checked.stdout + checked.stderr


def test_a_dash_prints_it(tmp_path: Path) -> None:
    done = radio_proxy(tmp_path, "-", RADIO_PUBLIC_URL="https://radio.example.org")
    assert done.returncode == 0, done.stderr
    assert "radio.example.org {\n" in done.stdout
    assert "tls internal" not in done.stdout and "admin off" not in done.stdout
    # The default public_dir is in the private data folder: Caddy's user cannot read it.
    assert done.stderr == (
        f"note: Caddy's user cannot enter {tmp_path / 'var'}, so it cannot serve the HLS "
        f"stream and the static API files from public_dir ({tmp_path / 'var' / 'public'}); "
        "the site answers them instead. Set public_dir outside the data folder, open to all, "
        "as 'radio service install' does (/var/lib/radio-public).\n"
    )


def test_an_unwritable_place_is_one_sentence(tmp_path: Path) -> None:
    done = radio_proxy(
        tmp_path, "no-such-folder/Caddyfile", RADIO_PUBLIC_URL="https://radio.example.org"
    )
    assert done.returncode == 1
    assert done.stderr == (
        "radio: Could not write no-such-folder/Caddyfile (No such file or directory).\n"
    )


def test_several_site_processes_are_taken_in_turn_and_caddy_accepts_it(tmp_path: Path) -> None:
    caddy = require("caddy")
    done = radio_proxy(
        tmp_path, "Caddyfile", RADIO_PUBLIC_URL="https://localhost:8443",
        RADIO_WEB_UPSTREAMS="127.0.0.1:8090, 10.0.0.2:8080",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "Caddyfile").read_text()
    assert (
        "\thandle {\n"
        "\t\treverse_proxy 127.0.0.1:8090 10.0.0.2:8080 {\n"
        "\t\t\tlb_policy round_robin\n"
        "\t\t\tlb_try_duration 5s\n"
        "\t\t\tfail_duration 10s\n"
        "\t\t}\n"
        "\t}\n"
    ) in text
    checked = subprocess.run(
        [caddy, "validate", "--config", "Caddyfile", "--adapter", "caddyfile"],
        env={**os.environ, **caddy_home(tmp_path / "home")}, cwd=tmp_path,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr


def test_a_site_process_without_a_port_is_refused_in_one_sentence(tmp_path: Path) -> None:
    done = radio_proxy(
        tmp_path, "-", RADIO_PUBLIC_URL="https://radio.example.org",
        RADIO_WEB_UPSTREAMS="127.0.0.1",
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        "radio: web_upstreams (RADIO_WEB_UPSTREAMS) '127.0.0.1' must be a site process's "
        "address as host:port, such as 127.0.0.1:8090.\n"
    )


def test_a_site_process_on_the_event_streams_port_is_refused_in_one_sentence(
    tmp_path: Path,
) -> None:
    """The README once said to run a second site on http_port + 1, where the first one's event
    streams listen: the second could never start."""
    done = radio_proxy(
        tmp_path, "-", RADIO_PUBLIC_URL="https://radio.example.org", RADIO_HTTP_PORT="8080",
        RADIO_WEB_UPSTREAMS="127.0.0.1:8080 127.0.0.1:8081",
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        "radio: web_upstreams (RADIO_WEB_UPSTREAMS) lists 127.0.0.1:8081, the port of the "
        "site's event streams (events_port, or http_port + 1: 8081); run the other site "
        "processes on other ports, such as 8090, or set events_port.\n"
    )
