"""The playout engine as the scheduler sees it: two gated slot queues and the live mounts.

:class:`Playout` is the one interface the :class:`~radio.playout.scheduler.Reconciler` talks
to. :class:`~radio.playout.liquidsoap.LiquidsoapPlayout` implements it over Liquidsoap's
control socket; the tests' in-memory fake implements it too, and one contract suite
(``tests/playout/test_playout_contract.py``) runs against both, so the fake cannot drift.

A slot queue holds at most one request, gated: it may go on air from ``start`` (Unix time)
until ``end``. ``occurrence`` says what it holds (the reconciler's key); an empty queue holds
``""`` with its gate closed until :data:`FAR`. A restarted engine has every queue empty and
every live window closed: the reconciler finds that and prepares the plan again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

#: The gate of an unused queue: closed until the far future.
FAR = 1_000_000_000_000.0
#: How the station script's event lines begin (``RADIO-EVENT [[key, value], ...]``): a track
#: on the output, silence, a live source; the as-run log is written from them.
EVENT_PREFIX = "RADIO-EVENT "
#: Times are kept to the millisecond (Liquidsoap prints its floats with three decimals).
TIME_RESOLUTION_S = 0.001


@dataclass(frozen=True)
class QueueState:
    """What one slot queue holds and when its gate is open."""

    name: str
    start: float
    end: float
    occurrence: str

    def holds(self, key: str) -> bool:
        return bool(key) and self.occurrence == key

    def busy_at(self, now: float) -> bool:
        """Its item is still within its gate (on air, or still to come)."""
        return bool(self.occurrence) and now < self.end


@dataclass(frozen=True)
class QueuedRequest:
    """A file for a slot queue, with the metadata that travels with it on air."""

    path: str
    metadata: Mapping[str, str]
    #: The reconciler's key for what the queue now holds.
    occurrence: str
    start: float
    end: float


@dataclass(frozen=True)
class LiveState:
    """A live mount's window: which stream keys work, from when, and when it is on air.

    ``key`` holds the hashes of the slot's presenters' keys (``presenter:hash,…``,
    :func:`radio.playout.keycheck.key_pairs`); ``occurrence`` is the slot (go-live tokens
    are made for it).
    """

    key: str = ""
    key_from: float = 0.0
    start: float = 0.0
    end: float = 0.0
    title: str = ""
    occurrence: str = ""

    @property
    def open(self) -> bool:
        return bool(self.key)

    def same_as(self, other: LiveState) -> bool:
        """Equal to the millisecond; a closed window's title does not matter."""
        times = zip(
            (self.key_from, self.start, self.end),
            (other.key_from, other.start, other.end),
            strict=True,
        )
        if any(abs(a - b) >= TIME_RESOLUTION_S for a, b in times) or self.key != other.key:
            return False
        if self.occurrence != other.occurrence:
            return False
        return not self.open or self.title == other.title


#: A closed live window (no key works).
CLOSED = LiveState()


class Playout(Protocol):
    """Two gated slot queues and the live mounts' windows, as the playout engine holds them."""

    def queue_state(self, queue: str) -> QueueState:
        """What ``queue`` holds now."""
        ...

    def clear_queue(self, queue: str) -> None:
        """Close the gate and drop what the queue holds (also when it is on air)."""
        ...

    def load_queue(self, queue: str, request: QueuedRequest) -> None:
        """Replace what ``queue`` holds with ``request``, gated to its start and end."""
        ...

    def live_state(self, mount: str) -> LiveState:
        """The window of live mount ``mount``."""
        ...

    def set_live(self, mount: str, state: LiveState) -> None:
        """Open, move or close the window of ``mount``."""
        ...
