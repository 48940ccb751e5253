"""Icecast's configuration from the settings: loopback by default, secrets private."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

from radio.playout.icecast import render_icecast, write_icecast_config


def test_rendered_config_binds_where_told_and_escapes_secrets() -> None:
    text = render_icecast(
        bind="127.0.0.1",
        port=8123,
        source_password='s<&>"rc',
        admin_password="adm1n",
        logdir=Path("/var/log/x"),
        station_name="Westway & Friends",
    )
    root = ET.fromstring(text)
    assert root.findtext("listen-socket/bind-address") == "127.0.0.1"
    assert root.findtext("listen-socket/port") == "8123"
    assert root.findtext("authentication/source-password") == 's<&>"rc'
    assert root.findtext("authentication/admin-password") == "adm1n"
    assert root.findtext("location") == "Westway & Friends"
    # Icecast never changes its own user: that would cancel its parent-death signal.
    assert root.find("security/changeowner") is None
    # Titles reach the MP3 mount as UTF-8 (not turned into "&#8212;" and the like).
    mp3 = [m for m in root.iter("mount") if m.findtext("mount-name") == "/stream.mp3"]
    assert [m.findtext("charset") for m in mp3] == ["UTF-8"]
    # A thousand listeners by default, with room for the sources on top.
    assert root.findtext("limits/clients") == "1004"


def test_the_listener_limit_is_a_setting() -> None:
    text = render_icecast(
        bind="127.0.0.1", port=8123, source_password="s", admin_password="a",
        logdir=Path("/var/log/x"), station_name="x", max_listeners=5000,
    )  # fmt: skip
    assert ET.fromstring(text).findtext("limits/clients") == "5004"


def test_written_config_is_private_and_its_log_folder_is_reused(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir()
    kwargs = dict(bind="127.0.0.1", port=8000, source_password="s", admin_password="a",
                  station_name="S")  # fmt: skip
    first = write_icecast_config(data, **kwargs)  # type: ignore[arg-type]
    again = write_icecast_config(data, **kwargs)  # type: ignore[arg-type]
    assert again.logdir == first.logdir, "a new log folder on every start"
    assert again.path == first.path
    if os.geteuid() != 0:
        assert first.path.stat().st_mode & 0o777 == 0o600
        assert first.run_as is None
        return
    # As root Icecast runs as its own user, which cannot enter the private data folder.
    assert first.run_as is not None
    info = first.path.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (0, first.run_as.gid, 0o640)
    folder = first.path.parent.stat()
    assert (folder.st_uid, folder.st_mode & 0o777) == (0, 0o750), "readable by others"
    assert first.logdir.stat().st_uid == first.run_as.uid  # handed to Icecast's own user
