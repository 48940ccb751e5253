"""The live mounts published for the site: written when they change, not every tick."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from radio.db import Database
from radio.errors import LiquidsoapError
from radio.playout.liquidsoap import LiveMount, LiveReport
from radio.playout.livemounts import STALE_AFTER, LiveMounts, LivePublisher

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TICK = timedelta(seconds=0.25)
CLOSED = LiveMount("live2", "", False, "", False, 0.0)


class Harbor:
    """What Liquidsoap reports, changed by the test; counts the database writes too."""

    def __init__(self) -> None:
        self.live = LiveMount("live", "phone-in.once.2026-11-30", False, "", False, 0.0)
        self.down = False

    def read(self) -> LiveReport:
        if self.down:
            raise LiquidsoapError("Liquidsoap's control socket is not answering.")
        return LiveReport((self.live, CLOSED), on_air=False)


class CountingMounts(LiveMounts):
    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.writes = 0

    def write(self, mounts: Sequence[LiveMount], now: datetime, only: bool = False) -> None:
        self.writes += 1
        super().write(mounts, now, only)

    def mark_checked(self, now: datetime) -> None:
        self.writes += 1
        super().mark_checked(now)


@pytest.fixture
def mounts(tmp_path: Path) -> CountingMounts:
    db = Database(f"sqlite:///{tmp_path / 'radio.sqlite3'}")
    db.migrate()
    return CountingMounts(db)


def ticks(publisher: LivePublisher, start: datetime, seconds: float) -> datetime:
    at = start
    for _ in range(int(seconds / TICK.total_seconds())):
        at += TICK
        publisher.publish(at)
    return at


def test_a_quiet_harbor_costs_a_write_every_few_seconds(mounts: CountingMounts) -> None:
    harbor = Harbor()
    publisher = LivePublisher(harbor.read, mounts)
    publisher.publish(T0)
    at = ticks(publisher, T0, 20)  # 80 ticks: nothing changes
    assert mounts.writes == 1 + 4, "the rows were written more than marked every 5 s"
    snapshot = mounts.snapshot()
    assert snapshot.current(at)
    found = snapshot.mount_for(harbor.live.occurrence)
    assert found is not None and found.mount == harbor.live and found.updated_at == T0


def test_a_connection_is_written_at_once_with_its_presenter_and_time(
    mounts: CountingMounts,
) -> None:
    harbor = Harbor()
    publisher = LivePublisher(harbor.read, mounts)
    publisher.publish(T0)
    harbor.live = dataclasses.replace(harbor.live, connected=True, presenter="7", level=0.1)
    publisher.publish(T0 + TICK)
    found = mounts.snapshot().mount_for(harbor.live.occurrence)
    assert found is not None and found.mount.connected and found.mount.presenter == "7"
    assert found.since == T0 + TICK
    # The level moves every tick: written at most once a second, by whole decibels.
    before = mounts.writes
    at = T0 + TICK
    for i in range(40):
        at += TICK
        harbor.live = dataclasses.replace(harbor.live, level=0.1 + 0.05 * (i % 2))
        publisher.publish(at)
    assert 5 <= mounts.writes - before <= 11, mounts.writes - before
    # The gate opens: written at once; "since" stays the instant they connected.
    harbor.live = dataclasses.replace(harbor.live, gate=True)
    publisher.publish(at + TICK)
    found = mounts.snapshot().mount_for(harbor.live.occurrence)
    assert found is not None and found.mount.gate and found.since == T0 + TICK


def test_rows_go_stale_when_liquidsoap_cannot_be_read(mounts: CountingMounts) -> None:
    harbor = Harbor()
    publisher = LivePublisher(harbor.read, mounts)
    publisher.publish(T0)
    harbor.down = True
    at = ticks(publisher, T0, STALE_AFTER.total_seconds() + 1)
    assert not mounts.snapshot().current(at)
    harbor.down = False
    publisher.publish(at + TICK)
    assert mounts.snapshot().current(at + TICK)


def test_no_rows_is_not_current(mounts: CountingMounts) -> None:
    assert not mounts.snapshot().current(T0)
