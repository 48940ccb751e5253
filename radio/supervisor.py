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

A child may be given a scheduling priority (``nice``; Liquidsoap gets the CPU first, so the
station keeps time when other work loads the machine) — applied when this process may raise
priorities (root or ``CAP_SYS_NICE``), otherwise it runs at the normal one and the log says
so. A child may take lines on its standard input through an :class:`Inbox`: the scheduler
gets Liquidsoap's on-air events that way. Sending never blocks; lines wait (a bounded number)
while the child restarts.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import os
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
    #: Its scheduling priority (-20 first … 19 last; 0 leaves it as this process's).
    nice: int = 0
    #: Lines for its standard input (None: it reads nothing).
    inbox: Inbox | None = None
    recent: collections.deque[str] = field(default_factory=lambda: collections.deque(maxlen=40))
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    failures: int = 0
    restarts: int = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


def _preexec(child: Child) -> Callable[[], None]:
    setup = die_with_parent(signal.SIGTERM, child.run_as)
    if not child.nice:
        return setup

    def with_priority() -> None:  # pragma: no cover - runs in the child
        with contextlib.suppress(OSError):  # not allowed: the normal priority
            os.setpriority(os.PRIO_PROCESS, 0, child.nice)
        setup()

    return with_priority


def _priority(pid: int) -> int | None:
    try:
        return os.getpriority(os.PRIO_PROCESS, pid)
    except OSError:
        return None


class Inbox:
    """Lines for a child's standard input, written by a thread of their own.

    :meth:`put` never blocks: while the child is away (restarting) or slow, up to ``size``
    lines wait, and beyond that the oldest are dropped (and counted).
    """

    def __init__(self, name: str, size: int = 10_000) -> None:
        self.name = name
        self.dropped = 0
        self._lines: collections.deque[str] = collections.deque()
        self._size = size
        self._stream: IO[bytes] | None = None
        self._ready = threading.Condition()
        threading.Thread(target=self._write, name=f"inbox-{name}", daemon=True).start()

    def put(self, line: str) -> None:
        with self._ready:
            if len(self._lines) >= self._size:
                self._lines.popleft()
                self.dropped += 1
            self._lines.append(line)
            self._ready.notify()

    def attach(self, stream: IO[bytes]) -> None:
        """Write to ``stream`` from now on (the child's new standard input)."""
        with self._ready:
            self._stream = stream
            self._ready.notify()

    def _write(self) -> None:
        while True:
            with self._ready:
                while not (self._lines and self._stream is not None):
                    self._ready.wait()
                line, stream = self._lines.popleft(), self._stream
            try:
                stream.write(line.encode("utf-8") + b"\n")
                stream.flush()
            except (OSError, ValueError):  # the child went away: keep the line for the next
                with self._ready:
                    self._lines.appendleft(line)
                    if self._stream is stream:
                        self._stream = None


class Supervisor:
    """Starts children in order, keeps them running, stops them in reverse order."""

    def __init__(self) -> None:
        self.children: list[Child] = []
        self._stopping = threading.Event()
        self._monitor: threading.Thread | None = None
        self._lock = threading.Lock()
        #: Held while a child is being started; stopping waits for it (see :meth:`stop`).
        self._starting = threading.Lock()

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
        """Stop every child, newest first: SIGTERM, then SIGKILL after ``timeout``.

        A restart the monitor had begun finishes first (it holds the start lock), and none
        begins after: so no child is left behind.
        """
        with self._starting:
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
        with self._starting:
            if self._stopping.is_set():
                return
            started = self._popen(child)
        if started and child.on_start is not None:  # outside the lock: it may wait long
            try:
                child.on_start(child)
            except Exception:
                log.exception("%s started but is not ready", child.name)

    def _popen(self, child: Child) -> bool:
        log.info("starting %s", child.name)
        try:
            child.process = subprocess.Popen(
                list(child.argv),
                cwd=child.cwd,
                stdin=subprocess.DEVNULL if child.inbox is None else subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_preexec(child),
            )
        except OSError as exc:
            child.process = None
            child.recent.append(f"cannot start: {exc}")
            log.error("%s cannot start: %s", child.name, exc)
            self._watch_child(child)  # the monitor tries again, with backoff
            return False
        child.started_at = time.monotonic()
        if child.inbox is not None and child.process.stdin is not None:
            child.inbox.attach(child.process.stdin)
        if child.nice and _priority(child.process.pid) != child.nice:
            log.info("%s runs at the normal priority (raising it needs root)", child.name)
        if child.pid_file is not None:
            write_pid_file(child.pid_file, child.process.pid)
        self._watch_child(child)  # before on_start, so stop() stops it even while it starts
        threading.Thread(
            target=self._forward, args=(child, child.process), name=f"log-{child.name}", daemon=True
        ).start()
        return True

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
