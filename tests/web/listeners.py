"""A station for the listeners' tests: a varied grid, a fixed clock, a fake on-air tracker
and a fake episode library (same interfaces as the real ones).

Import the fixture into a test module::

    from tests.web.listeners import listener_station_fixture  # noqa: F401

The clock stands at Tuesday 24 November 2026, 19:20 in London (GMT): *Jazz Night* (every
other Tuesday 19:00–20:00) is on air, *Night Owls* (Saturday 22:00–00:30) is next but one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from radio.bootstrap import Services, build_services
from radio.grid import tomlfile
from radio.grid.model import Grid, MonthlyWeekday, Show, Slot, SlotException, Weekly
from radio.grid.service import GridService
from radio.media.published import PublishedEpisode, PublishedEpisodes
from radio.onair import NowSnapshot
from tests.web.people import station_settings
from web import create_app

NOW = datetime(2026, 11, 24, 19, 20, tzinfo=UTC)
H = timedelta(hours=1)


def weekly(
    days: tuple[int, ...], start: time, duration: timedelta, first: date, every: int = 1
) -> Slot:
    return Slot("main", Weekly(days, every), start, duration, first)


GRID = Grid(
    (
        Show(
            "morning-show", "The Morning Show", "live",
            description="News, weather & the papers <every> weekday.",
            presenters=("Amina Khan", "Dev Patel"), category="Talk",
            slots=(weekly((0, 1, 2, 3, 4), time(7), 2 * H, date(2026, 1, 5)),),
        ),
        Show(
            "jazz-night", "Jazz Night", "prerecorded", description="Late-evening jazz.",
            presenters=("Joe Okafor",), category="Music",
            slots=(weekly((1,), time(19), H, date(2026, 1, 6), every=2),),
        ),
        Show(
            "friday-late", "Friday Late", "music", description="Dance music.",
            slots=(Slot("main", MonthlyWeekday(-1, 4), time(21), 2 * H, date(2026, 1, 30)),),
        ),
        Show(
            "night-owls", "Night Owls", "prerecorded", description="Past midnight.",
            slots=(weekly((5,), time(22), timedelta(hours=2, minutes=30), date(2026, 1, 3)),),
        ),
        Show(
            "early-bird", "Early Bird", "prerecorded", description="Through the clock change.",
            slots=(weekly((6,), time(1, 30), timedelta(hours=1, minutes=30), date(2026, 1, 4)),),
        ),
        Show(
            "election-special", "Election Special", "live",
            slots=(Slot.once("once", date(2026, 12, 5), time(12), H),),
        ),
    ),
    (
        SlotException("jazz-night", "main", date(2026, 12, 8), "cancel"),
        SlotException("morning-show", "main", date(2026, 11, 26), "move",
                      start=datetime(2026, 11, 26, 10), duration=2 * H),
        SlotException("morning-show", "main", date(2026, 11, 27), "replace",
                      replacement="election-special"),
    ),
)  # fmt: skip


def now_document(**changes: Any) -> dict[str, Any]:
    """``/api/v1/now`` as playout prepares it: Jazz Night's episode on air."""
    data: dict[str, Any] = {
        "station": "Demo Community Radio",
        "on_air": {
            "title": "So What",
            "artist": "Miles Davis",
            "show": "Jazz Night",
            "started_at": "2026-11-24T19:18:00Z",
            "ends_at": "2026-11-24T19:27:22Z",
            "source": "scheduled",
        },
        "show": {"slug": "jazz-night", "title": "Jazz Night", "kind": "prerecorded"},
        "status": "episode",
        "episode": {"title": "Jazz Night 24 November", "media_id": "7"},
        "slot_start": "2026-11-24T19:00:00Z",
        "slot_end": "2026-11-24T20:00:00Z",
        "next": {
            "slug": "morning-show",
            "title": "The Morning Show",
            "start": "2026-11-25T07:00:00Z",
            "end": "2026-11-25T09:00:00Z",
        },
    }
    data.update(changes)
    return data


class FakeOnAir:
    """Stands in for :class:`radio.onair.OnAirTracker`: ``current()`` and nothing else."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.set(data)

    def set(self, data: dict[str, Any]) -> None:
        body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
        self.snapshot = NowSnapshot(data, body, '"' + hashlib.sha1(body).hexdigest()[:16] + '"')

    def current(self) -> NowSnapshot:
        return self.snapshot


@dataclass
class FakeEpisodes:
    """An :class:`web.programme.EpisodeLibrary` with episodes for given occurrences."""

    audio_file: Path
    titles: dict[str, str] = field(default_factory=dict)

    def published(self, occurrence_ids: Sequence[str]) -> dict[str, PublishedEpisode]:
        return {
            occ: PublishedEpisode(
                occ, self.titles[occ], "audio/mpeg",
                self.audio_file.stat().st_size, timedelta(minutes=59), notes="Tracks: many.",
            )
            for occ in occurrence_ids if occ in self.titles
        }  # fmt: skip

    def audio(self, occurrence_id: str) -> tuple[Path, str] | None:
        return (self.audio_file, "audio/mpeg") if occurrence_id in self.titles else None


@dataclass
class ListenerStation:
    app: Flask
    services: Services
    grid: GridService
    on_air: FakeOnAir
    episodes: FakeEpisodes
    clock: list[datetime]

    def client(self) -> FlaskClient:
        return self.app.test_client()

    def use_the_library(self) -> None:
        """Serve the station's real published episodes instead of the fake ones."""
        real = PublishedEpisodes(self.services.db, self.services.settings.media_dir)
        self.services = dataclasses.replace(self.services, published=real)
        self.app = create_app(self.services.settings, self.services)
        self.app.config["TESTING"] = True


def make_listener_station(tmp_path: Path, database_url: str = "") -> ListenerStation:
    settings = dataclasses.replace(station_settings(tmp_path), database_url=database_url)
    clock = [NOW]
    built = build_services(settings, clock=lambda: clock[0])
    grid = built.grid
    text = io.StringIO()
    tomlfile.dump(GRID, text)
    grid.import_grid(io.StringIO(text.getvalue()), "<listener grid>")
    on_air = FakeOnAir(now_document())
    audio = tmp_path / "episode.mp3"
    audio.write_bytes(b"ID3" + bytes(range(256)) * 40)
    episodes = FakeEpisodes(audio, {
        "jazz-night.main.2026-11-10": "Blue Notes",
        "jazz-night.main.2026-10-27": "Autumn Leaves",
        "jazz-night.main.2026-11-24": "Tonight's (not yet aired)",
    })  # fmt: skip
    services = dataclasses.replace(built, on_air=on_air, published=episodes)
    app = create_app(settings, services)
    app.config["TESTING"] = True
    return ListenerStation(app, services, grid, on_air, episodes, clock)


@pytest.fixture(name="station")
def listener_station_fixture(tmp_path: Path, database_url: str) -> Iterator[ListenerStation]:
    """The listeners' station, once on SQLite and once on PostgreSQL (``database_url``)."""
    made = make_listener_station(tmp_path, database_url)
    yield made
    made.services.db.dispose()
