"""Child processes that die with the station, and what an earlier run left behind.

Every program the station starts (Icecast, Liquidsoap, its own Python processes, ffmpeg for
analysis, espeak-ng for the demo) gets Linux's parent-death signal (``PR_SET_PDEATHSIG``):
when the thread that started it ends — its process killed with ``kill -9`` included — the
kernel signals the child. Two details make that hold:

- The kernel clears the setting when a process changes its user, so a program that must run
  as another user (Icecast as ``icecast2`` when the station runs as root) has its user
  changed here, before the signal is set, rather than by the program itself afterwards.
- A parent that dies between the child's start and the setting would be missed, so the
  child checks that its parent is still the one that started it.

Supervised children also leave a pid file (``run/<name>.pid``: pid and start time); a start
that finds one of them still running from an earlier run ends it first (see
:func:`end_orphan`).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
#: Looked up once, in the parent: the child only calls it.
_prctl = ctypes.CDLL(None, use_errno=True).prctl
#: Files and folders the station makes are its own: no group or other access.
PRIVATE_UMASK = 0o077


@dataclass(frozen=True)
class RunAs:
    """The user (and group) a child runs as; its supplementary groups are dropped."""

    uid: int
    gid: int


def die_with_parent(
    sig: signal.Signals = signal.SIGKILL, run_as: RunAs | None = None
) -> Callable[[], None]:
    """A ``preexec_fn``: the child gets ``sig`` when the calling thread of this process ends.

    With ``run_as`` the child first becomes that user (then the signal setting sticks).
    """
    parent = os.getpid()

    def setup() -> None:  # pragma: no cover - runs in the child, between fork and exec
        if run_as is not None:
            os.setgroups([])
            os.setgid(run_as.gid)
            os.setuid(run_as.uid)
        _prctl(_PR_SET_PDEATHSIG, int(sig))
        if os.getppid() != parent:  # the parent died before the setting: go now
            os._exit(1)

    return setup


def run(argv: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
    """:func:`subprocess.run` for a helper program that must not outlive this process."""
    return subprocess.run(list(argv), preexec_fn=die_with_parent(), **kwargs)


def popen(argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """:class:`subprocess.Popen` for a helper program that must not outlive this process."""
    return subprocess.Popen(list(argv), preexec_fn=die_with_parent(), **kwargs)


def use_private_umask() -> None:
    """Make what this process creates readable by the station's own user only."""
    os.umask(PRIVATE_UMASK)


# -- pid files ------------------------------------------------------------------------------


def start_time(pid: int) -> int | None:
    """When ``pid`` started (clock ticks after boot), or None when it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[-1].split()  # after the name, which may hold spaces
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def write_pid_file(path: Path, pid: int) -> None:
    """``pid`` and its start time: together they name one process, even after pid reuse."""
    path.write_text(f"{pid} {start_time(pid) or 0}\n", encoding="utf-8")


def end_orphan(path: Path, timeout_s: float = 5.0) -> int | None:
    """End the process a pid file names, if it still runs; its pid if one was ended.

    Only the very process that wrote the pid file is ended (pid and start time must both
    match); then the pid file is removed. Call it only while holding the data folder's lock,
    so the process cannot belong to a station that is running.
    """
    try:
        pid_text, started_text = path.read_text(encoding="utf-8").split()
        pid, started = int(pid_text), int(started_text)
    except (OSError, ValueError):
        path.unlink(missing_ok=True)
        return None
    if pid <= 1 or pid == os.getpid() or start_time(pid) != started:
        path.unlink(missing_ok=True)
        return None
    log.warning("ending %s (pid %d), left running by an earlier start", _program(pid), pid)
    for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, timeout_s)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and start_time(pid) == started:
            time.sleep(0.05)
        if start_time(pid) != started:
            break
    path.unlink(missing_ok=True)
    return pid


def _program(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "a process"
    return " ".join(part.decode(errors="replace") for part in argv[:4] if part)
