"""What the listeners' pages, feeds and API share: the grid, the clock, episodes, times.

Views ask here for the programme grid (:func:`grid`), the current instant (:func:`now`) and
the episodes that can be heard again (:func:`episodes`). The media area provides episodes
through the small :class:`EpisodeLibrary` interface; until it does, there are none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol, cast
from zoneinfo import ZoneInfo

from flask import current_app

from radio.grid.clock import local_midnight
from radio.grid.model import Occurrence, Show
from radio.grid.service import GridService
from web import grid as station_grid
from web import services

#: How far back the show pages, feeds and podcast look for aired episodes.
ARCHIVE = timedelta(days=366)


@dataclass(frozen=True)
class PublishedEpisode:
    """An episode that listeners may hear again: the audio that aired in an occurrence."""

    occurrence_id: str
    title: str
    #: Where the audio is served, absolute or relative to the site (``/media/...``).
    url: str
    mime_type: str = "audio/mpeg"
    size_bytes: int | None = None
    duration: timedelta | None = None
    notes: str = ""


class EpisodeLibrary(Protocol):
    """The media area's published episodes, looked up by the occurrences they aired in."""

    def published(self, occurrence_ids: Sequence[str]) -> dict[str, PublishedEpisode]:
        """The published episode of each occurrence that has one (others are left out)."""
        ...

    def audio(self, occurrence_id: str) -> tuple[Path, str] | None:
        """The episode's file and its MIME type, for the on-demand route."""
        ...


class NoEpisodes:
    """Until the media area provides its library: nothing to listen again to."""

    def published(self, occurrence_ids: Sequence[str]) -> dict[str, PublishedEpisode]:
        return {}

    def audio(self, occurrence_id: str) -> tuple[Path, str] | None:
        return None


def grid() -> GridService:
    """The grid service (see :func:`web.grid`)."""
    return station_grid()


def now() -> datetime:
    """The current instant (aware UTC); tests put a clock in ``extensions["radio.clock"]``."""
    clock = current_app.extensions.get("radio.clock")
    if clock is None:
        return datetime.now(UTC)
    return cast(Callable[[], datetime], clock)()


def episodes() -> EpisodeLibrary:
    """The media area's library (tests may set ``extensions["radio.public_episodes"]``)."""
    found = current_app.extensions.get("radio.public_episodes")
    if found is None:
        found = _library()
        current_app.extensions["radio.public_episodes"] = found
    return cast(EpisodeLibrary, found)


def _library() -> EpisodeLibrary:
    try:
        import radio.media.store  # noqa: F401  (the media area is there)
    except ImportError:
        return NoEpisodes()
    from web.ondemand import LibraryEpisodes

    svc = services()
    return LibraryEpisodes(svc.db, svc.settings.media_dir)


def tz() -> ZoneInfo:
    return services().settings.tz


def day_bounds(day: date, days: int = 1) -> tuple[datetime, datetime]:
    """``[midnight, midnight days later)`` of local dates, as UTC instants."""
    zone = tz()
    return local_midnight(day, zone), local_midnight(day + timedelta(days=days), zone)


def today() -> date:
    return now().astimezone(tz()).date()


def iso_z(at: datetime) -> str:
    """``2026-11-24T19:00:00Z``."""
    return at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def zone_label(at: datetime | None = None) -> str:
    """How the pages name the station's zone: 'London time (GMT)'."""
    zone = tz()
    city = zone.key.rsplit("/", 1)[-1].replace("_", " ")
    abbrev = (at or now()).astimezone(zone).strftime("%Z")
    return f"{city} time ({abbrev})" if abbrev and abbrev[0] not in "+-" else f"{city} time"


def aired(show: Show, limit: int = 20) -> list[tuple[Occurrence, PublishedEpisode]]:
    """The show's latest aired occurrences that have a published episode, newest first."""
    at = now()
    past = [o for o in grid().expand(at - ARCHIVE, at, show=show.slug) if o.end <= at]
    found = episodes().published([o.id for o in past]) if past else {}
    pairs = [(o, found[o.id]) for o in reversed(past) if o.id in found]
    return pairs[:limit]


def stable_number(text: str, digits: int = 8) -> int:
    """A stable positive integer for a text (LibreTime's numeric ids)."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:digits], 16)
