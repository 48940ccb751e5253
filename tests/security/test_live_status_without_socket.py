"""Probe: does a presenter's live status hold when the site cannot reach Liquidsoap?

A site process on another machine than the station's engine has no way to Liquidsoap's
control socket. The probe runs the real stack (Icecast, Liquidsoap, the scheduler's reconciler
and its publisher of the live mounts) and a site whose Liquidsoap client points at a socket
that does not exist, on the same database. A presenter connects with a source client (ffmpeg,
as BUTT or Mixxx would) in their slot's window. What must hold: the site tells them they are
connected, with their name, within a couple of seconds as before; then on air with the level
arriving; then dropped when the client stops. And when the scheduler has stopped reporting
(its rows a minute old), the status says the station cannot tell, not "not connected".
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from radio.accounts.passwords import Passwords, cheap_hasher
from radio.bootstrap import build_services
from radio.playout.liquidsoap import LiquidsoapClient
from radio.playout.livemounts import LiveMounts
from tests.playout.rig import Rig, once_slot, start_rig
from tests.playout.test_playout import source_client, stop_client
from tests.support import wait_for
from tests.web.people import PASSWORD, login
from web import create_app

pytestmark = pytest.mark.stack


@pytest.fixture
def rig(tmp_path: Path, demo_media: Path) -> Iterator[Rig]:
    with start_rig(tmp_path, demo_media, live_key_lead_min=0.1) as rig:
        yield rig


def test_the_live_status_needs_no_socket(rig: Rig, tmp_path: Path) -> None:
    services = build_services(rig.settings, migrate=False, passwords=Passwords(cheap_hasher()))
    nowhere = LiquidsoapClient(tmp_path / "no-such-host" / "liquidsoap.sock", timeout=0.5)
    site = dataclasses.replace(services, liquidsoap=nowhere)
    ada = site.accounts.add("ada@example.org", "presenter", PASSWORD, ["phone-in"], name="Ada")
    client = create_app(rig.settings, site).test_client()
    login(client, "ada@example.org")

    def status() -> dict[str, Any]:
        answer = client.get("/dashboard/shows/phone-in/live/status")
        assert answer.status_code == 200
        return answer.get_json()  # type: ignore[no-any-return]

    # The slot's window (6 s before it) is open from the moment it is in the grid.
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
    end = start + timedelta(seconds=8)
    rig.import_grid(once_slot("phone-in", "live", start, 8, rig.settings))
    occurrence = site.grid.expand(start, end, show="phone-in")[0].id
    key = rig.reconciler.keys.make("phone-in", ada.id)
    published = LiveMounts(services.db)
    wait_for(lambda: published.snapshot().mount_for(occurrence) is not None, 5, "the window")
    assert status()["message"].startswith("Not connected — you go on air at")

    presenter = source_client(rig, key, 30)
    try:
        asked = time.monotonic()
        wait_for(lambda: status()["state"] == "connected", 10, "connected")
        print(f"connected shown {time.monotonic() - asked:.2f} s after the client started")
        now = status()
        assert re.fullmatch(r"Connected — you go on air at \d\d:\d\d \(in \d+ s\)\.",
                            now["message"]), now  # fmt: skip
        assert now["presenter"] == "Ada"
        wait_for(lambda: status()["state"] == "on_air", 8, "on air")
        now = status()
        assert now["message"] == "You are on air."
        assert now["level_db"] is not None and now["level_db"] > -30, now
    finally:
        stop_client(presenter)
    wait_for(lambda: status()["state"] == "dropped", 10, "the drop")
    assert status()["message"] == "Not connected — music is playing."

    # The scheduler stops reporting: a minute later, its rows are not believed.
    rig.stop_ticking.set()
    time.sleep(0.5)
    LiveMounts(services.db).mark_checked(datetime.now(UTC) - timedelta(minutes=1))
    assert datetime.now(UTC) < end, "the machine was too slow for the slot"
    now = status()
    assert now["state"] == "unknown", now
    assert now["message"] == "The station cannot tell right now whether you are connected."
    site.db.dispose()
