"""Every table of the station. Importing this module registers them all on ``Base.metadata``.

Each area keeps its own tables in its own module; this one holds the station-wide ones
and imports the rest. No area imports this module (the migrations and the station's start
do), so there is no cycle through it.
"""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from radio import audience as _audience  # noqa: F401
from radio import changelog as _changelog  # noqa: F401
from radio import enginestatus as _enginestatus  # noqa: F401
from radio.accounts import store as _accounts_store  # noqa: F401
from radio.accounts import throttle as _accounts_throttle  # noqa: F401
from radio.db import Base
from radio.grid import store as _grid_store  # noqa: F401
from radio.logger import store as _logger_store  # noqa: F401
from radio.mail import store as _mail_store  # noqa: F401
from radio.media import store as _media_store  # noqa: F401
from radio.playout import asrun as _playout_asrun  # noqa: F401
from radio.playout import live as _playout_live  # noqa: F401
from radio.playout import livemounts as _playout_livemounts  # noqa: F401
from radio.proposals import store as _proposals_store  # noqa: F401


class StationState(Base):
    """Small key/value facts the station keeps between runs (e.g. when it was seeded)."""

    __tablename__ = "station_state"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
