"""Helpers for tests that use real programs: free ports, decoding a stream, waiting."""

from __future__ import annotations

import array
import math
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def require(program: str) -> str:
    """The path of ``program``; a missing one fails the test (it never skips)."""
    path = shutil.which(program)
    if path is None:
        raise AssertionError(f"{program} is not installed; `make test` installs it")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


def stop(proc: subprocess.Popen[bytes] | subprocess.Popen[str], timeout: float = 30) -> None:
    """Ask ``proc`` to end (SIGTERM) and wait for it; kill it if it takes longer than
    ``timeout`` (a busy machine slows a program's own shutdown: Liquidsoap once took more
    than 10 s)."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)


def wait_for(check: Callable[[], T | None], timeout: float, what: str, every: float = 0.2) -> T:
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except Exception:
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def pcm_command(url: str, seconds: float, rate: int) -> list[str]:
    """ffmpeg decoding ``seconds`` of ``url`` into mono 16-bit samples on stdout."""
    return [require("ffmpeg"), "-nostdin", "-v", "error", "-i", url, "-t", str(seconds),
            "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"]  # fmt: skip


def decode(url: str, seconds: float, rate: int = 8000) -> array.array[int]:
    """Decode ``seconds`` of audio from ``url`` into mono 16-bit samples."""
    out = subprocess.run(
        pcm_command(url, seconds, rate), capture_output=True, timeout=seconds + 20, check=True
    ).stdout
    samples = array.array("h")
    samples.frombytes(out[: len(out) - len(out) % 2])
    return samples


def rms_dbfs(samples: array.array[int]) -> float:
    if not samples:
        return -math.inf
    mean = sum(s * s for s in samples) / len(samples)
    return 20 * math.log10(math.sqrt(mean) / 32768) if mean else -math.inf
