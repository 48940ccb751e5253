"""The dashboard's view of episodes, over the media area's service.

The dashboard needs four things from the media area: the episode uploaded to an
occurrence (with its analysis), saving its title and notes, and where the browser sends an
upload. :class:`Episode` is that view; :func:`episodes` builds the adapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol, cast

from flask import current_app

from radio.grid.model import Occurrence


@dataclass(frozen=True)
class Episode:
    """An uploaded episode as the presenter sees it."""

    id: str
    occurrence_id: str
    #: ``uploading``, ``analysing``, ``ready`` or ``rejected``.
    state: str
    title: str = ""
    notes: str = ""
    filename: str = ""
    duration: timedelta | None = None
    loudness_lufs: float | None = None
    true_peak_dbtp: float | None = None
    #: Peaks from 0 to 1, a few hundred of them, for drawing the waveform.
    waveform: tuple[float, ...] = field(default=(), repr=False)
    problem: str = ""


class Episodes(Protocol):
    def for_occurrence(self, occurrence_id: str) -> Episode | None: ...

    def describe(self, episode_id: str, title: str, notes: str) -> None: ...

    def upload_info(self, occurrence: Occurrence) -> dict[str, Any] | None: ...


class NoMedia:
    """Until the media area is there: no episodes, and no uploads."""

    def for_occurrence(self, occurrence_id: str) -> Episode | None:
        return None

    def describe(self, episode_id: str, title: str, notes: str) -> None:
        return None

    def upload_info(self, occurrence: Occurrence) -> dict[str, Any] | None:
        return None


def episodes() -> Episodes:
    found = current_app.extensions.get("radio.episodes")
    if found is None:
        found = NoMedia()
        current_app.extensions["radio.episodes"] = found
    return cast(Episodes, found)
