"""The scheduler's heartbeat says it is doing its job, not only that it runs; while the
database is not answering it airs from the last plan it read, and says so once."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from radio.db import Outage
from radio.errors import LiquidsoapError
from radio.playout.plan import Plan
from radio.playout.scheduler import SchedulerProcess


class FakeReconciler:
    def __init__(self) -> None:
        self.reachable = False

    def read_plan(self, now: datetime) -> Plan:
        return Plan(now, (), (), (), {})

    def apply(self, plan: Plan, now: datetime) -> None:
        if not self.reachable:
            raise LiquidsoapError("Liquidsoap's control socket is not answering.")


def test_the_heartbeat_beats_only_while_liquidsoap_answers(tmp_path: Path) -> None:
    beat = tmp_path / "scheduler.heartbeat"
    reconciler = FakeReconciler()
    process = SchedulerProcess(reconciler, beat, database=Outage("test"))  # type: ignore[arg-type]
    process.tick()
    assert not beat.exists(), "a scheduler that cannot reach Liquidsoap looked alive"
    reconciler.reachable = True
    process.tick()
    assert beat.exists()


class DatabaseDownReconciler(FakeReconciler):
    """Reads plans until the database stops answering; records the plans it applies."""

    def __init__(self) -> None:
        super().__init__()
        self.reachable = True
        self.database_up = True
        self.applied: list[datetime] = []

    def read_plan(self, now: datetime) -> Plan:
        if not self.database_up:
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))
        return super().read_plan(now)

    def apply(self, plan: Plan, now: datetime) -> None:
        self.applied.append(plan.read_at)


def test_while_the_database_is_down_the_last_plan_is_applied_and_said_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="radio.db")
    beat = tmp_path / "scheduler.heartbeat"
    reconciler = DatabaseDownReconciler()
    times = iter(datetime(2026, 1, 1, 12, 0, s, tzinfo=UTC) for s in range(10))
    process = SchedulerProcess(
        reconciler,  # type: ignore[arg-type]
        beat,
        clock=lambda: next(times),
        database=Outage("radio.sqlite3"),
    )
    process.tick()
    first = reconciler.applied[-1]
    reconciler.database_up = False
    beat.unlink()
    for _ in range(3):
        process.tick()
    assert reconciler.applied[-3:] == [first] * 3, "the last plan read was not applied"
    assert beat.exists(), "the scheduler airing from its last plan looked stopped"
    down = [r for r in caplog.records if "is not answering" in r.getMessage()]
    assert len(down) == 1 and not caplog.text.count("Traceback")
    reconciler.database_up = True
    process.tick()
    assert reconciler.applied[-1] > first
    assert "the database radio.sqlite3 answers again" in caplog.text
