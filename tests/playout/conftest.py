"""Fixtures of the playout tests: a real Liquidsoap running the station's script."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from radio.playout.liquidsoap import LiquidsoapClient
from radio.playout.script import ScriptInputs, render_script
from tests.support import free_port, require, stop, wait_for


@pytest.fixture(scope="module")
def liquidsoap(
    tmp_path_factory: pytest.TempPathFactory, demo_media: Path
) -> Iterator[LiquidsoapClient]:
    tmp = tmp_path_factory.mktemp("liq")
    rotation = tmp / "rotation.m3u8"
    rotation.write_text("".join(f"{p}\n" for p in sorted((demo_media / "demo").glob("*.ogg"))))
    sock = tmp / "liquidsoap.sock"
    script = tmp / "station.liq"
    script.write_text(
        render_script(
            ScriptInputs(
                station_name="Contract FM",
                socket_path=sock,
                icecast_host="127.0.0.1",
                icecast_port=free_port(),  # nothing listens: outputs retry, the clock runs
                icecast_password="x",
                harbor_host="127.0.0.1",
                harbor_port=free_port(),  # not the default 8005: a station may be using it
                emergency_file=demo_media / "station" / "emergency.ogg",
                rotation_playlist=rotation,
                jingles_playlist=rotation,
                jingle_every=0,
            )
        )
    )
    proc = subprocess.Popen(
        [require("liquidsoap"), str(script)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    client = LiquidsoapClient(sock)
    try:
        wait_for(sock.exists, 30, "the control socket")
        client.wait_ready()
        yield client
    finally:
        client.close()
        stop(proc)
