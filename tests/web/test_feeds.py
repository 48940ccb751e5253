"""Calendars and podcasts read back by third-party parsers, as calendar and podcast apps do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import feedparser
import icalendar
import recurring_ical_events

from tests.web.listeners import NOW, ListenerStation
from tests.web.listeners import listener_station_fixture as listener_station_fixture

station = listener_station_fixture


def calendar(station: ListenerStation, path: str) -> icalendar.Calendar:
    response = station.client().get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"].startswith("public")
    return icalendar.Calendar.from_ical(response.data)


def instances(cal: icalendar.Calendar, start: datetime, end: datetime) -> set[tuple[str, ...]]:
    """What a calendar app shows: (title, start, end) in UTC for each event in the window."""
    found = set()
    for event in recurring_ical_events.of(cal).between(start, end):
        begin = event["DTSTART"].dt.astimezone(UTC)
        if "DTEND" in event:
            finish = event["DTEND"].dt.astimezone(UTC)
        else:
            finish = begin + event["DURATION"].dt
        found.add((str(event["SUMMARY"]), begin.isoformat(), finish.isoformat()))
    return found


def aired(
    station: ListenerStation, start: datetime, end: datetime, show: str | None = None
) -> set[tuple[str, ...]]:
    return {
        (o.title, o.start.isoformat(), o.end.isoformat())
        for o in station.grid.expand(start, end, show=show)
    }


def test_schedule_calendar_matches_the_grid_across_three_clock_changes(
    station: ListenerStation,
) -> None:
    cal = calendar(station, "/schedule.ics")
    zones = [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")]
    assert zones == ["Europe/London"]
    assert str(cal["X-WR-CALNAME"]) == "Demo Community Radio"
    # 25 Oct 2026 and 31 Oct 2027 (clocks back), 28 Mar 2027 (clocks forward).
    start, end = datetime(2026, 9, 1, tzinfo=UTC), datetime(2027, 12, 31, tzinfo=UTC)
    assert instances(cal, start, end) == aired(station, start, end)
    early = sorted(i for i in instances(cal, start, end) if i[0] == "Early Bird")
    spring = [i for i in early if i[1].startswith("2027-03-28")]
    # 01:30 does not exist that night: the show starts when the clocks jump (02:00 BST).
    assert spring == [("Early Bird", "2027-03-28T01:00:00+00:00", "2027-03-28T02:00:00+00:00")]


def test_show_calendar_has_the_rule_and_its_exceptions(station: ListenerStation) -> None:
    cal = calendar(station, "/shows/jazz-night.ics")
    master = next(e for e in cal.walk("VEVENT") if "RRULE" in e)
    assert master["RRULE"]["FREQ"] == ["WEEKLY"] and master["RRULE"]["INTERVAL"] == [2]
    assert master["DTSTART"].params["TZID"] == "Europe/London"
    exdates = [d.dt for x in [master["EXDATE"]] for d in x.dts]
    assert [d.date().isoformat() for d in exdates] == ["2026-12-08"]
    start, end = NOW - timedelta(days=60), NOW + timedelta(days=60)
    found = instances(cal, start, end)
    assert found == aired(station, start, end, show="jazz-night")
    assert not any(i[1].startswith("2026-12-08") for i in found)


def test_moved_and_replaced_occurrences(station: ListenerStation) -> None:
    morning = calendar(station, "/shows/morning-show.ics")
    found = instances(morning, NOW, NOW + timedelta(days=4))
    assert ("The Morning Show", "2026-11-26T10:00:00+00:00", "2026-11-26T12:00:00+00:00") in found
    assert not any(i[1].startswith("2026-11-27") for i in found)  # Election Special instead
    overrides = [e for e in morning.walk("VEVENT") if "RECURRENCE-ID" in e]
    assert [e["RECURRENCE-ID"].dt.date().isoformat() for e in overrides] == ["2026-11-26"]
    special = calendar(station, "/shows/election-special.ics")
    assert instances(special, NOW, NOW + timedelta(days=30)) == {
        ("Election Special", "2026-11-27T07:00:00+00:00", "2026-11-27T09:00:00+00:00"),
        ("Election Special", "2026-12-05T12:00:00+00:00", "2026-12-05T13:00:00+00:00"),
    }


def test_monthly_rule_and_unknown_show(station: ListenerStation) -> None:
    cal = calendar(station, "/shows/friday-late.ics")
    master = next(iter(cal.walk("VEVENT")))
    assert master["RRULE"]["BYDAY"] == ["-1FR"]
    found = sorted(instances(cal, NOW, NOW + timedelta(days=70)))
    assert [i[1][:10] for i in found] == ["2026-11-27", "2026-12-25", "2027-01-29"]
    assert station.client().get("/shows/nobody.ics").status_code == 404


def parse_podcast(station: ListenerStation, slug: str) -> Any:
    response = station.client().get(f"/shows/{slug}/podcast.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/rss+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_podcast_lists_aired_episodes_with_enclosures(station: ListenerStation) -> None:
    feed = parse_podcast(station, "jazz-night")
    assert feed.version == "rss20"
    assert feed.feed.title == "Jazz Night"
    assert feed.feed.link == f"{station.services.settings.site_url}/shows/jazz-night"
    assert "Every other Tuesday, 19:00–20:00" in feed.feed.description
    assert feed.feed.author == "Joe Okafor"
    assert [e.title for e in feed.entries] == ["Blue Notes", "Autumn Leaves"]
    first = feed.entries[0]
    assert first.id == "jazz-night.main.2026-11-10"
    enclosure = first.enclosures[0]
    assert (
        enclosure.href
        == f"{station.services.settings.site_url}/episodes/jazz-night.main.2026-11-10/audio"
    )
    assert enclosure.type == "audio/mpeg"
    assert int(enclosure.length) == station.episodes.audio_file.stat().st_size
    assert first.itunes_duration == "3540"
    assert first.published_parsed[:3] == (2026, 11, 10)


def test_podcast_of_a_show_without_episodes(station: ListenerStation) -> None:
    feed = parse_podcast(station, "friday-late")
    assert feed.entries == []
    assert station.client().get("/shows/nobody/podcast.xml").status_code == 404


def test_episode_audio_is_served_once_aired_with_ranges(station: ListenerStation) -> None:
    client = station.client()
    url = "/episodes/jazz-night.main.2026-11-10/audio"
    with client.get(url) as whole:
        assert whole.status_code == 200 and whole.mimetype == "audio/mpeg"
        assert whole.data == station.episodes.audio_file.read_bytes()
    with client.get(url, headers={"Range": "bytes=3-9"}) as part:
        assert part.status_code == 206 and part.data == bytes(range(7))
    assert client.get("/episodes/jazz-night.main.2026-11-24/audio").status_code == 404  # on air
    assert client.get("/episodes/jazz-night.main.2026-11-17/audio").status_code == 404  # no such


def test_episodes_come_from_the_media_library(station: ListenerStation) -> None:
    from radio.media.store import Episode, MediaItem

    media = station.services.settings.media_dir
    (media / "ab").mkdir(parents=True, exist_ok=True)
    (media / "ab" / "abc.mp3").write_bytes(b"ID3 episode bytes")
    with station.services.db.write() as session:
        session.add(MediaItem(
            id=1, sha256="ab" * 32, path="ab/abc.mp3", original_filename="jazz.mp3",
            format="mp3", size_bytes=17, title="Blue in Green", waveform_path="", peaks=[],
            duration_s=3600.0, gain_db=0.0, cue_in_s=0.0, cue_out_s=3540.0, status="ready",
            warnings=[], created_at=NOW))  # fmt: skip
        session.flush()
        session.add(Episode(occurrence_id="jazz-night.main.2026-11-10", show="jazz-night",
                            item_id=1, notes="With a guest.", attached_at=NOW,
                            starts_at=datetime(2026, 11, 10, 19, tzinfo=UTC)))  # fmt: skip
    station.use_the_library()
    feed = parse_podcast(station, "jazz-night")
    assert [e.title for e in feed.entries] == ["Blue in Green"]
    assert feed.entries[0].enclosures[0].length == "17"
    with station.client().get("/episodes/jazz-night.main.2026-11-10/audio") as audio:
        assert audio.status_code == 200 and audio.data == b"ID3 episode bytes"
