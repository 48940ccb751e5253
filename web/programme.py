"""What the listeners' pages, feeds and API share: the grid, the clock, episodes, times.

Views ask here for the programme grid (:func:`grid`), the current instant (:func:`now`) and
the episodes that can be heard again (:func:`episodes`), all from the station's services.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import url_for

from radio.grid.clock import local_midnight
from radio.grid.model import Occurrence, Show
from radio.grid.service import GridService
from radio.media.published import EpisodeArchive, PublishedEpisode
from web import grid as station_grid
from web import services

#: How far back the show pages, feeds and podcast look for aired episodes.
ARCHIVE = timedelta(days=366)


def grid() -> GridService:
    """The grid service (see :func:`web.grid`)."""
    return station_grid()


def now() -> datetime:
    """The current instant (aware UTC), from the station's one clock."""
    return services().clock()


def episodes() -> EpisodeArchive:
    """The episodes listeners may hear again."""
    return services().published


def audio_url(episode: PublishedEpisode) -> str:
    """Where an episode's audio is served (relative to the site)."""
    return url_for("feeds.episode_audio", occurrence_id=episode.occurrence_id)


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
