"""Listen again: each live show, cut from the logger as it really aired, as its slot's episode.

When a live slot has ended, the scheduler finds when its presenter was on air in the as-run
log and marks a :class:`ListenAgain` recording due; ``radio logger listen-again`` (run by
the scheduler in a process of its own: the analysis loads numpy) cuts it from the logger
and stores it in the library as the occurrence's episode. Presenters trim its start and end
(it is cut again) and publish it or keep it private; a show with ``listen_again = true``
publishes on its own. Only published recordings reach the show page and the podcast.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from radio.clock import Clock
from radio.config import Settings
from radio.db import Database
from radio.errors import NotFound, RadioError
from radio.grid.service import GridService
from radio.logger.export import export
from radio.logger.store import ListenAgain
from radio.media.files import temporary_dir
from radio.media.library import MediaLibrary
from radio.media.records import Target
from radio.playout.asrun import AsRunEntry

log = logging.getLogger(__name__)

#: A slot is cut this long after its end: the writer has its last second on disk by then.
SETTLE = timedelta(seconds=2)
#: Live slots that ended longer ago than this are not looked at any more.
LOOKBACK = timedelta(days=2)
#: What a trim must leave of a recording.
SHORTEST_S = 1.0


@dataclass(frozen=True)
class Recording:
    occurrence_id: str
    show: str
    aired_from: datetime
    aired_to: datetime
    trim_start_s: float
    trim_end_s: float
    published: bool
    state: str
    note: str

    @property
    def start(self) -> datetime:
        return self.aired_from + timedelta(seconds=self.trim_start_s)

    @property
    def end(self) -> datetime:
        return self.aired_to - timedelta(seconds=self.trim_end_s)

    @property
    def aired_s(self) -> float:
        return (self.aired_to - self.aired_from).total_seconds()


def _record(row: ListenAgain) -> Recording:
    return Recording(
        row.occurrence_id, row.show, row.aired_from, row.aired_to, row.trim_start_s,
        row.trim_end_s, row.published, row.state, row.note,
    )  # fmt: skip


def aired_span(db: Database, occurrence_id: str) -> tuple[datetime, datetime | None] | None:
    """From the presenter's first moment on air in the occurrence to their last (None: they
    never were; an end of None: still on air)."""
    with db.session() as session:
        first, last, still = session.execute(
            select(
                func.min(AsRunEntry.started_at),
                func.max(AsRunEntry.ended_at),
                func.count(AsRunEntry.id).filter(AsRunEntry.ended_at.is_(None)),
            ).where(AsRunEntry.occurrence_id == occurrence_id, AsRunEntry.source == "live")
        ).one()
    if first is None:
        return None
    if still or last is None:
        return first.replace(tzinfo=UTC), None
    return first.replace(tzinfo=UTC), last.replace(tzinfo=UTC)


class ListenAgainService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        grid: GridService,
        library: MediaLibrary,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.db = db
        self.grid = grid
        self.library = library
        self.clock = clock

    def mark_due(self, now: datetime) -> int:
        """Mark each live slot that ended (and aired) without a recording; how many."""
        marked = 0
        opt_in = {s.slug for s in self.grid.list_shows() if s.listen_again}
        for occ in self.grid.expand(now - LOOKBACK, now):
            if occ.kind != "live" or occ.end > now - SETTLE or self.get(occ.id) is not None:
                continue
            span = aired_span(self.db, occ.id)
            if span is None:
                continue
            start, end = span
            with self.db.write() as session:
                session.add(
                    ListenAgain(
                        occurrence_id=occ.id,
                        show=occ.show,
                        aired_from=max(start, occ.start),
                        aired_to=min(end or occ.end, occ.end),
                        trim_start_s=0.0,
                        trim_end_s=0.0,
                        published=occ.show in opt_in,
                        state="due",
                        note="",
                    )
                )
            marked += 1
        return marked

    def due(self) -> list[str]:
        with self.db.session() as session:
            return list(
                session.scalars(select(ListenAgain.occurrence_id).where(ListenAgain.state == "due"))
            )

    def get(self, occurrence_id: str) -> Recording | None:
        with self.db.session() as session:
            row = session.get(ListenAgain, occurrence_id)
            return _record(row) if row is not None else None

    def cut_due(self) -> int:
        """Cut every due recording into the library; how many were made."""
        made = 0
        for occurrence_id in self.due():
            made += self.cut(occurrence_id)
        return made

    def cut(self, occurrence_id: str) -> bool:
        found = self.get(occurrence_id)
        if found is None:
            raise NotFound(f"There is no listen-again recording of {occurrence_id!r}.")
        trims = (found.trim_start_s, found.trim_end_s)  # a re-trim meanwhile cuts again
        occ = self.grid.find_occurrence(occurrence_id)
        title = self.grid.get_show(found.show)
        when = found.aired_from.astimezone(self.settings.tz)
        name = f"{found.show}-{when:%Y-%m-%d-%H%M}.{self.settings.logger_format}"
        out = temporary_dir(self.settings) / f"listen-again-{secrets.token_hex(4)}-{name}"
        try:
            export(
                self.settings.logger_dir, found.start, found.end, out,
                now=self.clock(), keep_days=self.settings.logger_keep_days,
                tz=self.settings.tz, logger_suffix="." + self.settings.logger_format,
            )  # fmt: skip
            result = self.library.ingest(
                out, name, Target(show=found.show, occurrence_id=occurrence_id), staged=True
            )
            label = f"{title.title if title else found.show}, {when:%A %d %B %Y}"
            self.library.edit(result.item.id, title=label)
        except RadioError as exc:  # no recording, or the library refused it: said, not retried
            self._set(occurrence_id, {"state": "failed", "note": str(exc)}, only_if_trims=trims)
            log.warning("the listen-again recording of %s was not made: %s", occurrence_id, exc)
            return False
        finally:
            out.unlink(missing_ok=True)
        ready = {"state": "ready", "note": "", "made_at": self.clock()}
        if not self._set(occurrence_id, ready, only_if_trims=trims):
            if self.get(occurrence_id) is not None:
                log.info("listen again: %s was trimmed again meanwhile; it is cut again",
                         occurrence_id)  # fmt: skip
            return False
        log.info("listen again: %s is an episode of %s", occurrence_id, occ.show if occ else "")
        return True

    def edit(
        self, occurrence_id: str, *, trim_start_s: float, trim_end_s: float, published: bool
    ) -> Recording:
        """New trims (cut again) and whether it is published; refuses a trim that leaves
        less than a second."""
        found = self.get(occurrence_id)
        if found is None:
            raise NotFound("This slot has no recording yet: it is made once the show has aired.")
        if trim_start_s < 0 or trim_end_s < 0:
            raise RadioError("Trims are seconds to leave out, 0 or more.")
        if trim_start_s + trim_end_s > found.aired_s - SHORTEST_S:
            raise RadioError(
                f"The show aired for {found.aired_s:.0f} s; trimming {trim_start_s:.0f} s and "
                f"{trim_end_s:.0f} s would leave nothing."
            )
        retrim = (trim_start_s, trim_end_s) != (found.trim_start_s, found.trim_end_s)
        changes: dict[str, object] = {"published": published}
        if retrim:
            changes.update(trim_start_s=trim_start_s, trim_end_s=trim_end_s, state="due")
        self._set(occurrence_id, changes)
        updated = self.get(occurrence_id)
        assert updated is not None
        return updated

    def _set(
        self,
        occurrence_id: str,
        changes: dict[str, object],
        only_if_trims: tuple[float, float] | None = None,
    ) -> bool:
        """Change the row; with ``only_if_trims``, only if its trims are still those."""
        with self.db.write() as session:
            row = session.get(ListenAgain, occurrence_id)
            if row is None or only_if_trims not in (None, (row.trim_start_s, row.trim_end_s)):
                return False
            for key, value in changes.items():
                setattr(row, key, value)
            return True


def recordings_of(db: Database, occurrence_ids: list[str]) -> dict[str, Recording]:
    with db.session() as session:
        rows = session.scalars(
            select(ListenAgain).where(ListenAgain.occurrence_id.in_(occurrence_ids))
        )
        return {row.occurrence_id: _record(row) for row in rows}
