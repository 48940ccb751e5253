"""Every table of the station. Importing this module registers them all on ``Base.metadata``.

Each area keeps its own tables in its own module; this one holds the station-wide ones
and imports the rest.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from radio.db import Base


class Incident(Base):
    """Something that went wrong on air: silence, a child that keeps failing."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class StationState(Base):
    """Small key/value facts the station keeps between runs (e.g. when it was seeded)."""

    __tablename__ = "station_state"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# Areas' tables (keep these imports at the bottom; each module imports Base from radio.db).
from radio import changelog as _changelog  # noqa: E402,F401
from radio.accounts import store as _accounts_store  # noqa: E402,F401
from radio.grid import store as _grid_store  # noqa: E402,F401
from radio.media import store as _media_store  # noqa: E402,F401
from radio.playout import asrun as _playout_asrun  # noqa: E402,F401
from radio.playout import live as _playout_live  # noqa: E402,F401
