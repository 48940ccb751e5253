"""Per-show stream keys for live presenters.

A key is the password a presenter's source client (BUTT, Mixxx, ffmpeg) sends to the harbor.
It works only from ``live_key_lead_min`` minutes before one of the show's live slots until the
slot's end; the scheduler hands Liquidsoap the key of the slot whose window is open.

Only a key's hash is stored (:mod:`radio.playout.keycheck`): a key is shown once, when it is
made, and a presenter who has lost theirs makes a new one.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from radio.db import Base, Database
from radio.playout.keycheck import key_hash, key_matches

KEY_BYTES = 18


class StreamKey(Base):
    __tablename__ = "stream_keys"

    show: Mapped[str] = mapped_column(String(60), primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def new_key() -> str:
    """A fresh key: URL-safe characters only, so it needs no quoting in any client."""
    return secrets.token_urlsafe(KEY_BYTES)


class StreamKeys:
    """The stream keys of the station's shows, kept as hashes."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def make(self, show: str) -> str:
        """A new key for the show, returned this once; the old one stops working at the
        scheduler's next tick."""
        key = new_key()
        with self.db.write() as session:
            found = session.get(StreamKey, show)
            if found is None:
                session.add(StreamKey(show=show, key_hash=key_hash(key), created_at=_now()))
            else:
                found.key_hash = key_hash(key)
                found.created_at = _now()
        return key

    def hash_for(self, show: str) -> str | None:
        """The hash of the show's key (what the harbor checks against); None without one."""
        with self.db.session() as session:
            found = session.get(StreamKey, show)
            return found.key_hash if found is not None else None

    def made_at(self, show: str) -> datetime | None:
        """When the show's current key was made; None when it has none."""
        with self.db.session() as session:
            found = session.get(StreamKey, show)
            if found is None:
                return None
            made = found.created_at  # SQLite hands back naive UTC
            return made if made.tzinfo is not None else made.replace(tzinfo=UTC)

    def check(self, show: str, key: str) -> bool:
        """Whether ``key`` is the show's key (compared in constant time)."""
        return key_matches(key, self.hash_for(show) or "")


def _now() -> datetime:
    return datetime.now(UTC)
