"""What the library hands out: plain frozen records, never ORM rows."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from radio.jsontypes import JSON
from radio.media.store import MediaItem


@dataclass(frozen=True)
class MediaRecord:
    """A library item as the rest of the station sees it."""

    id: int
    original_filename: str
    title: str | None
    artist: str | None
    album: str | None
    isrc: str | None
    format: str
    size_bytes: int
    duration_s: float
    loudness_lufs: float | None
    true_peak_dbtp: float | None
    gain_db: float
    cue_in_s: float
    cue_out_s: float
    status: str
    warnings: list[str]
    path: str
    art_path: str | None
    sha256: str
    created_at: str

    def to_json(self) -> dict[str, JSON]:
        return asdict(self)


@dataclass(frozen=True)
class IngestResult:
    item: MediaRecord
    duplicate: bool = False
    #: Things the person must know (silence, overruns, damaged parts).
    warnings: list[str] = field(default_factory=list)
    #: Plain information (the slot is shorter, the item joined a playlist).
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, JSON]:
        return {"item": self.item.to_json(), "duplicate": self.duplicate,
                "warnings": list(self.warnings), "notes": list(self.notes)}  # fmt: skip


@dataclass(frozen=True)
class Target:
    """Where an ingested item goes besides the library."""

    show: str | None = None
    occurrence_id: str | None = None
    playlist: str | None = None


def record_of(row: MediaItem) -> MediaRecord:
    created = row.created_at
    return MediaRecord(
        id=row.id, original_filename=row.original_filename, title=row.title,
        artist=row.artist, album=row.album, isrc=row.isrc, format=row.format,
        size_bytes=row.size_bytes, duration_s=row.duration_s,
        loudness_lufs=row.loudness_lufs, true_peak_dbtp=row.true_peak_dbtp,
        gain_db=row.gain_db, cue_in_s=row.cue_in_s, cue_out_s=row.cue_out_s,
        status=row.status, warnings=list(row.warnings or []), path=row.path,
        art_path=row.art_path, sha256=row.sha256,
        created_at=created.isoformat(),
    )  # fmt: skip


def label(record: MediaRecord) -> str:
    return f"“{record.title}”" if record.title else record.original_filename
