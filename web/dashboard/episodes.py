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
from web.dashboard.waveform import Waveform, outline


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
    #: The waveform's shapes, drawn from the levels the analysis stored.
    waveform: Waveform | None = field(default=None, repr=False)
    problem: str = ""
    warnings: tuple[str, ...] = ()


class Episodes(Protocol):
    def for_occurrence(self, occurrence_id: str) -> Episode | None: ...

    def describe(self, occurrence_id: str, title: str, notes: str) -> None: ...

    def upload_info(self, occurrence: Occurrence) -> dict[str, Any] | None: ...


class NoMedia:
    """Until the media area is there: no episodes, and no uploads."""

    def for_occurrence(self, occurrence_id: str) -> Episode | None:
        return None

    def describe(self, occurrence_id: str, title: str, notes: str) -> None:
        return None

    def upload_info(self, occurrence: Occurrence) -> dict[str, Any] | None:
        return None


class LibraryEpisodes:
    """Episodes from the media area's :class:`~radio.media.library.MediaLibrary`.

    Uploads go to the media area's endpoint once it is registered (blueprint ``uploads``);
    until then :meth:`upload_info` says there is none and the page says so. An upload still
    being analysed (or refused, while nothing is attached) comes from ``uploads``
    (:class:`~radio.media.uploads.Uploads`), when given.
    """

    def __init__(self, library: Any, uploads: Any = None) -> None:
        self.library = library
        self.uploads = uploads

    def for_occurrence(self, occurrence_id: str) -> Episode | None:
        pending = self.uploads.pending_for(occurrence_id) if self.uploads is not None else None
        if pending is not None and pending.status == "analysing":
            return Episode(
                id=pending.id, occurrence_id=occurrence_id, state="analysing",
                filename=pending.filename,
            )  # fmt: skip
        playable = self.library.episode_for(occurrence_id)
        if playable is None:
            if pending is not None and pending.status == "rejected":
                return Episode(
                    id=pending.id, occurrence_id=occurrence_id, state="rejected",
                    filename=pending.filename, problem=pending.note,
                )  # fmt: skip
            return None
        record = self.library.get(playable.item_id)
        return Episode(
            id=str(record.id),
            occurrence_id=occurrence_id,
            state="ready" if record.status in ("ready", "ok", "") else record.status,
            title=record.title or "",
            notes=self.library.episode_notes(occurrence_id) or "",
            filename=record.original_filename,
            duration=timedelta(seconds=record.cue_out_s - record.cue_in_s),
            loudness_lufs=record.loudness_lufs,
            true_peak_dbtp=record.true_peak_dbtp,
            waveform=outline(
                self.library.peaks(record.id), record.duration_s, record.cue_in_s, record.cue_out_s
            ),
            warnings=tuple(record.warnings),
        )

    def describe(self, occurrence_id: str, title: str, notes: str) -> None:
        self.library.describe_episode(occurrence_id, title, notes)

    def upload_info(self, occurrence: Occurrence) -> dict[str, Any] | None:
        if "uploads" not in current_app.blueprints:
            return None
        from flask import url_for

        return {
            "endpoint": url_for("uploads.create"),
            "metadata": {"occurrence_id": occurrence.id, "show": occurrence.show},
            "status_url": None,
        }


def episodes() -> Episodes:
    found = current_app.extensions.get("radio.episodes")
    if found is None:
        found = _build()
        current_app.extensions["radio.episodes"] = found
    return cast(Episodes, found)


def _build() -> Episodes:
    try:
        from radio.media.library import MediaLibrary
    except ImportError:  # the media area is not there
        return NoMedia()
    from web import services

    if "uploads" in current_app.blueprints:  # share the upload endpoint's library
        from web.uploads import uploads

        service = uploads()
        return LibraryEpisodes(service.library, service)
    from web.grid_editor.common import grid

    svc = services()
    library = MediaLibrary(svc.settings, svc.db, slots=grid())
    return LibraryEpisodes(library)
