"""The dashboard's view of episodes, over the media area's service.

The dashboard needs four things from the media area: the episode uploaded to an
occurrence (with its analysis), saving its title and notes, and where the browser sends an
upload. :class:`Episode` is that view; :func:`episodes` builds the adapter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, TypedDict

from flask import url_for

from radio.grid.model import Occurrence
from radio.media.library import MediaLibrary
from radio.media.uploads import Uploads
from web import services
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


class UploadInfo(TypedDict):
    """Where the slot page's uploader sends the file, and what it says the file is for."""

    endpoint: str
    metadata: dict[str, str]
    status_url: str | None


class Episodes(Protocol):
    def for_occurrence(
        self, occurrence_id: str, slot: timedelta | None = None
    ) -> Episode | None: ...

    def has_earlier(self, show: str, before: datetime) -> bool: ...

    def describe(self, occurrence_id: str, title: str, notes: str) -> None: ...

    def upload_info(self, occurrence: Occurrence) -> UploadInfo | None: ...


class PresenterEpisodes:
    """Episodes from the station's :class:`~radio.media.library.MediaLibrary`; an upload
    still being analysed (or refused, while nothing is attached) from its
    :class:`~radio.media.uploads.Uploads`."""

    def __init__(self, library: MediaLibrary, uploads: Uploads) -> None:
        self.library = library
        self.uploads = uploads

    def for_occurrence(self, occurrence_id: str, slot: timedelta | None = None) -> Episode | None:
        """The occurrence's episode; with ``slot`` (its length) the waveform is drawn to the
        slot's scale."""
        pending = self.uploads.pending_for(occurrence_id)
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
                self.library.peaks(record.id),
                record.duration_s,
                record.cue_in_s,
                record.cue_out_s,
                slot.total_seconds() if slot else None,
            ),
            warnings=tuple(record.warnings),
        )

    def has_earlier(self, show: str, before: datetime) -> bool:
        """Whether ``show`` has an episode from an earlier slot (a repeat can replay it)."""
        return self.library.latest_episode(show, before) is not None

    def describe(self, occurrence_id: str, title: str, notes: str) -> None:
        self.library.describe_episode(occurrence_id, title, notes)

    def upload_info(self, occurrence: Occurrence) -> UploadInfo | None:
        return {
            "endpoint": url_for("uploads.create"),
            "metadata": {"occurrence_id": occurrence.id, "show": occurrence.show},
            "status_url": None,
        }


def episodes() -> Episodes:
    """The presenter's view of the station's media library and uploads."""
    found = services()
    return PresenterEpisodes(found.library, found.uploads)
