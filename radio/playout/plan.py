"""What Liquidsoap should have prepared at an instant: a pure function of the grid and episodes.

The scheduler compares this plan with what Liquidsoap reports and sends only the difference,
so running it twice, or after a restart of either side, changes nothing that is already right.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol

from radio.grid.model import Occurrence

#: How the grid's slot at an instant is being served.
SlotStatus = Literal[
    "episode", "repeat", "missing", "fill", "live", "waiting", "music", "unscheduled"
]

#: Two request queues, used in turn, so the next slot is ready while the current one plays.
QUEUES = ("slot_a", "slot_b")
#: A queue's gate stays open this long after its slot's end; the request itself ends at the
#: slot's end (its cue-out), so the next slot's queue can open on the same frame.
GATE_GRACE_S = 1.0
#: Do not resume an episode with less than this left in its slot.
MIN_RESUME_S = 2.0


@dataclass(frozen=True)
class Playable:
    """A library item as playout needs it: the file and what its analysis measured.

    The media library hands these out (:meth:`~radio.media.library.MediaLibrary.episode_for`).
    """

    item_id: int
    path: Path
    title: str
    artist: str
    duration_s: float
    cue_in_s: float
    cue_out_s: float
    gain_db: float


class EpisodeLookup(Protocol):
    """Where playout finds the audio for an occurrence (the media library)."""

    def episode_for(self, occurrence_id: str) -> Playable | None: ...

    def latest_episode(self, show: str, before: datetime) -> Playable | None: ...


@dataclass(frozen=True)
class ScheduledItem:
    """An episode to air in an occurrence's slot."""

    occurrence: Occurrence
    media: Playable
    repeat: bool

    @property
    def status(self) -> SlotStatus:
        return "repeat" if self.repeat else "episode"

    def cue_out_s(self) -> float:
        """Where in the file the item must end: its own cue-out, or the slot's end."""
        slot = self.occurrence.duration.total_seconds()
        return min(self.media.cue_out_s, self.media.cue_in_s + slot)


#: The harbor mounts live presenters connect to (the script's two live inputs). A live slot
#: that starts within the key lead of another live slot's end gets the other mount, so its
#: presenter can connect early while the first is still on air.
LIVE_MOUNTS = ("live", "live2")
#: How far back a chain of closely following live slots is followed to find a slot's mount.
MAX_LIVE_CHAIN = 48


@dataclass(frozen=True)
class LiveWindow:
    """A live slot whose stream key works now: from ``key_from`` to ``end``, on ``mount``."""

    occurrence: Occurrence
    key_from: datetime
    start: datetime
    end: datetime
    mount: str = LIVE_MOUNTS[0]


@dataclass(frozen=True)
class Plan:
    """What the grid and the library said at ``read_at`` about the minutes ahead (the
    scheduler's ``LOOKAHEAD``).

    Applying it needs no database: every episode to air and every live slot, with its mount
    and the hashes of its keys, are in it. So the scheduler airs from the last plan it read
    while the database is not answering.
    """

    read_at: datetime
    #: The grid's occurrences overlapping the lookahead, in start order.
    occurrences: tuple[Occurrence, ...]
    #: Every episode to air in them, in start order.
    items: tuple[ScheduledItem, ...]
    #: Every live slot in them, with its mount.
    windows: tuple[LiveWindow, ...]
    #: Each live show's key pairs (what Liquidsoap's harbor checks).
    keys: Mapping[str, str]

    def on_air(self, occurrence_id: str, now: float) -> bool:
        """Whether the occurrence is in the grid and on air at ``now`` (a Unix time)."""
        return any(
            o.id == occurrence_id and o.start.timestamp() <= now < o.end.timestamp()
            for o in self.occurrences
        )


class OccurrenceWindow(Protocol):
    """The grid's occurrences overlapping ``[start, end)`` (a GridService's ``expand``)."""

    def __call__(self, start: datetime, end: datetime) -> Sequence[Occurrence]: ...


def scheduled_items(
    occurrences: Sequence[Occurrence],
    episodes: EpisodeLookup,
    now: datetime,
    repeats: Collection[str] = (),
    limit: int | None = 2,
) -> list[ScheduledItem]:
    """The next ``limit`` episodes to air (all of them with ``None``), the one on air first.

    ``occurrences`` are the grid's, in start order, around ``now``. A pre-recorded slot
    without an episode gets the show's latest earlier episode when the show is one of
    ``repeats`` (it opted in); otherwise it is left to the rotation.
    """
    items: list[ScheduledItem] = []
    for occ in occurrences:
        if occ.kind != "prerecorded" or not still_due(occ, now):
            continue
        item = item_for(occ, episodes, occ.show in repeats)
        if item is not None:
            items.append(item)
        if len(items) == limit:
            break
    return items


def still_due(occ: Occurrence, now: datetime) -> bool:
    """Whether ``occ``'s episode is still to air at ``now``: to start, or to resume with at
    least :data:`MIN_RESUME_S` of its slot left."""
    if occ.end <= now:
        return False
    return not (occ.start <= now and (occ.end - now).total_seconds() < MIN_RESUME_S)


def item_for(occ: Occurrence, episodes: EpisodeLookup, repeat: bool) -> ScheduledItem | None:
    media = episodes.episode_for(occ.id)
    if media is not None:
        return ScheduledItem(occ, media, repeat=False)
    if repeat:
        latest = episodes.latest_episode(occ.show, before=occ.start)
        if latest is not None:
            return ScheduledItem(occ, latest, repeat=True)
    return None


def every_live_window(
    occurrences: Sequence[Occurrence], lead: timedelta, expand: OccurrenceWindow
) -> list[LiveWindow]:
    """A window for each live slot of ``occurrences``, with its mount."""
    return [
        LiveWindow(occ, occ.start - lead, occ.start, occ.end, live_mount(occ, lead, expand))
        for occ in occurrences
        if occ.kind == "live"
    ]


def windows_at(windows: Sequence[LiveWindow], now: datetime, lead: timedelta) -> list[LiveWindow]:
    """Those of ``windows`` whose keys work at ``now``: the slot on air and the next one
    starting within ``lead`` (when it has the other mount, :func:`live_mount`, so the two
    never share one)."""
    current = [w for w in windows if w.start <= now < w.end]
    upcoming = [w for w in windows if now < w.start <= now + lead]
    chosen: list[LiveWindow] = []
    for window in [*current[:1], *upcoming[:1]]:
        if all(w.mount != window.mount for w in chosen):
            chosen.append(window)
    return chosen


def live_mount(occ: Occurrence, lead: timedelta, expand: OccurrenceWindow) -> str:
    """The harbor mount for a live occurrence's presenter.

    The first mount, unless the slot starts less than ``lead`` after a live slot ends; then
    the mount that slot does not use, found by following the chain of such slots back. A show
    that always follows the same live show therefore keeps the same mount week after week.
    """
    hops = 0
    slot = occ
    while hops < MAX_LIVE_CHAIN:
        before = [
            o
            for o in expand(slot.start - lead - timedelta(days=1), slot.start)
            if o.kind == "live" and o.id != slot.id and slot.start - lead < o.end <= slot.start
        ]
        if not before:
            break
        slot = max(before, key=lambda o: o.end)
        hops += 1
    return LIVE_MOUNTS[hops % len(LIVE_MOUNTS)]


def slot_status(
    slot: Occurrence | None,
    source: str | None,
    on_air_occurrence: str | None,
    on_air_status: str | None = None,
    aired: Callable[[str], bool] = lambda _occurrence: False,
) -> SlotStatus:
    """How the grid's slot is being served, from what Liquidsoap reports on air.

    ``aired`` says whether an occurrence's episode already went out: the rotation after
    it is ``fill`` (the episode was shorter than its slot), not ``missing``.
    """
    if slot is None:
        return "unscheduled"
    if slot.kind == "live":
        return "live" if source == "live" else "waiting"
    if slot.kind == "music":
        return "music"
    if source == "scheduled" and on_air_occurrence == slot.id:
        return "repeat" if on_air_status == "repeat" else "episode"
    return "fill" if aired(slot.id) else "missing"
