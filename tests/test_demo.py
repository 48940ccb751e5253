"""The demo station: its prerecorded shows have a spoken demo episode to air."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import feedparser

from radio.config import Settings
from radio.media.library import MediaLibrary
from radio.playout.plan import item_for
from radio.prepare import demo_episodes_pending, init_station, make_demo_episodes
from web import create_app
from web.public import length_in_words

LONDON = ZoneInfo("Europe/London")


def test_demo_shows_get_an_episode_and_replay_it(settings: Settings) -> None:
    services, _ = init_station(settings)
    assert demo_episodes_pending(services)
    now = datetime(2026, 11, 25, 11, 30, tzinfo=LONDON)  # a Wednesday, in Talking Health

    prerecorded = [s for s in services.grid.list_shows() if s.kind == "prerecorded"]
    assert make_demo_episodes(services, now) == len(prerecorded)
    assert not demo_episodes_pending(services)

    episodes = MediaLibrary(settings, services.db)
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

    # Listeners find it on the show's page and in its podcast, as Ogg audio.
    later = dataclasses.replace(services, clock=lambda: now + timedelta(hours=2))
    app = create_app(later.settings, later)
    client = app.test_client()
    page = client.get("/shows/talking-health").get_data(as_text=True)
    assert "Talking Health (demo episode)" in page
    assert re.search(r"Aired Wednesday 25 November 2026, \d\d seconds", page), page
    feed = feedparser.parse(client.get("/shows/talking-health/podcast.xml").data)
    assert [e.enclosures[0].type for e in feed.entries] == ["audio/ogg"]
    audio = client.get(f"/episodes/{today.id}/audio")
    assert audio.status_code == 200 and audio.mimetype == "audio/ogg"
    audio.close()
    services.db.dispose()


def test_lengths_read_as_words() -> None:
    words = [length_in_words(timedelta(seconds=s)) for s in (1, 36, 60, 3480, 3600, 5400)]
    assert words == ["1 second", "36 seconds", "1 minute", "58 minutes", "1 hour",
                     "1 hour 30 minutes"]  # fmt: skip
