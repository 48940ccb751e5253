"""Probe: do the live status, what is on air and ``/healthz`` hold when the site cannot
reach Liquidsoap?

A site process on another machine than the station's engine has no way to Liquidsoap's
control socket. The probe runs the real stack (Icecast, Liquidsoap, the scheduler's reconciler
and its publishers of the live mounts, what is on air and the engine's health) and a site on
the same database with a data folder of its own, so its Liquidsoap client points at a socket
that does not exist. What
must hold: ``/api/v1/now`` names the title Liquidsoap plays and ``/healthz`` says "ok". A
presenter connects with a source client (ffmpeg, as BUTT or Mixxx would) in their slot's
window: the site tells them they are connected, with their name, within a couple of seconds
as before; then on air with the level arriving, and ``/api/v1/now`` follows Liquidsoap to the
live source within a couple of seconds; then dropped when the client stops. And when the
scheduler has stopped reporting, the status says the station cannot tell (not "not
connected"), ``/healthz`` says the scheduler has stopped, and ``/api/v1/now`` names no title
rather than a stale one.
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
from radio.enginestatus import STOPPED
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
    # Another host: the same database, but a data folder of its own (no socket, no heartbeat,
    # no HLS files, no logger), so every part of the site that asked Liquidsoap finds nothing.
    elsewhere = dataclasses.replace(
        rig.settings,
        data_dir=tmp_path / "other-host",
        database_url=rig.settings.database_url_in_use,
    )
    elsewhere.data_dir.mkdir()
    site = build_services(elsewhere, migrate=False, passwords=Passwords(cheap_hasher()))
    assert not elsewhere.control_socket.exists()
    ada = site.accounts.add("ada@example.org", "presenter", PASSWORD, ["phone-in"], name="Ada")
    client = create_app(elsewhere, site).test_client()
    login(client, "ada@example.org")

    def status() -> dict[str, Any]:
        answer = client.get("/dashboard/shows/phone-in/live/status")
        assert answer.status_code == 200
        return answer.get_json()  # type: ignore[no-any-return]

    def now() -> dict[str, Any]:
        return client.get("/api/v1/now").get_json()  # type: ignore[no-any-return]

    def healthz(status: int) -> dict[str, Any] | None:
        """``/healthz``'s document when it answers ``status``."""
        answer = client.get("/healthz")
        return answer.get_json() if answer.status_code == status else None

    # What Liquidsoap plays, as the site says it (a track may change in between: ask again).
    def same_title() -> bool:
        playing = rig.liquidsoap.on_air()
        shown = now()["on_air"]
        return playing is not None and shown is not None and shown["title"] == playing.title

    wait_for(same_title, 10, "/api/v1/now to name what Liquidsoap plays")
    assert now()["on_air"]["title"], now()
    health = wait_for(lambda: healthz(200), 10, "/healthz ok")
    assert health["status"] == "ok", health
    assert (health["liquidsoap"], health["icecast"], health["scheduler"]) == ("up",) * 3

    # The slot's window (6 s before it) is open from the moment it is in the grid.
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
    end = start + timedelta(seconds=8)
    rig.import_grid(once_slot("phone-in", "live", start, 8, rig.settings))
    occurrence = site.grid.expand(start, end, show="phone-in")[0].id
    key = rig.reconciler.keys.make("phone-in", ada.id)
    published = LiveMounts(site.db)
    wait_for(lambda: published.snapshot().mount_for(occurrence) is not None, 5, "the window")
    assert status()["message"].startswith("Not connected — you go on air at")

    presenter = source_client(rig, key, 30)
    try:
        asked = time.monotonic()
        wait_for(lambda: status()["state"] == "connected", 10, "connected")
        print(f"connected shown {time.monotonic() - asked:.2f} s after the client started")
        shown = status()
        assert re.fullmatch(r"Connected — you go on air at \d\d:\d\d \(in \d+ s\)\.",
                            shown["message"]), shown  # fmt: skip
        assert shown["presenter"] == "Ada"
        # Liquidsoap's output turns to the live source at the slot's start; the site follows.
        seen: dict[str, float] = {}
        deadline = time.monotonic() + 15
        while "site" not in seen and time.monotonic() < deadline:
            playing = rig.liquidsoap.on_air()
            if "liquidsoap" not in seen and playing is not None and playing.source == "live":
                seen["liquidsoap"] = time.monotonic()
            if (now()["on_air"] or {}).get("source") == "live":
                seen["site"] = time.monotonic()
                seen.setdefault("liquidsoap", seen["site"])  # both changed between two polls
            time.sleep(0.05)
        assert seen.keys() == {"liquidsoap", "site"}, seen
        took = seen["site"] - seen["liquidsoap"]
        print(f"/api/v1/now showed the live source {took:.2f} s after Liquidsoap did")
        assert took < 3.0
        wait_for(lambda: status()["state"] == "on_air", 8, "on air")
        shown = status()
        assert shown["message"] == "You are on air."
        assert shown["level_db"] is not None and shown["level_db"] > -30, shown
    finally:
        stop_client(presenter)
    wait_for(lambda: status()["state"] == "dropped", 10, "the drop")
    assert status()["message"] == "Not connected — music is playing."

    # The scheduler stops reporting: a minute later, its rows are not believed.
    rig.stop_ticking.set()
    time.sleep(0.5)
    LiveMounts(site.db).mark_checked(datetime.now(UTC) - timedelta(minutes=1))
    assert datetime.now(UTC) < end, "the machine was too slow for the slot"
    shown = status()
    assert shown["state"] == "unknown", shown
    assert shown["message"] == "The station cannot tell right now whether you are connected."

    # The scheduler's last word on health and on air goes stale: not believed any longer.
    stopped = time.monotonic()
    health = wait_for(lambda: healthz(503), 40, "/healthz to say the scheduler stopped")
    print(f"/healthz said the scheduler stopped after {time.monotonic() - stopped:.1f} s")
    assert health["reason"] == STOPPED, health
    assert health["reason"].startswith("the scheduler has stopped (its heartbeat is stale)")
    assert health["scheduler"] == "down"
    wait_for(lambda: now()["on_air"] is None, 5, "no title once the publication is stale")
    site.db.dispose()
