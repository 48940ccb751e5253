"""The grid's tables (SQLAlchemy 2.x typed models) and their translation to and from the domain.

Other areas refer to shows by ``grid_shows.slug`` (or ``grid_shows.id``, which stays the same
across imports while the slug does) and to occurrences by their id string.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from radio.db import Base
from radio.grid.model import (
    LAST,
    Action,
    Grid,
    Kind,
    MonthlyDay,
    MonthlyWeekday,
    Once,
    Pattern,
    Show,
    Slot,
    SlotException,
    Weekly,
)

if TYPE_CHECKING:
    from radio.grid.service import GridService as GridService


class ShowRow(Base):
    __tablename__ = "grid_shows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    presenters: Mapped[list[str]] = mapped_column(JSON, default=list)
    category: Mapped[str] = mapped_column(String(80), default="")
    colour: Mapped[str] = mapped_column(String(7), default="")
    repeat_latest: Mapped[bool] = mapped_column(Boolean, default=False)
    listen_again: Mapped[bool] = mapped_column(Boolean, default=False)
    slots: Mapped[list[SlotRow]] = relationship(
        viewonly=True, order_by="SlotRow.position", lazy="selectin"
    )


class SlotRow(Base):
    __tablename__ = "grid_slots"
    __table_args__ = (UniqueConstraint("show_id", "slot_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    show_id: Mapped[int] = mapped_column(
        ForeignKey("grid_shows.id", ondelete="CASCADE"), index=True
    )
    slot_id: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    #: once, weekly or monthly.
    repeat: Mapped[str] = mapped_column(String(10))
    #: Weekly: weekday numbers (0 = Monday) joined by commas.
    days: Mapped[str] = mapped_column(String(20), default="")
    every: Mapped[int] = mapped_column(Integer, default=1)
    #: Monthly: 1–4 or -1 (last) with ``weekday``; or ``day`` of the month.
    nth: Mapped[int | None] = mapped_column(Integer, nullable=True)
    weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Local start, seconds after midnight; duration in seconds.
    start_s: Mapped[int] = mapped_column(Integer)
    duration_s: Mapped[int] = mapped_column(Integer)
    first: Mapped[date] = mapped_column(Date)
    last: Mapped[date | None] = mapped_column(Date, nullable=True)


class ExceptionRow(Base):
    __tablename__ = "grid_exceptions"
    __table_args__ = (UniqueConstraint("show_slug", "slot_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    show_slug: Mapped[str] = mapped_column(String(60))
    slot_id: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(10))
    #: Move: the new local (wall-clock) start, naive.
    start: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    duration_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    replacement: Mapped[str | None] = mapped_column(String(60), nullable=True)


class GridState(Base):
    """One row: a counter bumped by every change, so cached grids know when they are stale."""

    __tablename__ = "grid_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


def version(session: Session) -> int:
    return session.scalar(select(GridState.version).where(GridState.id == 1)) or 0


def read_version(engine: Engine) -> int:
    """:func:`version` in one statement on a pooled driver connection (a tenth of the cost)."""
    conn = engine.raw_connection()
    try:
        cursor = conn.cursor()
        try:
            cursor.execute(f"SELECT version FROM {GridState.__tablename__} WHERE id = 1")
            row = cursor.fetchone()
        finally:
            cursor.close()
    finally:
        conn.close()
    return int(row[0]) if row else 0


def bump(session: Session) -> int:
    bumped = update(GridState).where(GridState.id == 1).values(version=GridState.version + 1)
    session.execute(bumped)
    return version(session)


def is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(ShowRow))


def load_grid(session: Session) -> Grid:
    rows = session.scalars(select(ShowRow).order_by(ShowRow.position)).all()
    excs = session.scalars(select(ExceptionRow).order_by(ExceptionRow.position)).all()
    return Grid(tuple(_show(r) for r in rows), tuple(_exception(e) for e in excs))


def sync(session: Session, old: Grid, new: Grid) -> None:
    """Write the difference between the stored grid ``old`` and ``new``."""
    old_pos = {s.slug: i for i, s in enumerate(old.shows)}
    changed = [
        (i, show)
        for i, show in enumerate(new.shows)
        if old.show(show.slug) != show or old_pos.get(show.slug) != i
    ]
    gone = [slug for slug in old_pos if new.show(slug) is None]
    if gone:
        session.execute(delete(ShowRow).where(ShowRow.slug.in_(gone)))
    wanted = [show.slug for _, show in changed]
    rows = {r.slug: r for r in session.scalars(select(ShowRow).where(ShowRow.slug.in_(wanted)))}
    for i, show in changed:
        row = rows.get(show.slug) or ShowRow(slug=show.slug)
        _fill(row, show, i)
        session.add(row)
        session.flush()
        old_show = old.show(show.slug)
        if old_show is None or old_show.slots != show.slots:
            session.execute(delete(SlotRow).where(SlotRow.show_id == row.id))
            session.add_all(_slot_row(row.id, j, slot) for j, slot in enumerate(show.slots))
    if old.exceptions != new.exceptions:
        session.execute(delete(ExceptionRow))
        session.add_all(_exception_row(i, exc) for i, exc in enumerate(new.exceptions))
    session.flush()
    session.expire_all()


def _fill(row: ShowRow, show: Show, position: int) -> None:
    row.position = position
    row.title = show.title
    row.kind = show.kind
    row.description = show.description
    row.presenters = list(show.presenters)
    row.category = show.category
    row.colour = show.colour
    row.repeat_latest = show.repeat_latest
    row.listen_again = show.listen_again


def _show(row: ShowRow) -> Show:
    kind: Kind = row.kind  # type: ignore[assignment]
    return Show(
        row.slug, row.title, kind, row.description, tuple(row.presenters), row.category,
        row.colour, row.repeat_latest, tuple(_slot(s) for s in row.slots),
        listen_again=bool(row.listen_again),
    )  # fmt: skip


def _slot(row: SlotRow) -> Slot:
    pattern: Pattern
    if row.repeat == "once":
        pattern = Once()
    elif row.repeat == "weekly":
        pattern = Weekly(tuple(int(d) for d in row.days.split(",")), row.every)
    elif row.day is not None:
        pattern = MonthlyDay(row.day)
    else:
        pattern = MonthlyWeekday(row.nth or LAST, row.weekday or 0)
    start = (datetime.min + timedelta(seconds=row.start_s)).time()
    return Slot(row.slot_id, pattern, start, timedelta(seconds=row.duration_s), row.first, row.last)


def _slot_row(show_id: int, position: int, slot: Slot) -> SlotRow:
    p = slot.pattern
    row = SlotRow(
        show_id=show_id,
        slot_id=slot.id,
        position=position,
        start_s=_seconds(slot.start),
        duration_s=int(slot.duration.total_seconds()),
        first=slot.first,
        last=slot.last,
        days="",
        every=1,
    )
    if isinstance(p, Once):
        row.repeat = "once"
    elif isinstance(p, Weekly):
        row.repeat, row.days, row.every = "weekly", ",".join(map(str, p.days)), p.every
    elif isinstance(p, MonthlyWeekday):
        row.repeat, row.nth, row.weekday = "monthly", p.nth, p.weekday
    else:
        row.repeat, row.day = "monthly", p.day
    return row


def _exception(row: ExceptionRow) -> SlotException:
    action: Action = row.action  # type: ignore[assignment]
    duration = timedelta(seconds=row.duration_s) if row.duration_s is not None else None
    return SlotException(
        row.show_slug, row.slot_id, row.day, action, row.start, duration, row.replacement
    )


def _exception_row(position: int, exc: SlotException) -> ExceptionRow:
    return ExceptionRow(
        position=position,
        show_slug=exc.show,
        slot_id=exc.slot,
        day=exc.date,
        action=exc.action,
        start=exc.start,
        duration_s=int(exc.duration.total_seconds()) if exc.duration else None,
        replacement=exc.replacement,
    )


def _seconds(t: time) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def __getattr__(name: str) -> object:
    # ``from radio.grid.store import GridService`` works too; the service lives in .service.
    if name == "GridService":
        from radio.grid.service import GridService

        return GridService
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
