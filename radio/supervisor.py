"""Supervision of the station's child processes (Icecast, Liquidsoap, scheduler, web).

Each child runs in its own session (so a terminal's Ctrl-C reaches only ``radio run``, which
then stops children in reverse order), has its output forwarded line by line into the one
log stream, and is restarted with backoff when it exits. One that keeps failing is reported
with its last log lines.

Children die with their supervisor, also when it is killed with ``kill -9``: each gets the
parent-death signal (``PR_SET_PDEATHSIG``, SIGTERM) as it starts (see :mod:`radio.processes`).
A child that runs as another user (Icecast as ``icecast2`` under root) is switched to it
before the signal is set — a program that changed its own user (Icecast's ``changeowner``)
would lose the setting. The signal goes to the child when the *thread* that started it ends:
the main thread for the first start, the monitor thread for restarts; both live until
:meth:`Supervisor.stop`. A child with a ``pid_file`` writes it (pid and start time) so that a
later start can end it if it ever outlived a supervisor.
"""

from __future__ import annotations

import collections
import logging
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from radio.processes import RunAs, die_with_parent, write_pid_file

log = logging.getLogger(__name__)

#: Liquidsoap's own date stamp; the station's log stream has its own.
_LOG_STAMP = re.compile(r"^(\d{4}/\d\d/\d\d )?\d\d:\d\d:\d\d ")
#: Restart delays, in seconds; the last repeats.
BACKOFF = (0.1, 0.5, 1.0, 2.0, 5.0, 10.0)
#: A child that ran this long counts as healthy again (its backoff resets).
STABLE_AFTER_S = 30.0
#: This many failures in a row is reported as "keeps failing".
FAILING_AFTER = 3


@dataclass
class Child:
    """One supervised program."""

    name: str
    argv: Sequence[str]
    cwd: Path | None = None
    #: Called (in the monitor thread) after every (re)start; e.g. wait for a socket.
    on_start: Callable[[Child], None] | None = None
    #: Called with each output line, after logging; e.g. to parse on-air events.
    on_line: Callable[[str], None] | None = None
    #: The user it runs as (None: this process's own).
    run_as: RunAs | None = None
    #: Where its pid is kept while it runs, for :func:`radio.processes.end_orphan`.
    pid_file: Path | None = None
    recent: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=40))
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0
    restarts: int = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class Supervisor:
    """Starts children in order, keeps them running, stops them in reverse order."""

    def __init__(self) -> None:
        self.children: list[Child] = []
        self._stopping = threading.Event()
        self._monitor: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self, child: Child) -> None:
        """Start ``child`` now (the caller waits for readiness through ``on_start``).

        The monitor watches it only from when it has been spawned: watched before, it would
        look like a child that had exited, and be started a second time.
        """
        self._spawn(child)
        if self._monitor is None:
            self._monitor = threading.Thread(target=self._watch, name="supervisor", daemon=True)
            self._monitor.start()

    def restart(self, name: str) -> None:
        """Stop a child; the monitor starts it again at once."""
        for child in self.children:
            if child.name == name and child.process is not None:
                child.process.terminate()

    def status(self) -> dict[str, bool]:
        return {child.name: child.running for child in self.children}

    def stop(self, timeout: float = 8.0) -> None:
        """Stop every child, newest first: SIGTERM, then SIGKILL after ``timeout``."""
        self._stopping.set()
        for child in reversed(self.children):
            proc = child.process
            if proc is None or proc.poll() is not None:
                continue
            log.info("stopping %s", child.name)
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop in %.0f s; killing it", child.name, timeout)
                proc.kill()
                proc.wait()
        for child in self.children:
            if child.pid_file is not None:
                child.pid_file.unlink(missing_ok=True)
        if self._monitor is not None:
            self._monitor.join(timeout=2)

    # -- internals ------------------------------------------------------------------------

    def _spawn(self, child: Child) -> None:
        log.info("starting %s", child.name)
        try:
            child.process = subprocess.Popen(
                list(child.argv),
                cwd=child.cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent(signal.SIGTERM, child.run_as),
            )
        except OSError as exc:
            child.process = None
            child.recent.append(f"cannot start: {exc}")
            log.error("%s cannot start: %s", child.name, exc)
            self._watch_child(child)  # the monitor tries again, with backoff
            return
        child.started_at = time.monotonic()
        if child.pid_file is not None:
            write_pid_file(child.pid_file, child.process.pid)
        self._watch_child(child)  # before on_start, so stop() stops it even while it starts
        threading.Thread(
            target=self._forward, args=(child, child.process), name=f"log-{child.name}", daemon=True
        ).start()
        if child.on_start is not None:
            try:
                child.on_start(child)
            except Exception:
                log.exception("%s started but is not ready", child.name)

    def _watch_child(self, child: Child) -> None:
        with self._lock:
            if not any(watched is child for watched in self.children):
                self.children.append(child)

    def _forward(self, child: Child, proc: subprocess.Popen[bytes]) -> None:
        out = logging.getLogger(f"radio.{child.name}")
        assert proc.stdout is not None
        with proc.stdout:
            self._read_lines(child, proc.stdout, out)

    @staticmethod
    def _read_lines(child: Child, stream: IO[bytes], out: logging.Logger) -> None:
        for raw in stream:
            line = _LOG_STAMP.sub("", raw.decode("utf-8", errors="replace").rstrip())
            if not line:
                continue
            child.recent.append(line)
            out.info("%s", line)
            if child.on_line is not None:
                try:
                    child.on_line(line)
                except Exception:
                    log.exception("handling a line from %s failed", child.name)

    def _watch(self) -> None:
        while not self._stopping.wait(0.2):
            for child in list(self.children):
                proc = child.process
                if proc is not None and proc.poll() is None:
                    if time.monotonic() - child.started_at > STABLE_AFTER_S:
                        child.failures = 0
                    continue
                self._restart_later(child)

    def _restart_later(self, child: Child) -> None:
        code = child.process.returncode if child.process is not None else None
        child.failures += 1
        delay = BACKOFF[min(child.failures - 1, len(BACKOFF) - 1)]
        if child.failures >= FAILING_AFTER:
            tail = "\n    ".join(list(child.recent)[-10:]) or "(no output)"
            log.error(
                "%s keeps failing (%d times in a row, last exit code %s); its last lines:\n    %s",
                child.name,
                child.failures,
                code,
                tail,
            )
        else:
            log.warning("%s exited (code %s); restarting in %.1f s", child.name, code, delay)
        if self._stopping.wait(delay):
            return
        child.restarts += 1
        self._spawn(child)
