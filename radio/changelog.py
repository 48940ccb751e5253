"""The grid's change log: who changed the programme grid, when, what and why.

The station's programming decisions are open to its community: every edit made through the
grid editor is recorded here and listed on the public ``/changes`` page. Entries are only
ever added. ``at`` is passed in (UTC), like every instant in the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Integer, String, Text, func, select
from sqlalchemy.orm import Mapped, mapped_column

from radio.db import Base, Database, UTCDateTime

MAX_REASON = 500


@dataclass(frozen=True)
class GridChange:
    """One recorded change. ``who`` is the person's display name; ``show`` the slug it was about."""

    id: int
    at: datetime
    who: str
    what: str
    reason: str = ""
    show: str = ""


class GridChangeRow(Base):
    __tablename__ = "grid_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    who: Mapped[str] = mapped_column(String(254))
    what: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    show: Mapped[str] = mapped_column(String(60), default="")

    def to_change(self) -> GridChange:
        return GridChange(self.id, self.at, self.who, self.what, self.reason, self.show)


def presenter_changes(
    person: str, shows: AbstractSet[str], before: AbstractSet[str], title_of: Callable[[str], str]
) -> list[tuple[str, str]]:
    """(show slug, sentence) for each show ``person`` now presents or no longer presents.

    Linking a presenter to a show is a grid change: the web and the command line record
    these the same way. ``person`` is a public name (never an e-mail address).
    """
    who = person[:1].upper() + person[1:]
    return [
        (slug, f"{who} {'is now a presenter of' if slug in shows else 'no longer presents'} "
               f"{title_of(slug)}.")
        for slug in sorted(set(shows) ^ set(before))
    ]  # fmt: skip


class ChangeLog:
    """The change log kept in ``db``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(
        self, *, at: datetime, who: str, what: str, reason: str = "", show: str = ""
    ) -> GridChange:
        if at.tzinfo is None:
            raise ValueError("a change is recorded at an aware instant")
        row = GridChangeRow(
            at=at.astimezone(UTC),
            who=who,
            what=what,
            reason=reason.strip()[:MAX_REASON],
            show=show,
        )
        with self.db.write() as session:
            session.add(row)
            session.flush()
            return row.to_change()

    def recent(self, limit: int = 50, offset: int = 0) -> list[GridChange]:
        """The newest changes first."""
        with self.db.session() as session:
            rows = session.scalars(
                select(GridChangeRow)
                .order_by(GridChangeRow.at.desc(), GridChangeRow.id.desc())
                .limit(limit)
                .offset(offset)
            )
            return [row.to_change() for row in rows]

    def count(self) -> int:
        with self.db.session() as session:
            return int(session.scalar(select(func.count()).select_from(GridChangeRow)) or 0)
