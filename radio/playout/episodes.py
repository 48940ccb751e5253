"""Playout's view of the media library: the episode to air in an occurrence's slot."""

from __future__ import annotations

from datetime import datetime

from radio.config import Settings
from radio.db import Database
from radio.media import records
from radio.media.library import MediaLibrary
from radio.playout.plan import Playable


def _playable(found: records.Playable | None) -> Playable | None:
    if found is None:
        return None
    return Playable(
        media_id=str(found.item_id),
        path=str(found.path),
        title=found.title,
        artist=found.artist or "",
        duration_s=found.duration_s,
        cue_in_s=found.cue_in_s,
        cue_out_s=found.cue_out_s,
        gain_db=found.gain_db,
    )


class LibraryEpisodes:
    """An :class:`~radio.playout.plan.EpisodeLookup` over the station's media library."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.library = MediaLibrary(settings, db)

    def episode_for(self, occurrence_id: str) -> Playable | None:
        return _playable(self.library.episode_for(occurrence_id))

    def latest_episode(self, show: str, before: datetime) -> Playable | None:
        return _playable(self.library.latest_episode(show, before))
