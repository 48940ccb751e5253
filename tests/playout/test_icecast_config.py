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
        as_root=True,
    )
    root = ET.fromstring(text)
    assert root.findtext("listen-socket/bind-address") == "127.0.0.1"
    assert root.findtext("listen-socket/port") == "8123"
    assert root.findtext("authentication/source-password") == 's<&>"rc'
    assert root.findtext("authentication/admin-password") == "adm1n"
    assert root.findtext("location") == "Westway & Friends"
    assert root.findtext("security/changeowner/user") == "icecast2"
    # Titles reach the MP3 mount as UTF-8 (not turned into "&#8212;" and the like).
    mp3 = [m for m in root.iter("mount") if m.findtext("mount-name") == "/stream.mp3"]
    assert [m.findtext("charset") for m in mp3] == ["UTF-8"]
    as_user = render_icecast(
        bind="0.0.0.0", port=8000, source_password="a", admin_password="b",
        logdir=Path("/x"), station_name="S", as_root=False,
    )  # fmt: skip
    assert ET.fromstring(as_user).find("security/changeowner") is None


def test_written_config_is_private_and_its_log_folder_is_reused(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir()
    kwargs = dict(bind="127.0.0.1", port=8000, source_password="s", admin_password="a",
                  station_name="S")  # fmt: skip
    first = write_icecast_config(data, **kwargs)  # type: ignore[arg-type]
    assert first.path.stat().st_mode & 0o777 == 0o600
    again = write_icecast_config(data, **kwargs)  # type: ignore[arg-type]
    assert again.logdir == first.logdir, "a new log folder on every start"
    if os.geteuid() == 0:
        assert first.logdir.stat().st_uid != 0  # handed to Icecast's own user
