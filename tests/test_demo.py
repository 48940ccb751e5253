"""The demo station: its prerecorded shows have a spoken demo episode to air."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from radio.config import Settings
from radio.playout.episodes import LibraryEpisodes
from radio.playout.plan import item_for
from radio.station import demo_episodes_pending, init_station, make_demo_episodes

LONDON = ZoneInfo("Europe/London")


def test_demo_shows_get_an_episode_and_replay_it(settings: Settings) -> None:
    services, _ = init_station(settings)
    assert demo_episodes_pending(services)
    now = datetime(2026, 11, 25, 11, 30, tzinfo=LONDON)  # a Wednesday, in Talking Health

    prerecorded = [s for s in services.grid.list_shows() if s.kind == "prerecorded"]
    assert make_demo_episodes(services, now) == len(prerecorded)
    assert not demo_episodes_pending(services)

    episodes = LibraryEpisodes(services.db, settings)
    for show in prerecorded:
        found = episodes.latest_episode(show.slug, now + timedelta(days=800))
        assert found is not None, f"{show.slug} has no demo episode"
        assert found.title == f"{show.title} (demo episode)"
        assert found.artist == ", ".join(show.presenters)
        assert 20 < found.duration_s < 90

    # This week's slot airs it as its episode; next week's, having none, replays it.
    today, next_week = services.grid.expand(now - timedelta(hours=1), now + timedelta(days=8),
                                            show="talking-health")  # fmt: skip
    first = item_for(today, episodes, repeat=True)
    again = item_for(next_week, episodes, repeat=True)
    assert first is not None and not first.repeat
    assert again is not None and again.repeat
    assert again.media.title == "Talking Health (demo episode)"

    # Made once: a second run attaches nothing new.
    assert make_demo_episodes(services, now) == 0
    services.db.dispose()
