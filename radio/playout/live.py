"""Per-show stream keys for live presenters.

A key is the password a presenter's source client (BUTT, Mixxx, ffmpeg) sends to the harbor.
It works only from ``live_key_lead_min`` minutes before one of the show's live slots until the
slot's end; the scheduler hands Liquidsoap the key of the slot whose window is open.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from radio.db import Base, Database

KEY_BYTES = 18


class StreamKey(Base):
    __tablename__ = "stream_keys"

    show: Mapped[str] = mapped_column(String(60), primary_key=True)
    key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def new_key() -> str:
    """A fresh key: URL-safe characters only, so it needs no quoting in any client."""
    return secrets.token_urlsafe(KEY_BYTES)


class StreamKeys:
    """The stream keys of the station's shows (made on first use)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def key_for(self, show: str) -> str:
        with self.db.session() as session:
            found = session.get(StreamKey, show)
            if found is not None:
                return found.key
        with self.db.write() as session:
            found = session.get(StreamKey, show)
            if found is None:
                found = StreamKey(show=show, key=new_key(), created_at=datetime.now(UTC))
                session.add(found)
            return found.key

    def regenerate(self, show: str) -> str:
        """Replace the show's key; the old one stops working at the next scheduler tick."""
        with self.db.write() as session:
            found = session.get(StreamKey, show)
            if found is None:
                found = StreamKey(show=show, key=new_key(), created_at=datetime.now(UTC))
                session.add(found)
            else:
                found.key = new_key()
                found.created_at = datetime.now(UTC)
            return found.key
