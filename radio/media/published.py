"""Episodes listeners may hear again: the audio attached to occurrences, by occurrence.

:class:`PublishedEpisodes` reads the library's tables (one query per page of occurrences)
for the listeners' pages, feeds and API, and finds the file for an episode's audio route.
:class:`EpisodeArchive` is what the site needs of it (tests give the site a fake).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import or_, select

from radio.db import Database
from radio.logger.store import ListenAgain
from radio.media.store import Episode, MediaItem

#: Media types by the stored file's extension (the library names files by what they hold).
MIME = {
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "opus": "audio/ogg",
    "flac": "audio/flac",
    "wav": "audio/wav",
    "aiff": "audio/aiff",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    "webm": "audio/webm",
}
_CHUNK = 500
#: A live show's recording (listen again) is public once published; uploads always are.
_PUBLIC = or_(ListenAgain.occurrence_id.is_(None), ListenAgain.published.is_(True))


@dataclass(frozen=True)
class PublishedEpisode:
    """An episode that listeners may hear again: the audio that aired in an occurrence."""

    occurrence_id: str
    title: str
    mime_type: str = "audio/mpeg"
    size_bytes: int | None = None
    duration: timedelta | None = None
    notes: str = ""


class EpisodeArchive(Protocol):
    """Published episodes, looked up by the occurrences they aired in."""

    def published(self, occurrence_ids: Sequence[str]) -> dict[str, PublishedEpisode]:
        """The published episode of each occurrence that has one (others are left out)."""
        ...

    def audio(self, occurrence_id: str) -> tuple[Path, str] | None:
        """The episode's file and its media type, for the audio route."""
        ...


class PublishedEpisodes:
    """The library's analysed episodes; ``media_dir`` holds their files."""

    def __init__(self, db: Database, media_dir: Path) -> None:
        self.db = db
        self.media_dir = media_dir

    def published(self, occurrence_ids: Sequence[str]) -> dict[str, PublishedEpisode]:
        found: dict[str, PublishedEpisode] = {}
        with self.db.session() as session:
            for n in range(0, len(occurrence_ids), _CHUNK):
                chunk = list(occurrence_ids[n : n + _CHUNK])
                rows = session.execute(
                    select(Episode, MediaItem)
                    .join(MediaItem, MediaItem.id == Episode.item_id)
                    .outerjoin(ListenAgain, ListenAgain.occurrence_id == Episode.occurrence_id)
                    .where(Episode.occurrence_id.in_(chunk), MediaItem.status == "ready")
                    .where(_PUBLIC)
                ).all()
                for episode, item in rows:
                    found[episode.occurrence_id] = PublishedEpisode(
                        occurrence_id=episode.occurrence_id,
                        title=item.title or "",
                        mime_type=mime_type(item.path),
                        size_bytes=item.size_bytes,
                        duration=timedelta(seconds=round(item.cue_out_s - item.cue_in_s)),
                        notes=episode.notes or "",
                    )
        return found

    def audio(self, occurrence_id: str) -> tuple[Path, str] | None:
        with self.db.session() as session:
            episode = session.get(Episode, occurrence_id)
            item = session.get(MediaItem, episode.item_id) if episode else None
            if item is None or item.status != "ready":
                return None
            recording = session.get(ListenAgain, occurrence_id)
            if recording is not None and not recording.published:
                return None
            path = (self.media_dir / item.path).resolve()
            if not path.is_relative_to(self.media_dir.resolve()) or not path.is_file():
                return None
            return path, mime_type(item.path)


def mime_type(stored_path: str) -> str:
    """The media type of a library file, from the extension the library gave it."""
    return MIME.get(Path(stored_path).suffix.lstrip(".").lower(), "application/octet-stream")
