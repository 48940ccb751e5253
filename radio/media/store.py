"""The media library's tables: items, episodes (an item attached to an occurrence) and
resumable upload sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from radio import jsontypes
from radio.db import Base, UTCDateTime


class MediaItem(Base):
    """One stored file and what its analysis measured (playout applies these as they are)."""

    __tablename__ = "media_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    #: Relative to the media folder, e.g. ``ab/abcdef….mp3``.
    path: Mapped[str] = mapped_column(String(200))
    original_filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(200), nullable=True)
    artist: Mapped[str | None] = mapped_column(String(200), nullable=True)
    album: Mapped[str | None] = mapped_column(String(200), nullable=True)
    isrc: Mapped[str | None] = mapped_column(String(12), nullable=True)
    art_path: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: No longer written (empty): pages draw the waveform from ``peaks``. Items stored
    #: before that may name a PNG beside the audio, which nothing reads.
    waveform_path: Mapped[str] = mapped_column(String(200))
    #: A few hundred peak levels (0..1, decibel scale) that pages draw the waveform from.
    peaks: Mapped[list[float]] = mapped_column(JSON, default=list)
    duration_s: Mapped[float] = mapped_column(Float)
    loudness_lufs: Mapped[float | None] = mapped_column(Float, nullable=True)
    true_peak_dbtp: Mapped[float | None] = mapped_column(Float, nullable=True)
    gain_db: Mapped[float] = mapped_column(Float)
    cue_in_s: Mapped[float] = mapped_column(Float)
    cue_out_s: Mapped[float] = mapped_column(Float)
    #: ``ready``, or ``silent`` (accepted with a warning; nothing audible to air).
    status: Mapped[str] = mapped_column(String(20))
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Episode(Base):
    """The item that airs for one occurrence of a show (replaced only once the new one is in)."""

    __tablename__ = "media_episodes"

    occurrence_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    show: Mapped[str] = mapped_column(String(60), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("media_items.id"))
    notes: Mapped[str] = mapped_column(Text, default="")
    #: When the occurrence starts (aware UTC), for "the latest episode before …".
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UploadSession(Base):
    """A resumable upload: its bytes grow in ``<data>/tmp/uploads/<id>.part`` until finished."""

    __tablename__ = "media_uploads"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    show: Mapped[str | None] = mapped_column(String(60), nullable=True)
    occurrence_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    playlist: Mapped[str | None] = mapped_column(String(60), nullable=True)
    #: Who opened it (an account id, as text); only they may send to it. None from the CLI.
    owner: Mapped[str | None] = mapped_column(String(80), nullable=True)
    #: ``receiving``, ``analysing`` or ``done``.
    status: Mapped[str] = mapped_column(String(20))
    media_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: The finished ingest's report (JSON), so that a repeated "finish" answers the same.
    result: Mapped[dict[str, jsontypes.JSON] | None] = mapped_column(JSON, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
