"""An in-memory :class:`~radio.playout.playout.Playout`, for the reconciler's unit tests.

It keeps what Liquidsoap keeps, the way Liquidsoap keeps it: strings cleaned by the same
quoting function, times to the millisecond. The contract suite
(``test_playout_contract.py``) runs against it and against the real Liquidsoap.
"""

from __future__ import annotations

import dataclasses

from radio.playout.plan import LIVE_MOUNTS, QUEUES
from radio.playout.playout import CLOSED, FAR, LiveState, QueuedRequest, QueueState
from radio.playout.quoting import clean_value


def _ms(value: float) -> float:
    return round(value, 3)


class FakePlayout:
    def __init__(self) -> None:
        self.queues: dict[str, QueueState] = {}
        self.lives: dict[str, LiveState] = {}
        #: Every request loaded, in order: (queue, request).
        self.loaded: list[tuple[str, QueuedRequest]] = []
        #: Every queue cleared, in order (a clear while on air is a skip).
        self.cleared: list[str] = []
        self.restart()

    def restart(self) -> None:
        """As after a restart of the engine: every queue empty, every window closed."""
        self.queues = {q: QueueState(q, FAR, 0.0, "") for q in QUEUES}
        self.lives = {m: dataclasses.replace(CLOSED, title="Live") for m in LIVE_MOUNTS}

    def queue_state(self, queue: str) -> QueueState:
        return self.queues[queue]

    def clear_queue(self, queue: str) -> None:
        self.queues[queue] = QueueState(queue, FAR, 0.0, "")
        self.cleared.append(queue)

    def load_queue(self, queue: str, request: QueuedRequest) -> None:
        self.clear_queue(queue)
        self.queues[queue] = QueueState(
            queue, _ms(request.start), _ms(request.end), clean_value(request.occurrence)
        )
        self.loaded.append((queue, request))

    def live_state(self, mount: str) -> LiveState:
        return self.lives[mount]

    def set_live(self, mount: str, state: LiveState) -> None:
        title = clean_value(state.title) if state.open else self.lives[mount].title
        self.lives[mount] = LiveState(
            clean_value(state.key),
            _ms(state.key_from),
            _ms(state.start),
            _ms(state.end),
            title,
            clean_value(state.occurrence),
        )
