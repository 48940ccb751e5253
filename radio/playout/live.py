"""Stream keys for live presenters: one for each presenter of each live show.

A key is the password a presenter's source client (BUTT, Mixxx, ffmpeg) sends to the harbor.
It works only from ``live_key_lead_min`` minutes before one of the show's live slots until the
slot's end; the scheduler hands Liquidsoap the keys of the slot whose window is open. Each
co-presenter has a key of their own, so making a new one (because it was lost or seen) leaves
the others' keys working, and the as-run log can say who was live. Presenter ``0`` is a key
made for the show itself (``radio streamkey new`` without ``--presenter``).

Only a key's hash is stored (:mod:`radio.playout.keycheck`): a key is shown once, when it is
made, and a presenter who has lost theirs makes a new one. Keys use letters and digits that
cannot be mistaken for one another when read aloud or copied by hand (no 0/O/o, 1/l/I).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import Integer, String, delete, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from radio.accounts.store import AccountRow, AccountShowRow
from radio.db import Base, Database, UTCDateTime
from radio.playout.keycheck import key_hash, presenter_for_key

#: The characters of a key: no 0, O, o, 1, l or I.
KEY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"
KEY_LENGTH = 24  # about 140 bits
#: The presenter number of a key made for the show rather than for one presenter.
SHOW_KEY = 0


class StreamKey(Base):
    __tablename__ = "stream_keys"

    show: Mapped[str] = mapped_column(String(60), primary_key=True)
    presenter: Mapped[int] = mapped_column(Integer, primary_key=True, default=SHOW_KEY)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


def new_key() -> str:
    """A fresh key: letters and digits only, none that look alike."""
    return "".join(secrets.choice(KEY_ALPHABET) for _ in range(KEY_LENGTH))


class StreamKeys:
    """The stream keys of the station's shows' presenters, kept as hashes."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def make(self, show: str, presenter: int = SHOW_KEY) -> str:
        """A new key for ``presenter`` of ``show``, returned this once; their old one stops
        working at the scheduler's next tick (the other presenters' keys are untouched)."""
        key = new_key()
        with self.db.write() as session:
            found = session.get(StreamKey, (show, presenter))
            if found is None:
                session.add(
                    StreamKey(
                        show=show, presenter=presenter, key_hash=key_hash(key), created_at=_now()
                    )
                )
            else:
                found.key_hash = key_hash(key)
                found.created_at = _now()
        return key

    def revoke(self, show: str, presenter: int) -> None:
        """``presenter``'s key for ``show`` stops working; the others' keys go on."""
        with self.db.write() as session:
            session.execute(
                delete(StreamKey).where(StreamKey.show == show, StreamKey.presenter == presenter)
            )

    def hashes(self, show: str) -> dict[int, str]:
        """The hash of each key that works for the show, by presenter (what the harbor checks
        against): the show's own, and those of the active accounts linked to it now. A
        presenter taken off the show, or whose account is disabled, is let in no more."""
        with self.db.session() as session:
            linked = (
                select(AccountShowRow.account_id)
                .join(AccountRow, AccountRow.id == AccountShowRow.account_id)
                .where(
                    AccountShowRow.show_slug == show,
                    AccountRow.disabled.is_(False),
                    AccountRow.password_hash.is_not(None),
                )
            )
            rows = session.scalars(
                select(StreamKey).where(
                    StreamKey.show == show,
                    or_(StreamKey.presenter == SHOW_KEY, StreamKey.presenter.in_(linked)),
                )
            )
            return {row.presenter: row.key_hash for row in rows}

    def hash_for(self, show: str, presenter: int = SHOW_KEY) -> str | None:
        """The hash of one presenter's key for the show; None without one."""
        return self.hashes(show).get(presenter)

    def made_at(self, show: str, presenter: int = SHOW_KEY) -> datetime | None:
        """When the presenter's key for the show was made; None when they have none."""
        with self.db.session() as session:
            found = session.get(StreamKey, (show, presenter))
            if found is None:
                return None
            return found.created_at

    def check(self, show: str, key: str) -> bool:
        """Whether ``key`` is one of the show's keys (compared in constant time)."""
        return self.presenter_of(show, key) is not None

    def presenter_of(self, show: str, key: str) -> int | None:
        """Whose key for the show ``key`` is; None if it is nobody's."""
        pairs = ",".join(f"{p}:{h}" for p, h in self.hashes(show).items())
        return presenter_for_key(key, pairs)


def _now() -> datetime:
    return datetime.now(UTC)
