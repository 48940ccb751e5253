"""The scheduler: keeps Liquidsoap's plan for the next minutes in step with the grid.

Every tick (and so within a tick of any grid or episode change) :class:`Reconciler` compares
what should be prepared (:mod:`radio.playout.plan`) with what Liquidsoap reports — the two slot
queues' gates and occurrences, the live window — and sends only the difference. It keeps no
state of its own: killed and restarted, it reads Liquidsoap again and changes nothing that is
already right; Liquidsoap restarted, it finds the queues empty and queues the current episode
again at the offset the clock says (so the episode resumes where it was).

``radio scheduler`` runs it under APScheduler; ``radio run`` supervises that process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

from radio.config import Settings
from radio.errors import LiquidsoapError
from radio.grid.service import GridService
from radio.playout.liquidsoap import LiquidsoapClient
from radio.playout.live import StreamKeys
from radio.playout.plan import (
    GATE_GRACE_S,
    LIVE_MOUNTS,
    QUEUES,
    EpisodeLookup,
    LiveWindow,
    ScheduledItem,
    live_windows,
    scheduled_items,
)

log = logging.getLogger(__name__)

#: The gate of an unused queue: closed until the far future.
FAR = 1_000_000_000_000.0
#: A request pushed late (after a restart) starts this long after it is pushed.
LATE_START_S = 0.2
#: How far ahead the plan looks.
LOOKAHEAD = timedelta(minutes=15)
#: Measured selection latency of the gates (bench/slot_timing.py): they open this much early.
GATE_LEAD_S = 0.03


@dataclass(frozen=True)
class QueueState:
    name: str
    start: float
    end: float
    occurrence: str

    def holds(self, item: ScheduledItem) -> bool:
        return self.occurrence == item_key(item)

    def busy_at(self, now: float) -> bool:
        """Its item is still within its gate (on air, or still to come)."""
        return bool(self.occurrence) and now < self.end


def item_key(item: ScheduledItem) -> str:
    """What a queue's ``_occurrence`` variable holds for an item: occurrence and media."""
    return f"{item.occurrence.id}|{item.media.media_id}"


class Reconciler:
    """One idempotent step: make Liquidsoap's prepared plan match the grid at ``now``."""

    def __init__(
        self,
        client: LiquidsoapClient,
        grid: GridService,
        episodes: EpisodeLookup,
        keys: StreamKeys,
        settings: Settings,
    ) -> None:
        self.client = client
        self.grid = grid
        self.episodes = episodes
        self.keys = keys
        self.settings = settings

    def reconcile(self, now: datetime) -> None:
        occurrences = self.grid.expand(now - timedelta(seconds=1), now + LOOKAHEAD)
        repeats = {s.slug for s in self.grid.list_shows() if s.repeat_latest}
        wanted = scheduled_items(occurrences, self.episodes, now, repeats)
        self._queues(wanted, now.timestamp())
        lead = timedelta(minutes=self.settings.live_key_lead_min)
        self._live(live_windows(occurrences, now, lead, self.grid.expand))

    # -- scheduled episodes ---------------------------------------------------------------

    def _queues(self, wanted: list[ScheduledItem], now: float) -> None:
        states = {q: self._state(q) for q in QUEUES}
        placed = {item_key(i) for i in wanted}
        # Free queues whose item is no longer wanted (cancelled, replaced, ended).
        for state in states.values():
            if state.occurrence and state.occurrence not in placed:
                if state.start <= now < state.end and self._still_in_grid(state, now):
                    continue  # on air and still scheduled: let it finish (its cue-out ends it)
                self._clear(state.name)
                states[state.name] = QueueState(state.name, FAR, 0.0, "")
        for item in wanted:
            if any(s.holds(item) for s in states.values()):
                continue
            airing = [s for s in states.values() if s.busy_at(now) and s.start <= now]
            if any(s.occurrence.split("|", 1)[0] == item.occurrence.id for s in airing):
                continue  # another version of this slot's episode is on air: it finishes
            free = [s for s in states.values() if not s.busy_at(now)]
            if not free:
                break
            queue = free[0].name
            self._load(queue, item, now)
            states[queue] = self._state(queue)

    def _still_in_grid(self, state: QueueState, now: float) -> bool:
        occ_id = state.occurrence.split("|", 1)[0]
        occ = self.grid.find_occurrence(occ_id)
        return occ is not None and occ.start.timestamp() <= now < occ.end.timestamp()

    def _state(self, queue: str) -> QueueState:
        return QueueState(
            queue,
            float(self.client.get_var(f"{queue}_start")),
            float(self.client.get_var(f"{queue}_end")),
            self.client.get_var(f"{queue}_occurrence"),
        )

    def _clear(self, queue: str) -> None:
        self.client.set_var(f"{queue}_start", FAR)
        self.client.set_var(f"{queue}_end", 0.0)
        self.client.set_var(f"{queue}_occurrence", "")
        self.client.command(f"{queue}.flush_and_skip")

    def _load(self, queue: str, item: ScheduledItem, now: float) -> None:
        """Queue ``item`` on ``queue``, gated to its slot; resume mid-slot when late."""
        occ, media = item.occurrence, item.media
        start, end = occ.start.timestamp(), occ.end.timestamp()
        cue_in = media.cue_in_s
        if now > start - GATE_LEAD_S:
            late = now + LATE_START_S - start
            cue_in += late
            start = now + LATE_START_S
            log.info("%s is %.1f s into its slot; resuming its episode there", occ.id, late)
        cue_out = item.cue_out_s()
        if cue_in >= cue_out - 0.5:
            return  # nothing left of the episode to play in this slot
        self._clear(queue)
        self.client.push(
            queue,
            media.path,
            {
                "title": media.title,
                "artist": media.artist,
                "radio_show": occ.show,
                "radio_show_title": occ.title,
                "radio_occurrence": occ.id,
                "radio_media_id": media.media_id,
                "radio_status": item.status,
                "liq_cue_in": f"{cue_in:.3f}",
                "liq_cue_out": f"{cue_out:.3f}",
                "liq_amplify": f"{media.gain_db:.2f} dB",
                "radio_due": f"{start:.3f}",
            },
        )
        self.client.set_var(f"{queue}_occurrence", item_key(item))
        self.client.set_var(f"{queue}_end", end + GATE_GRACE_S)
        self.client.set_var(f"{queue}_start", start)
        log.info(
            "queued %s (%s) on %s for %s",
            occ.id,
            media.title or media.path,
            queue,
            occ.start.astimezone(self.settings.tz).strftime("%a %H:%M:%S"),
        )

    # -- live presenters ------------------------------------------------------------------

    def _live(self, windows: list[LiveWindow]) -> None:
        for mount in LIVE_MOUNTS:
            window = next((w for w in windows if w.mount == mount), None)
            self._live_mount(mount, window)

    def _live_mount(self, mount: str, window: LiveWindow | None) -> None:
        wanted: dict[str, float | str]
        if window is None:
            wanted = {"key": "", "key_from": 0.0, "start": 0.0, "end": 0.0}
        else:
            occ = window.occurrence
            wanted = {
                # No key made yet: the window is open but nothing can connect.
                "key": self.keys.hash_for(occ.show) or "",
                "key_from": window.key_from.timestamp(),
                "start": window.start.timestamp(),
                "end": window.end.timestamp(),
                "title": occ.title,
            }
        for field, value in wanted.items():
            name = f"{mount}_{field}"
            current = self.client.get_var(name)
            if isinstance(value, float):
                if abs(float(current) - value) < 0.001:
                    continue
            elif current == value:
                continue
            self.client.set_var(name, value)
            if field == "key":
                opened = f"{window.occurrence.id}" if window else "closed"
                log.info("live window on /%s: %s", mount, opened)


class SchedulerProcess:
    """Runs :class:`Reconciler` on a short tick, writing a heartbeat file each time."""

    def __init__(
        self,
        reconciler: Reconciler,
        heartbeat: Path,
        tick_s: float = 0.25,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.reconciler = reconciler
        self.heartbeat = heartbeat
        self.tick_s = tick_s
        self.clock = clock
        self._failing = False

    def tick(self) -> None:
        """Reconcile once. The heartbeat is touched only when Liquidsoap's plan is in step,
        so ``/healthz`` reports a scheduler that cannot do its job as down."""
        try:
            self.reconciler.reconcile(self.clock())
        except LiquidsoapError as exc:
            if not self._failing:
                log.warning("cannot reach Liquidsoap (%s); retrying every tick", exc)
            self._failing = True
            return
        if self._failing:
            log.info("Liquidsoap answers again; the plan is in step")
        self._failing = False
        self.heartbeat.touch()

    def run(self) -> int:
        from apscheduler.schedulers import SchedulerNotRunningError
        from apscheduler.schedulers.blocking import BlockingScheduler

        # A tick that finds the previous one still running (Liquidsoap busy starting up) is
        # simply skipped; the next one reconciles everything. APScheduler would warn each time.
        logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
        scheduler = BlockingScheduler(timezone=UTC)
        scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.tick_s,
            id="reconcile",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )

        stopping = threading.Event()

        def _shutdown() -> None:
            with contextlib.suppress(SchedulerNotRunningError):  # stopped before it started
                scheduler.shutdown(wait=False)

        def _stop(signum: int, _frame: FrameType | None) -> None:
            if not stopping.is_set():  # a second signal (e.g. SIGTERM, then SIGHUP) is moot
                stopping.set()
                threading.Thread(target=_shutdown).start()

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, _stop)
        log.info("scheduler started (pid %d)", os.getpid())
        if not stopping.is_set():
            scheduler.start()
        return 0


def heartbeat_age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return float("inf")
