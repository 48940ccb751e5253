"""Shared fixtures: a station data folder with the demo audio made once per session."""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from radio.config import Settings
from radio.demo import ensure_demo_audio, ensure_demo_episode_audio, ensure_emergency_file
from radio.grid import tomlfile
from tests.pg import PostgresServer
from tests.support import free_port, require


@pytest.fixture(scope="session")
def demo_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo station's synthesised audio, made once and copied into each station."""
    for program in ("ffmpeg", "espeak-ng"):
        require(program)
    media = tmp_path_factory.mktemp("demo-media")
    ensure_emergency_file(media, Settings().station_name)
    ensure_demo_audio(media, Settings().station_name)
    demo_grid = tomlfile.loads(Settings().demo_schedule.read_text(encoding="utf-8"))
    shows = [show for show in demo_grid.shows if show.kind == "prerecorded"]
    ensure_demo_episode_audio(media, Settings().station_name, shows)
    return media


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL 15 for the whole session (started on first use)."""
    server = PostgresServer()
    yield server
    server.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """The ``database_url`` setting, once per database: empty (SQLite in the data folder),
    then a fresh PostgreSQL database already migrated to the newest schema."""
    if request.param == "sqlite":
        return ""
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest) -> Callable[[], str]:
    """Makes ``database_url`` settings for databases without tables, once per database:
    empty (a new SQLite file in the data folder), then new PostgreSQL databases."""
    if request.param == "sqlite":
        return lambda: ""
    server: PostgresServer = request.getfixturevalue("postgres")
    return lambda: server.new_database(migrated=False)


@pytest.fixture
def data_dir(tmp_path: Path, demo_media: Path) -> Path:
    """A fresh data folder already holding the demo audio (so start-up is quick)."""
    data = tmp_path / "var"
    shutil.copytree(demo_media, data / "media")
    return data


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return Settings(
        data_dir=data_dir,
        http_port=free_port(),
        icecast_port=free_port(),
        harbor_port=free_port(),
    )


@pytest.fixture
def station_env(settings: Settings) -> Iterator[dict[str, str]]:
    """Environment for a ``radio`` subprocess using ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADIO_")}
    env.update(
        RADIO_DATA_DIR=str(settings.data_dir),
        RADIO_HTTP_PORT=str(settings.http_port),
        RADIO_ICECAST_PORT=str(settings.icecast_port),
        RADIO_HARBOR_PORT=str(settings.harbor_port),
    )
    yield env


def replace(settings: Settings, **changes: object) -> Settings:
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]
