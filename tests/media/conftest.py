"""Fixtures for the media tests: generated audio, a station folder, a fake grid."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from radio.bootstrap import open_database
from radio.config import Settings
from radio.db import Database
from radio.media.library import MediaLibrary
from tests.media.make_fixtures import make_fixtures
from tests.support import require


@pytest.fixture(scope="session")
def media_files() -> Path:
    for program in ("ffmpeg", "ffprobe", "sox", "espeak-ng"):
        require(program)
    return make_fixtures()


@dataclass(frozen=True)
class FakeOccurrence:
    id: str
    show: str
    start: datetime
    end: datetime
    kind: str = "prerecorded"
    title: str = "Show A"


class FakeSlots:
    """The grid lookup the library depends on (``GridService.find_occurrence``)."""

    def __init__(self, *occurrences: FakeOccurrence) -> None:
        self.occurrences = {o.id: o for o in occurrences}

    def find_occurrence(self, occurrence_id: str) -> FakeOccurrence | None:
        return self.occurrences.get(occurrence_id)


#: Tuesday 24 November 2026, 10:00 in London (GMT, so also 10:00 UTC).
SLOT_START = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
HOUR = FakeOccurrence("show-a.s1.2026-11-24", "show-a", SLOT_START, SLOT_START + timedelta(hours=1))
SHORT = FakeOccurrence("show-a.s1.2026-11-25", "show-a", SLOT_START + timedelta(days=1),
                       SLOT_START + timedelta(days=1, seconds=3))  # fmt: skip
LIVE = FakeOccurrence("phone-in.s1.2026-11-24", "phone-in", SLOT_START + timedelta(hours=2),
                      SLOT_START + timedelta(hours=3), kind="live")  # fmt: skip


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Once on SQLite, once on PostgreSQL (``database_url``)."""
    return Settings(
        data_dir=tmp_path / "var", playlists_dir=tmp_path / "playlists", database_url=database_url
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = open_database(settings)
    yield database
    database.dispose()


@pytest.fixture
def library(settings: Settings, db: Database) -> MediaLibrary:
    return MediaLibrary(settings, db, FakeSlots(HOUR, SHORT, LIVE))


def stored_files(settings: Settings) -> list[Path]:
    """Every file under the media folder and the temporary folder."""
    found = []
    for root in (settings.media_dir, settings.data_dir / "tmp"):
        if root.exists():
            found += [p for p in root.rglob("*") if p.is_file()]
    return found
