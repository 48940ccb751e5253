"""The scheduler's heartbeat says it is doing its job, not only that it runs."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from radio.errors import LiquidsoapError
from radio.playout.scheduler import SchedulerProcess


class FakeReconciler:
    def __init__(self) -> None:
        self.reachable = False

    def reconcile(self, now: datetime) -> None:
        if not self.reachable:
            raise LiquidsoapError("Liquidsoap's control socket is not answering.")


def test_the_heartbeat_beats_only_while_liquidsoap_answers(tmp_path: Path) -> None:
    beat = tmp_path / "scheduler.heartbeat"
    reconciler = FakeReconciler()
    process = SchedulerProcess(reconciler, beat)  # type: ignore[arg-type]
    process.tick()
    assert not beat.exists(), "a scheduler that cannot reach Liquidsoap looked alive"
    reconciler.reachable = True
    process.tick()
    assert beat.exists()
