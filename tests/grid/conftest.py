"""Fixtures for the grid's storage and command tests: a migrated database in a temp folder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from radio.bootstrap import open_database
from radio.config import Settings
from radio.db import Database
from radio.grid.service import GridService

#: The instant the service tests live at: a Sunday in November 2026.
NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


@pytest.fixture
def grid_settings(tmp_path: Path, database_url: str) -> Settings:
    """Once on SQLite, once on PostgreSQL (``database_url``)."""
    return Settings(data_dir=tmp_path / "var", database_url=database_url)


@pytest.fixture
def grid_db(grid_settings: Settings) -> Iterator[Database]:
    db = open_database(grid_settings)
    yield db
    db.dispose()


@pytest.fixture
def grid_service(grid_db: Database, grid_settings: Settings) -> GridService:
    return GridService(grid_db, grid_settings.tz, clock=lambda: NOW)


@pytest.fixture
def radio_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Path:
    """Run ``radio`` commands in a clean folder with their own data folder (and database:
    once on SQLite, once on PostgreSQL); returns the data folder."""
    import os

    for name in list(os.environ):
        if name.startswith("RADIO_"):
            monkeypatch.delenv(name)
    data = tmp_path / "var"
    data.mkdir()
    monkeypatch.setenv("RADIO_DATA_DIR", str(data))
    if database_url:
        monkeypatch.setenv("RADIO_DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    return data
