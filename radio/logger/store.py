"""The logger's table: listen-again recordings of live occurrences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from radio.db import Base, UTCDateTime


class ListenAgain(Base):
    """A live occurrence's recording, as aired (``aired_from``–``aired_to``, UTC) and trimmed."""

    __tablename__ = "listen_again"

    occurrence_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    show: Mapped[str] = mapped_column(String(60), index=True)
    aired_from: Mapped[datetime] = mapped_column(UTCDateTime)
    aired_to: Mapped[datetime] = mapped_column(UTCDateTime)
    trim_start_s: Mapped[float] = mapped_column(Float, default=0.0)
    trim_end_s: Mapped[float] = mapped_column(Float, default=0.0)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    #: ``due`` (to be cut), ``ready`` or ``failed`` (``note`` says why).
    state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    made_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
