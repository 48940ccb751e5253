"""The e-mail tables: the outbox, and the shows whose presenters want no reminders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from radio.db import Base, UTCDateTime


class OutboxRow(Base):
    """One message waiting to be sent (``sent_at`` empty) or sent."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: What the message is about (``reminder:<occurrence>:<account>``), so it goes once.
    event: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)


class ReminderOptOut(Base):
    """A show whose presenters get no reminders about missing episodes."""

    __tablename__ = "reminder_opt_outs"

    show: Mapped[str] = mapped_column(String(60), primary_key=True)
