"""The Liquidsoap control-socket client: the only module that talks to Liquidsoap.

Protocol (Liquidsoap 2.1): send one command line; the reply is zero or more lines followed by
a line that is exactly ``END``. A title such as "THE END" may appear inside a reply, so framing
is on the whole line. Values go through :mod:`radio.playout.quoting`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from radio.errors import LiquidsoapError
from radio.playout.playout import FAR, LiveState, QueuedRequest, QueueState
from radio.playout.quoting import annotate_uri, clean_value

log = logging.getLogger(__name__)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
#: How an empty string variable is set over the socket (the script treats it as empty).
EMPTY_STRING = '""'


@dataclass(frozen=True)
class OnAir:
    """What Liquidsoap's output is playing, as Liquidsoap reports it."""

    source: str
    title: str
    artist: str
    filename: str
    started_at: float | None
    metadata: Mapping[str, str]
    #: How many files the rotation has loaded (0: only station IDs can play); None: unknown.
    rotation_files: int | None = None


@dataclass(frozen=True)
class LiveMount:
    """A live mount as Liquidsoap reports it (the script's ``station.live`` command)."""

    mount: str
    #: The slot whose window is open on it ("" when closed).
    occurrence: str
    connected: bool
    #: The connected presenter's account number ("" when none; "0": the show's own key).
    presenter: str
    #: The slot's gate is open (its time has come).
    gate: bool
    #: The level arriving from the presenter, RMS over half a second (0 to 1).
    level: float


@dataclass(frozen=True)
class LiveReport:
    mounts: tuple[LiveMount, ...]
    #: A live presenter is what the station's output plays.
    on_air: bool

    def mount_for(self, occurrence: str) -> LiveMount | None:
        return next((m for m in self.mounts if occurrence and m.occurrence == occurrence), None)


class LiquidsoapClient:
    """Typed commands over the Unix-domain control socket.

    One connection is kept and reused; a broken one is reopened once per command.
    Thread-safe: commands are serialised. After :meth:`close` the client stays closed: a
    command still running in another thread cannot open a new connection behind it.
    """

    def __init__(self, path: Path, timeout: float = 5.0) -> None:
        self.path = path
        self.timeout = timeout
        self._sock: socket.socket | None = None
        self._buffer = b""
        self._lock = threading.Lock()
        self._closed = False

    # -- plumbing -------------------------------------------------------------------------

    def command(self, line: str) -> list[str]:
        """Send one raw command line; return the reply lines (without ``END``)."""
        if "\n" in line or "\r" in line:
            raise LiquidsoapError("A Liquidsoap command must be one line.")
        with self._lock:
            if self._closed:
                raise LiquidsoapError("The Liquidsoap client has been closed.")
            for attempt in (1, 2):
                try:
                    return self._exchange(line)
                except OSError as exc:
                    self._close()
                    if attempt == 2:
                        raise LiquidsoapError(
                            f"Liquidsoap's control socket {self.path} is not answering ({exc})."
                        ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _exchange(self, line: str) -> list[str]:
        sock = self._connect()
        sock.sendall(line.encode("utf-8") + b"\n")
        lines: list[str] = []
        while True:
            newline = self._buffer.find(b"\n")
            if newline < 0:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionResetError("Liquidsoap closed the connection")
                self._buffer += chunk
                continue
            raw, self._buffer = self._buffer[:newline], self._buffer[newline + 1 :]
            text = raw.decode("utf-8", errors="replace").rstrip("\r")
            if text == "END":
                return lines
            lines.append(text)

    def _connect(self) -> socket.socket:
        if self._sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(str(self.path))
            except OSError:
                sock.close()
                raise
            self._sock = sock
            self._buffer = b""
        return self._sock

    def _close(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            finally:
                self._sock = None
                self._buffer = b""

    def close(self) -> None:
        """Say goodbye and close the connection for good."""
        with self._lock:
            self._closed = True
            if self._sock is not None:
                with contextlib.suppress(OSError):
                    self._sock.sendall(b"quit\n")
            self._close()

    def wait_ready(self, timeout: float = 20.0) -> None:
        """Wait until the socket answers, or raise :class:`LiquidsoapError`."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.version()
                return
            except LiquidsoapError:
                if self._closed or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    # -- typed commands -------------------------------------------------------------------

    def version(self) -> str:
        reply = self.command("version")
        if not reply or not reply[0].startswith("Liquidsoap"):
            raise LiquidsoapError(f"Unexpected reply to 'version': {reply!r}.")
        return reply[0]

    def uptime(self) -> str:
        return self._single("uptime")

    def on_air(self) -> OnAir | None:
        """The track on the station's output (the script's ``station.on_air`` command)."""
        reply = self.command("station.on_air")
        try:
            data = json.loads("\n".join(reply))
        except json.JSONDecodeError as exc:
            raise LiquidsoapError(f"Unexpected reply to 'station.on_air': {reply!r}.") from exc
        if not isinstance(data, dict):
            raise LiquidsoapError(f"Unexpected reply to 'station.on_air': {reply!r}.")
        meta = _pairs(data.get("metadata", []))
        if not meta:
            return None
        started = data.get("started_at")
        files = data.get("rotation_files")
        return OnAir(
            source=meta.get("radio_source", "unknown"),
            title=meta.get("title", ""),
            artist=meta.get("artist", ""),
            filename=meta.get("filename", ""),
            started_at=float(started) if isinstance(started, int | float) else None,
            metadata=meta,
            rotation_files=files
            if isinstance(files, int) and not isinstance(files, bool)
            else None,
        )

    def live(self) -> LiveReport:
        """The live mounts (the script's ``station.live`` command)."""
        reply = self.command("station.live")
        try:
            data = json.loads("\n".join(reply))
            parts = [_pairs(part) for part in data]
            mounts = tuple(
                LiveMount(
                    mount=p["mount"],
                    occurrence=_unquote(p.get("occurrence", "")),
                    connected=p.get("connected") == "true",
                    presenter=p.get("presenter", ""),
                    gate=p.get("gate") == "true",
                    level=float(p.get("level", "0")),
                )
                for p in parts[:-1]
            )
            on_air = parts[-1].get("on_air") == "true"
        except (json.JSONDecodeError, TypeError, KeyError, ValueError, IndexError) as exc:
            raise LiquidsoapError(f"Unexpected reply to 'station.live': {reply!r}.") from exc
        return LiveReport(mounts, on_air)

    def push(self, queue: str, path: str, metadata: Mapping[str, object]) -> int:
        """Queue ``path`` on request queue ``queue`` with annotations; return the request id."""
        uri = annotate_uri(path, dict(metadata))
        reply = self._single(f"{self._name(queue)}.push {uri}")
        try:
            return int(reply)
        except ValueError:
            raise LiquidsoapError(f"Unexpected reply to '{queue}.push': {reply!r}.") from None

    def queue(self, queue: str) -> list[int]:
        """The request ids waiting on request queue ``queue``."""
        reply = self._single(f"{self._name(queue)}.queue")
        try:
            return [int(rid) for rid in reply.split()]
        except ValueError:
            raise LiquidsoapError(f"Unexpected reply to '{queue}.queue': {reply!r}.") from None

    def skip(self, source: str) -> None:
        """Skip the track ``source`` is playing."""
        reply = self._single(f"{self._name(source)}.skip")
        if reply not in ("Done", "Done."):
            raise LiquidsoapError(f"Unexpected reply to '{source}.skip': {reply!r}.")

    def request_metadata(self, rid: int) -> dict[str, str]:
        """The metadata of request ``rid``."""
        reply = self.command(f"request.metadata {int(rid)}")
        if reply and "=" not in reply[0]:
            raise LiquidsoapError(f"Unexpected reply to 'request.metadata {rid}': {reply!r}.")
        meta: dict[str, str] = {}
        for line in reply:
            key, sep, value = line.partition("=")
            if sep:
                meta[key] = _unquote(value)
        return meta

    def set_var(self, name: str, value: float | bool | str) -> None:
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int | float):
            text = repr(float(value))
        else:
            # A string variable takes the rest of the line as it is (quotes would become part
            # of the value); cleaning keeps it to that one line. Liquidsoap 2.1 cannot set
            # one to nothing, so "empty" is sent as EMPTY_STRING and read back as "".
            text = clean_value(value) or EMPTY_STRING
        reply = self._single(f"var.set {self._name(name)}={text}")
        if not reply.startswith("Variable "):
            raise LiquidsoapError(f"Liquidsoap refused to set {name}: {reply}")

    def get_var(self, name: str) -> str:
        value = _unquote(self._single(f"var.get {self._name(name)}"))
        return "" if value == EMPTY_STRING else value

    def _single(self, line: str) -> str:
        reply = self.command(line)
        if len(reply) != 1:
            raise LiquidsoapError(f"Unexpected reply to {line.split()[0]!r}: {reply!r}.")
        return reply[0]

    @staticmethod
    def _name(name: str) -> str:
        if not _NAME.match(name):
            raise LiquidsoapError(f"{name!r} is not a Liquidsoap source or variable name.")
        return name


def _pairs(raw: object) -> dict[str, str]:
    """Liquidsoap metadata as a dict; JSON gives it as ``[[key, value], …]`` (later wins)."""
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    if not isinstance(raw, list):
        raise LiquidsoapError(f"Unexpected metadata from Liquidsoap: {raw!r}.")
    out: dict[str, str] = {}
    for pair in raw:
        if isinstance(pair, list) and len(pair) == 2:
            out[str(pair[0])] = str(pair[1])
    return out


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


class LiquidsoapPlayout:
    """:class:`~radio.playout.playout.Playout` over the control socket.

    The station script gives each slot queue (``slot_a``, ``slot_b``) a request queue and three
    interactive variables, ``<queue>_start``, ``<queue>_end`` and ``<queue>_occurrence``; each
    live mount has ``<mount>_key``, ``_key_from``, ``_start``, ``_end`` and ``_title``.
    """

    def __init__(self, client: LiquidsoapClient) -> None:
        self.client = client

    def queue_state(self, queue: str) -> QueueState:
        return QueueState(
            queue,
            float(self.client.get_var(f"{queue}_start")),
            float(self.client.get_var(f"{queue}_end")),
            self.client.get_var(f"{queue}_occurrence"),
        )

    def clear_queue(self, queue: str) -> None:
        self.client.set_var(f"{queue}_start", FAR)
        self.client.set_var(f"{queue}_end", 0.0)
        self.client.set_var(f"{queue}_occurrence", "")
        self.client.command(f"{LiquidsoapClient._name(queue)}.flush_and_skip")

    def load_queue(self, queue: str, request: QueuedRequest) -> None:
        self.clear_queue(queue)
        self.client.push(queue, request.path, request.metadata)
        self.client.set_var(f"{queue}_occurrence", request.occurrence)
        self.client.set_var(f"{queue}_end", request.end)
        self.client.set_var(f"{queue}_start", request.start)  # last: it opens the gate

    def live_state(self, mount: str) -> LiveState:
        get = self.client.get_var
        return LiveState(
            key=get(f"{mount}_key"),
            key_from=float(get(f"{mount}_key_from")),
            start=float(get(f"{mount}_start")),
            end=float(get(f"{mount}_end")),
            title=get(f"{mount}_title"),
            occurrence=get(f"{mount}_occurrence"),
        )

    def set_live(self, mount: str, state: LiveState) -> None:
        self.client.set_var(f"{mount}_key", state.key)
        self.client.set_var(f"{mount}_occurrence", state.occurrence)
        self.client.set_var(f"{mount}_key_from", state.key_from)
        self.client.set_var(f"{mount}_start", state.start)
        self.client.set_var(f"{mount}_end", state.end)
        if state.open:  # a closed window keeps the last title (nobody is on air with it)
            self.client.set_var(f"{mount}_title", state.title)
