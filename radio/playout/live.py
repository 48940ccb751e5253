"""Stream keys for live shows: one secret per show, valid only in its slots' windows.

A presenter's streaming software connects to the live server (Liquidsoap's harbor) with
the show's key. A key works from ``settings.live_key_lead_min`` minutes before a live
occurrence of its show starts until the occurrence ends: ``[start - lead, end)``.

    keys = StreamKeys(db, settings)
    keys.key_for("morning-coffee")      # -> str (made on first use)
    keys.regenerate("morning-coffee")   # -> str, the old key stops working at once
    keys.window(occurrence)             # -> (opens, closes), aware UTC
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from radio.config import Settings
from radio.db import Base, Database
from radio.grid.model import Occurrence


class StreamKeyRow(Base):
    __tablename__ = "stream_keys"

    show_slug: Mapped[str] = mapped_column(String(60), primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def new_key() -> str:
    return secrets.token_urlsafe(18)


class StreamKeys:
    """The stream keys kept in ``db``."""

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.lead = timedelta(minutes=settings.live_key_lead_min)

    def key_for(self, show_slug: str) -> str:
        with self.db.session() as session:
            row = session.get(StreamKeyRow, show_slug)
            if row is not None:
                return row.key
        with self.db.write() as session:
            row = session.get(StreamKeyRow, show_slug)
            if row is None:
                row = StreamKeyRow(show_slug=show_slug, key=new_key(), created_at=_now())
                session.add(row)
            return row.key

    def regenerate(self, show_slug: str) -> str:
        with self.db.write() as session:
            row = session.get(StreamKeyRow, show_slug)
            if row is None:
                row = StreamKeyRow(show_slug=show_slug, key="", created_at=_now())
                session.add(row)
            row.key, row.created_at = new_key(), _now()
            return row.key

    def window(self, occurrence: Occurrence) -> tuple[datetime, datetime]:
        """When the show's key works for this occurrence: ``[start - lead, end)``."""
        return occurrence.start - self.lead, occurrence.end


def _now() -> datetime:
    from datetime import UTC

    return datetime.now(UTC)
