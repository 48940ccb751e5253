"""The station library: what it holds, what playout and the pages read back, and edits.

:meth:`MediaLibrary.ingest` adds a file (the work is in :mod:`radio.media.ingest`); episodes
are attached to grid occurrences, files to the station's playlists.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from radio.config import Settings
from radio.db import Database
from radio.errors import MediaRejected, NotFound, RadioError
from radio.media import tags
from radio.media.episodes import Occurrence, SlotLookup, slot_fit
from radio.media.files import add_to_playlist, temporary_dir
from radio.media.records import IngestResult, MediaRecord, Target, record_of
from radio.media.store import Episode, MediaItem
from radio.playlists import STATION_PLAYLISTS
from radio.playout.plan import Playable

__all__ = ["IngestResult", "MediaLibrary", "MediaRecord", "Playable", "Target"]

log = logging.getLogger(__name__)

#: Told the seconds of audio analysed so far and the length the file declares (or None).
Progress = Callable[[float, float | None], None]

_PLAYLIST_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$")


class MediaLibrary:
    """The library service. ``slots`` finds grid occurrences (needed to attach episodes)."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        slots: SlotLookup | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.db = db
        self.slots = slots
        self.clock = clock

    # Ingest ------------------------------------------------------------------------------

    def ingest(
        self,
        source: Path,
        original_filename: str | None = None,
        target: Target | None = None,
        *,
        staged: bool = False,
        progress: Progress | None = None,
    ) -> IngestResult:
        """Check, analyse and store ``source``; :class:`MediaRejected` says why not.

        ``staged`` means ``source`` already lies in the temporary folder (a finished upload)
        and may be moved rather than copied; it is removed either way. The work is in
        :mod:`radio.media.ingest`, loaded here: a process that never ingests (the scheduler)
        never loads the analysis and its numpy.
        """
        from radio.media.ingest import ingest

        return ingest(self, source, original_filename, target, staged=staged, progress=progress)

    # Episodes and playlists --------------------------------------------------------------

    def slot_of(self, target: Target) -> Occurrence | None:
        """The grid occurrence ``target`` names, or None (none named, or no such one)."""
        if target.occurrence_id is None or self.slots is None:
            return None
        return self.slots.find_occurrence(target.occurrence_id)

    def check_target(self, target: Target) -> Occurrence | None:
        """The occurrence a target names (None for none); refuses what cannot be attached."""
        if target.playlist is not None and not _PLAYLIST_NAME.match(target.playlist):
            raise MediaRejected(
                f"The playlist name {target.playlist!r} may hold only letters, digits, "
                "- and _ (up to 60)."
            )
        if target.playlist is not None:
            folder = self.settings.playlists_dir
            known = sorted({*STATION_PLAYLISTS, *(p.stem for p in folder.glob("*.m3u8"))})
            if target.playlist not in known:
                raise MediaRejected(
                    f"There is no playlist {target.playlist!r}; the station's playlists are "
                    f"{', '.join(known)}."
                )
        if target.occurrence_id is None:
            if target.show is not None:
                raise MediaRejected(
                    "Name the occurrence to attach the episode to (--occurrence on the command "
                    "line)."
                )
            return None
        if self.slots is None:
            raise RadioError("The programme grid is not available, so episodes cannot be attached.")
        occurrence = self.slots.find_occurrence(target.occurrence_id)
        if occurrence is None:
            raise NotFound(
                f"There is no occurrence {target.occurrence_id!r} in the grid "
                "(it may have been cancelled); pick one from the show's schedule."
            )
        if target.show is not None and occurrence.show != target.show:
            raise MediaRejected(
                f"The occurrence {target.occurrence_id!r} belongs to the show "
                f"{occurrence.show!r}, not {target.show!r}."
            )
        return occurrence

    def attach(
        self, record: MediaRecord, target: Target, occurrence: Occurrence | None, notes: list[str]
    ) -> list[str]:
        """Attach a stored item to ``occurrence`` and/or ``target``'s playlist; the warnings
        (``notes`` gets what is only worth saying)."""
        warnings: list[str] = []
        if occurrence is not None:
            with self.db.write() as session:
                episode = session.get(Episode, occurrence.id)
                if episode is not None and episode.item_id != record.id:
                    notes.append(f"It replaces #{episode.item_id} for this occurrence.")
                if episode is None:
                    episode = Episode(occurrence_id=occurrence.id, notes="")
                    session.add(episode)
                episode.show = occurrence.show
                episode.starts_at = occurrence.start.astimezone(UTC)
                episode.item_id = record.id
                episode.attached_at = self.clock()
            kind = getattr(occurrence, "kind", "prerecorded")
            if kind != "prerecorded":
                # Kept for the show page and the podcast; on air the slot is live or music.
                notes.append(
                    f"This is a {kind} show's slot: the recording is kept for on-demand "
                    "listening and the podcast, and does not play on air."
                )
            else:
                message, warn = slot_fit(occurrence, record.cue_out_s - record.cue_in_s,
                                         self.settings.tz)  # fmt: skip
                (warnings if warn else notes).append(message)
        if target.playlist is not None:
            added = add_to_playlist(
                self.settings.playlists_dir, target.playlist, record.path,
                lock_dir=temporary_dir(self.settings),
            )  # fmt: skip
            notes.append(
                f"Added to the playlist {target.playlist}."
                if added
                else f"It is already in the playlist {target.playlist}."
            )
        return warnings

    # Reading -----------------------------------------------------------------------------

    def items(self) -> list[MediaRecord]:
        with self.db.session() as session:
            rows = session.scalars(select(MediaItem).order_by(MediaItem.id)).all()
            return [record_of(r) for r in rows]

    def get(self, item_id: int) -> MediaRecord:
        with self.db.session() as session:
            row = session.get(MediaItem, item_id)
            if row is None:
                raise NotFound(f"There is no media item #{item_id}; `radio media list` shows them.")
            return record_of(row)

    def peaks(self, item_id: int) -> list[float]:
        """The item's waveform levels (0..1, a few hundred across the file) for drawing."""
        with self.db.session() as session:
            row = session.get(MediaItem, item_id)
            return list(row.peaks or []) if row is not None else []

    def episode_for(self, occurrence_id: str) -> Playable | None:
        """The episode attached to an occurrence, ready for playout; None if there is none."""
        with self.db.session() as session:
            episode = session.get(Episode, occurrence_id)
            if episode is None:
                return None
            item = session.get(MediaItem, episode.item_id)
            assert item is not None
            return self._playable(item)

    def latest_episode(self, show: str, before: datetime) -> Playable | None:
        """The episode of ``show`` whose occurrence started last before ``before`` (repeats)."""
        with self.db.session() as session:
            episode = session.scalars(
                select(Episode)
                .where(Episode.show == show, Episode.starts_at < before.astimezone(UTC))
                .order_by(Episode.starts_at.desc())
            ).first()
            if episode is None:
                return None
            item = session.get(MediaItem, episode.item_id)
            assert item is not None
            return self._playable(item)

    def episodes_of(self, item_id: int) -> list[tuple[str, str, datetime]]:
        """The occurrences an item is attached to: (occurrence id, show, start in UTC)."""
        with self.db.session() as session:
            rows = session.scalars(
                select(Episode).where(Episode.item_id == item_id).order_by(Episode.starts_at)
            ).all()
            return [(e.occurrence_id, e.show, e.starts_at) for e in rows]

    def episode_notes(self, occurrence_id: str) -> str | None:
        with self.db.session() as session:
            episode = session.get(Episode, occurrence_id)
            return None if episode is None else episode.notes

    def describe_episode(self, occurrence_id: str, title: str, notes: str) -> None:
        """Set an attached episode's title (on its item) and notes (on the episode)."""
        with self.db.write() as session:
            episode = session.get(Episode, occurrence_id)
            if episode is None:
                raise NotFound("Upload the episode first; then give it a title and notes.")
            item = session.get(MediaItem, episode.item_id)
            assert item is not None
            item.title = tags.clean_text(title) or item.title
            episode.notes = (notes or "").strip()[:4000]

    def episode_item(self, occurrence_id: str) -> MediaRecord | None:
        with self.db.session() as session:
            episode = session.get(Episode, occurrence_id)
            if episode is None:
                return None
            item = session.get(MediaItem, episode.item_id)
            return None if item is None else record_of(item)

    def playable(self, item_id: int) -> Playable:
        with self.db.session() as session:
            item = session.get(MediaItem, item_id)
            if item is None:
                raise NotFound(f"There is no media item #{item_id}.")
            return self._playable(item)

    def _playable(self, item: MediaItem) -> Playable:
        return Playable(
            item_id=item.id, path=(self.settings.media_dir / item.path).resolve(),
            title=item.title or item.original_filename, artist=item.artist or "",
            duration_s=item.duration_s, gain_db=item.gain_db,
            cue_in_s=item.cue_in_s, cue_out_s=item.cue_out_s,
        )  # fmt: skip

    def edit(self, item_id: int, **changes: str | None) -> MediaRecord:
        """Change tags (title, artist, album, isrc); values are cleaned like imported ones."""
        allowed = {"title", "artist", "album", "isrc"}
        with self.db.write() as session:
            row = session.get(MediaItem, item_id)
            if row is None:
                raise NotFound(f"There is no media item #{item_id}.")
            for key, value in changes.items():
                if key not in allowed:
                    raise MediaRejected(f"{key!r} is not a tag that can be edited.")
                if value is None:
                    continue
                if key == "isrc":
                    cleaned = tags.clean_isrc(value) if value.strip() else None
                    if value.strip() and cleaned is None:
                        raise MediaRejected(
                            f"{value!r} is not an ISRC (two letters, three letters or digits, "
                            "then seven digits, like GBAYE0601498)."
                        )
                else:
                    cleaned = tags.clean_text(value)
                setattr(row, key, cleaned)
            session.flush()
            return record_of(row)

    def by_hash(self, digest: str) -> MediaRecord | None:
        with self.db.session() as session:
            row = session.scalars(select(MediaItem).where(MediaItem.sha256 == digest)).first()
            return record_of(row) if row else None
