"""The scheduler: keeps Liquidsoap's plan for the next minutes in step with the grid.

Every tick (and so within a tick of any grid or episode change) :class:`Reconciler` compares
what should be prepared (:mod:`radio.playout.plan`) with what Liquidsoap reports — the two slot
queues' gates and occurrences, the live window — and sends only the difference. It keeps no
state of its own: killed and restarted, it reads Liquidsoap again and changes nothing that is
already right; Liquidsoap restarted, it finds the queues empty and queues the current episode
again at the offset the clock says (so the episode resumes where it was).

Each tick reads a :class:`Plan` from the database (every episode and live slot of the next
:data:`LOOKAHEAD`), then applies it. While the database is not answering, the process applies
the last plan it read: the episodes and live slots of those minutes still start on time,
and what comes after is left to the rotation until the database answers again.

``radio scheduler`` runs it under APScheduler; ``radio run`` supervises that process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from radio.config import Settings
from radio.db import UNREACHABLE, Outage
from radio.errors import LiquidsoapError
from radio.grid.service import GridService
from radio.playout.keycheck import key_pairs
from radio.playout.live import StreamKeys
from radio.playout.plan import (
    GATE_GRACE_S,
    LIVE_MOUNTS,
    QUEUES,
    EpisodeLookup,
    LiveWindow,
    Plan,
    ScheduledItem,
    every_live_window,
    scheduled_items,
    still_due,
    windows_at,
)
from radio.playout.playout import CLOSED, FAR, LiveState, Playout, QueuedRequest, QueueState

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

log = logging.getLogger(__name__)

#: A request pushed late (after a restart) starts this long after it is pushed.
LATE_START_S = 0.2
#: How far ahead the plan looks.
LOOKAHEAD = timedelta(minutes=15)
#: The keys of an open window whose presenters have made none (the window must still read
#: as open, for go-live tokens): matches no key.
NO_KEYS = "none"
#: Measured selection latency of the gates (bench/slot_timing.py): they open this much early.
GATE_LEAD_S = 0.03


def item_key(item: ScheduledItem) -> str:
    """What a queue holds for an item (:attr:`QueueState.occurrence`): occurrence, media and
    the slot's times, so a slot moved (or made shorter) after its episode was queued is
    queued again at its new time, not left at the old one."""
    occ = item.occurrence
    return f"{occ.id}|{item.media.item_id}|{occ.start.timestamp():.0f}|{occ.end.timestamp():.0f}"


class Reconciler:
    """One idempotent step: make the playout engine's prepared plan match the grid at ``now``."""

    def __init__(
        self,
        playout: Playout,
        grid: GridService,
        episodes: EpisodeLookup,
        keys: StreamKeys,
        settings: Settings,
    ) -> None:
        self.playout = playout
        self.grid = grid
        self.episodes = episodes
        self.keys = keys
        self.settings = settings

    @property
    def lead(self) -> timedelta:
        return timedelta(minutes=self.settings.live_key_lead_min)

    def reconcile(self, now: datetime) -> None:
        self.apply(self.read_plan(now), now)

    def read_plan(self, now: datetime) -> Plan:
        """The plan for the next :data:`LOOKAHEAD`, from the database."""
        occurrences = self.grid.expand(now - timedelta(seconds=1), now + LOOKAHEAD)
        repeats = {s.slug for s in self.grid.list_shows() if s.repeat_latest}
        items = scheduled_items(occurrences, self.episodes, now, repeats, limit=None)
        windows = every_live_window(occurrences, self.lead, self.grid.expand)
        shows = {w.occurrence.show for w in windows}
        # No key made yet: go-live tokens still work (the browser's page).
        keys = {show: key_pairs(self.keys.hashes(show)) or NO_KEYS for show in shows}
        return Plan(now, tuple(occurrences), tuple(items), tuple(windows), keys)

    def apply(self, plan: Plan, now: datetime) -> None:
        """Make Liquidsoap's prepared plan match ``plan`` at ``now`` (no database needed)."""
        wanted = [i for i in plan.items if still_due(i.occurrence, now)][: len(QUEUES)]
        self._queues(wanted, plan, now.timestamp())
        self._live(windows_at(plan.windows, now, self.lead), plan.keys)

    # -- scheduled episodes ---------------------------------------------------------------

    def _queues(self, wanted: list[ScheduledItem], plan: Plan, now: float) -> None:
        states = {q: self.playout.queue_state(q) for q in QUEUES}
        placed = {item_key(i) for i in wanted}
        # Free queues whose item is no longer wanted (cancelled, replaced, ended).
        for state in states.values():
            if state.occurrence and state.occurrence not in placed:
                on_air = state.start <= now < state.end
                if on_air and plan.on_air(state.occurrence.split("|", 1)[0], now):
                    continue  # on air and still scheduled: let it finish (its cue-out ends it)
                self.playout.clear_queue(state.name)
                states[state.name] = QueueState(state.name, FAR, 0.0, "")
        for item in wanted:
            if any(s.holds(item_key(item)) for s in states.values()):
                continue
            airing = [s for s in states.values() if s.busy_at(now) and s.start <= now]
            if any(s.occurrence.split("|", 1)[0] == item.occurrence.id for s in airing):
                continue  # another version of this slot's episode is on air: it finishes
            free = [s for s in states.values() if not s.busy_at(now)]
            if not free:
                break
            queue = free[0].name
            self._load(queue, item, now)
            states[queue] = self.playout.queue_state(queue)

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
        metadata = {
            "title": media.title,
            "artist": media.artist,
            "radio_show": occ.show,
            "radio_show_title": occ.title,
            "radio_occurrence": occ.id,
            "radio_media_id": str(media.item_id),
            "radio_status": item.status,
            "liq_cue_in": f"{cue_in:.3f}",
            "liq_cue_out": f"{cue_out:.3f}",
            "liq_amplify": f"{media.gain_db:.2f} dB",
            "radio_due": f"{start:.3f}",
        }
        request = QueuedRequest(
            str(media.path), metadata, item_key(item), start, end + GATE_GRACE_S
        )
        self.playout.load_queue(queue, request)
        log.info(
            "queued %s (%s) on %s for %s",
            occ.id,
            media.title or media.path.name,
            queue,
            occ.start.astimezone(self.settings.tz).strftime("%a %H:%M:%S"),
        )

    # -- live presenters ------------------------------------------------------------------

    def _live(self, windows: list[LiveWindow], keys: Mapping[str, str]) -> None:
        for mount in LIVE_MOUNTS:
            window = next((w for w in windows if w.mount == mount), None)
            self._live_mount(mount, window, keys)

    def _live_mount(self, mount: str, window: LiveWindow | None, keys: Mapping[str, str]) -> None:
        wanted = CLOSED
        if window is not None:
            occ = window.occurrence
            wanted = LiveState(
                key=keys.get(occ.show, NO_KEYS),
                key_from=window.key_from.timestamp(),
                start=window.start.timestamp(),
                end=window.end.timestamp(),
                title=occ.title,
                occurrence=occ.id,
            )
        current = self.playout.live_state(mount)
        if wanted.same_as(current):
            return
        self.playout.set_live(mount, wanted)
        if wanted.key != current.key:
            log.info("live window on /%s: %s", mount, window.occurrence.id if window else "closed")


class SchedulerProcess:
    """Runs :class:`Reconciler` on a short tick, writing a heartbeat file each time."""

    def __init__(
        self,
        reconciler: Reconciler,
        heartbeat: Path,
        tick_s: float = 0.25,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        jobs: Callable[[BaseScheduler], None] | None = None,
        database: Outage | None = None,
    ) -> None:
        self.reconciler = reconciler
        self.heartbeat = heartbeat
        self.tick_s = tick_s
        self.clock = clock
        #: Adds the process's other jobs to its scheduler (see :mod:`radio.jobs`).
        self.jobs = jobs
        #: Where the database not answering is said (once for the process).
        self.database = database or reconciler.grid.db.outage
        self._failing = False
        #: The last plan read from the database, applied while it is not answering.
        self._plan: Plan | None = None

    def tick(self) -> None:
        """Reconcile once. The heartbeat is touched only when Liquidsoap's plan is in step
        (with the grid, or while the database is not answering with the last plan read),
        so ``/healthz`` reports a scheduler that cannot do its job as down."""
        now = self.clock()
        plan = self._read_plan(now)
        if plan is None:
            return  # nothing read yet: Liquidsoap plays on with what it has
        try:
            self.reconciler.apply(plan, now)
        except LiquidsoapError as exc:
            if not self._failing:
                log.warning("cannot reach Liquidsoap (%s); retrying every tick", exc)
            self._failing = True
            return
        if self._failing:
            log.info("Liquidsoap answers again; the plan is in step")
        self._failing = False
        self.heartbeat.touch()

    def _read_plan(self, now: datetime) -> Plan | None:
        """The plan from the database; while it is not answering, the last one read."""
        try:
            plan = self.reconciler.read_plan(now)
        except UNREACHABLE as exc:
            self.database.failed(exc)
            return self._plan
        self.database.answered()
        self._plan = plan
        return plan

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
        if self.jobs is not None:
            self.jobs(scheduler)

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
