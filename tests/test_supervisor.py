"""The supervisor starts each child once, restarts what exits, and stops everything."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import pytest

from radio import supervisor as supervisor_module
from radio.supervisor import Child, Supervisor
from tests.support import wait_for

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_a_child_slow_to_spawn_is_started_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The monitor, already watching the first child, must not start the second twice."""
    spawned: list[str] = []
    real_popen = subprocess.Popen

    def slow_popen(argv: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        spawned.append(argv[-1])
        time.sleep(0.6)  # longer than the monitor's 0.2 s look
        return real_popen(argv, **kwargs)

    sup = Supervisor()
    try:
        sup.start(Child("first", [*SLEEPER[:-1], SLEEPER[-1] + " # first"]))
        monkeypatch.setattr(supervisor_module.subprocess, "Popen", slow_popen)
        second = Child("second", [*SLEEPER[:-1], SLEEPER[-1] + " # second"])
        sup.start(second)
        time.sleep(1.0)
        assert len(spawned) == 1 and second.restarts == 0, spawned
        assert [c.name for c in sup.children] == ["first", "second"]
    finally:
        sup.stop()
    assert not any(c.running for c in sup.children)


def test_an_exited_child_is_restarted_and_all_stop() -> None:
    sup = Supervisor()
    child = Child("brief", [sys.executable, "-c", "import time; time.sleep(0.3)"])
    try:
        sup.start(child)
        wait_for(lambda: child.restarts >= 1, 10, "the child to be restarted")
    finally:
        sup.stop()
    assert not child.running


def test_a_child_that_keeps_failing_is_reported_with_its_last_lines(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sup = Supervisor()
    code = "print('cannot open /srv/radio/missing.liq'); raise SystemExit(3)"
    child = Child("broken", [sys.executable, "-c", code])
    try:
        with caplog.at_level("INFO"):
            sup.start(child)
            wait_for(
                lambda: any("keeps failing" in r.getMessage() for r in caplog.records),
                15,
                "the failing report",
            )
    finally:
        sup.stop()
    report = next(r.getMessage() for r in caplog.records if "keeps failing" in r.getMessage())
    assert report.startswith("broken keeps failing (3 times in a row, last exit code 3)")
    assert "cannot open /srv/radio/missing.liq" in report
    assert any("broken exited (code 3); restarting in" in r.getMessage() for r in caplog.records)
