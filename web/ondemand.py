"""Episodes to listen to again, from the media area's library (its ``media_episodes`` table).

:class:`LibraryEpisodes` implements :class:`web.programme.EpisodeLibrary` with one query
per page, and finds the file for ``/episodes/<occurrence>/audio``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from flask import url_for
from sqlalchemy import select

from radio.db import Database
from web.programme import PublishedEpisode

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
    "webm": "audio/webm",
}
_CHUNK = 500


class LibraryEpisodes:
    """The library's episodes, by occurrence; ``media_dir`` holds their files."""

    def __init__(self, db: Database, media_dir: Path) -> None:
        self.db = db
        self.media_dir = media_dir

    def published(self, occurrence_ids: Sequence[str]) -> dict[str, PublishedEpisode]:
        from radio.media.store import Episode, MediaItem

        found: dict[str, PublishedEpisode] = {}
        with self.db.session() as session:
            for n in range(0, len(occurrence_ids), _CHUNK):
                chunk = list(occurrence_ids[n : n + _CHUNK])
                rows = session.execute(
                    select(Episode, MediaItem)
                    .join(MediaItem, MediaItem.id == Episode.item_id)
                    .where(Episode.occurrence_id.in_(chunk))
                ).all()
                for episode, item in rows:
                    if item.status != "ready":
                        continue
                    found[episode.occurrence_id] = PublishedEpisode(
                        occurrence_id=episode.occurrence_id,
                        title=item.title or "",
                        url=url_for("feeds.episode_audio", occurrence_id=episode.occurrence_id),
                        mime_type=mime_type(item.path),
                        size_bytes=item.size_bytes,
                        duration=timedelta(seconds=round(item.cue_out_s - item.cue_in_s)),
                        notes=episode.notes or "",
                    )
        return found

    def audio(self, occurrence_id: str) -> tuple[Path, str] | None:
        from radio.media.store import Episode, MediaItem

        with self.db.session() as session:
            episode = session.get(Episode, occurrence_id)
            item = session.get(MediaItem, episode.item_id) if episode else None
            if item is None or item.status != "ready":
                return None
            path = (self.media_dir / item.path).resolve()
            if not path.is_relative_to(self.media_dir.resolve()) or not path.is_file():
                return None
            return path, mime_type(item.path)


def mime_type(stored_path: str) -> str:
    """The media type of a library file, from the extension the library gave it."""
    return MIME.get(Path(stored_path).suffix.lstrip(".").lower(), "application/octet-stream")
