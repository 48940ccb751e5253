"""Titles cannot inject fields into the MP3 stream's ICY metadata, and arrive as UTF-8.

Icecast writes an MP3 mount's title into the stream as ``StreamTitle='…';`` without escaping,
and players read each field up to the next ``';``. The probe airs, on the real stack, a
rotation file whose tags and an episode whose title carry ``';StreamUrl='http://evil…';``
and an em dash, and reads the metadata block a player reads (``Icy-MetaData: 1``). What must
hold: the block has exactly one field, ``StreamTitle``, and no ``StreamUrl``; the em dash is
UTF-8 (not ``&#8212;``); the Ogg mount's title (``/status-json.xsl``) reads the same.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.playout.rig import Rig, once_slot, start_rig, tone
from tests.support import require, wait_for

pytestmark = pytest.mark.stack

INJECTION = "Icy';StreamUrl='http://evil.example/';"
#: What listeners see instead: the straight quotes typeset, so no field can end early.
SAFE = "Icy’;StreamUrl=’http://evil.example/’;"
#: A field as players read it: a name, then a value up to the first ``';``.
FIELD = re.compile(rb"(\w+)='(.*?)';", re.DOTALL)


def icy_block(port: int, timeout: float = 10.0) -> bytes:
    """The first metadata block a player gets from the MP3 mount (the current title)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(b"GET /stream.mp3 HTTP/1.0\r\nIcy-MetaData: 1\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            assert chunk, "Icecast closed the connection"
            data += chunk
        head, data = data.split(b"\r\n\r\n", 1)
        found = re.search(rb"(?im)^icy-metaint:\s*(\d+)", head)
        assert found, f"no icy-metaint in {head!r}"
        metaint = int(found.group(1))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while len(data) < metaint + 1:
                data += sock.recv(65536)
            length = data[metaint] * 16
            while len(data) < metaint + 1 + length:
                data += sock.recv(65536)
            block = data[metaint + 1 : metaint + 1 + length].rstrip(b"\0")
            data = data[metaint + 1 + length :]
            if block:
                return block
    raise AssertionError("no metadata block on the MP3 mount")


def titles(rig: Rig) -> dict[str, str]:
    url = f"http://127.0.0.1:{rig.settings.icecast_port}/status-json.xsl"
    with urllib.request.urlopen(url, timeout=5) as reply:
        sources = json.loads(reply.read())["icestats"]["source"]
    return {s["listenurl"].rsplit("/", 1)[-1]: s.get("title", "") for s in sources}


def stream_title(rig: Rig, expected: str) -> bytes:
    """The MP3 mount's metadata block once it carries ``expected``'s start."""
    start = b"StreamTitle='" + expected.split(" ", 1)[0].encode()
    return wait_for(
        lambda: (block := icy_block(rig.settings.icecast_port)) and start in block and block,
        40,
        f"the MP3 mount's title to start with {start!r}",
        every=0.5,
    )


def assert_one_clean_title(block: bytes, expected: str) -> None:
    fields = FIELD.findall(block)
    assert [name for name, _ in fields] == [b"StreamTitle"], f"fields injected: {block!r}"
    assert fields[0][1].decode("utf-8") == expected, block
    assert b"&#" not in block, f"an HTML entity in the title: {block!r}"


def test_titles_cannot_inject_icy_fields_and_are_utf8(tmp_path: Path, demo_media: Path) -> None:
    data = tmp_path / "var"
    shutil.copytree(demo_media, data / "media")
    (data / "media" / "icy").mkdir()
    tagged = data / "media" / "icy" / "tagged.ogg"
    subprocess.run(
        [require("ffmpeg"), "-nostdin", "-v", "error", "-i", str(tone(tmp_path / "t.ogg", 600, 60)),
         "-c", "copy", "-metadata", f"title={INJECTION}",
         "-metadata", "artist=Rock 'n' Roll — Band", str(tagged)],
        check=True,
    )  # fmt: skip
    lists = tmp_path / "playlists"
    lists.mkdir()
    (lists / "rotation.m3u8").write_text("#EXTM3U\nicy/tagged.ogg\n")
    (lists / "jingles.m3u8").write_text("#EXTM3U\n")

    with start_rig(tmp_path, demo_media, playlists_dir=lists, jingle_every=0, fade_s=0.5) as rig:
        # A rotation file's own tags (Liquidsoap reads them; Python never sees them).
        from_tags = f"Rock ’n’ Roll — Band - {SAFE}"
        assert_one_clean_title(stream_title(rig, from_tags), from_tags)

        # An episode's title, from the library through the control socket.
        start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=6)
        rig.import_grid(once_slot("icy-show", "prerecorded", start, 30, rig.settings))
        occurrence = rig.reconciler.grid.expand(start, start + timedelta(minutes=1))[0]
        rig.episodes.add(
            occurrence.id, tone(tmp_path / "ep.ogg", 900, 30), 30, f"{INJECTION} — Part 1"
        )
        from_episode = f"Icy Show — {SAFE} — Part 1"
        assert_one_clean_title(stream_title(rig, from_episode), from_episode)
        shown = wait_for(
            lambda: (t := titles(rig)) and t.get("stream.ogg") == from_episode and t,
            20,
            "the Ogg mount's title",
        )
        assert shown["stream.mp3"] == from_episode
