"""The listeners' pages through Flask's test client: what a listener reads on each."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, time, timedelta

from radio.grid.model import MonthlyDay, MonthlyWeekday, Once, Slot, Weekly
from tests.web.listeners import NOW, ListenerStation, now_document
from tests.web.listeners import listener_station_fixture as listener_station_fixture
from web.wording import slot_words

station = listener_station_fixture


def text(html: str) -> str:
    """The page's words, tags dropped and spaces squeezed."""
    inline = re.sub(r"</?(?:a|time|span|strong)\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline)).strip()


def page(station: ListenerStation, path: str) -> str:
    response = station.client().get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def test_home_names_the_show_presenter_track_progress_and_next(station: ListenerStation) -> None:
    html = page(station, "/")
    words = text(html)
    assert "Jazz Night" in words
    assert "With Joe Okafor" in words
    assert "Playing: So What by Miles Davis" in words
    assert "Scheduled programme" in words
    assert re.search(r'<progress[^>]*max="60"[^>]*value="20"', html)
    assert "19:00–20:00" in words
    assert "Wed 07:00 The Morning Show" in words
    assert 'aria-labelledby="player-label"' in html and "stream.mp3" in html
    assert "Times are London time (GMT)" in words


def test_home_is_honest_about_a_missing_episode_and_a_late_presenter(
    station: ListenerStation,
) -> None:
    station.on_air.set(now_document(status="missing", episode=None))
    assert "episode has not arrived, so music from our rotation is filling in" in text(
        page(station, "/")
    )
    station.on_air.set(now_document(status="waiting", show={
        "slug": "morning-show", "title": "The Morning Show", "kind": "live"}))  # fmt: skip
    words = text(page(station, "/"))
    assert "The Morning Show" in words and "With Amina Khan, Dev Patel" in words
    assert "presenter is not on air at the moment" in words


def test_home_with_nothing_scheduled_and_nothing_next(station: ListenerStation) -> None:
    station.on_air.set(now_document(show=None, status="unscheduled", slot_start=None,
                                    slot_end=None, next=None))  # fmt: skip
    html = page(station, "/")
    assert "Nothing is scheduled now" in text(html)
    assert "Nothing else is scheduled today" in text(html)
    assert re.search(r'class="slot-progress"[^>]*hidden', html)


def test_home_fills_in_from_the_grid_while_now_lacks_the_slot(station: ListenerStation) -> None:
    station.on_air.set({"station": "Demo", "on_air": None})
    words = text(page(station, "/"))
    assert "Jazz Night" in words and "The station is starting up." in words
    assert "Sat 22:00 Night Owls" not in words  # the next is the morning show
    assert "Wed 07:00 The Morning Show" in words


def test_schedule_puts_today_first_then_the_week(station: ListenerStation) -> None:
    html = page(station, "/schedule")
    today = html.index('id="today-heading"')
    assert today < html.index('id="week-heading"')
    table = html[today : html.index("</table>", today)]
    assert "<caption>Tuesday 24 November 2026</caption>" in table
    assert re.search(r'<th scope="col">Time <span class="zone">\(GMT\)</span></th>', table)
    rows = re.findall(r"<tr[^>]*>.*?</tr>", table, re.S)
    assert [text(r) for r in rows[1:]] == [
        "07:00–09:00 The Morning Show",
        "19:00–20:00 Jazz Night On now",
    ]
    assert "All times are London time (GMT)" in text(html)
    # The week: tables for the six days after today, and the grid for all seven.
    captions = re.findall(r"<caption>(.*?)</caption>", html)
    assert captions[1:] == [
        "Wednesday 25 November 2026", "Thursday 26 November 2026", "Friday 27 November 2026",
        "Saturday 28 November 2026", "Sunday 29 November 2026", "Monday 30 November 2026",
    ]  # fmt: skip
    assert len(re.findall(r'<section class="grid-day', html)) == 7
    words = text(html)
    assert "10:00–12:00 The Morning Show Moved this week" in words
    assert "07:00–09:00 Election Special Special" in words
    assert "21:00–23:00 Friday Late" in words
    assert "22:00–00:30 Night Owls" in words


def test_schedule_other_weeks_and_bad_dates(station: ListenerStation) -> None:
    html = page(station, "/schedule?from=2026-12-07")
    assert 'id="today-heading"' not in html
    assert "The 7 days from Monday 7 December 2026" in text(html)
    assert "Jazz Night" not in text(html)  # cancelled on the 8th
    response = station.client().get("/schedule?from=next-week")
    assert response.status_code == 400
    assert "from must be a date like 2026-11-24" in response.get_data(as_text=True)


def test_the_schedule_shows_an_edit_and_the_next_programme_at_once(
    station: ListenerStation,
) -> None:
    assert "19:00–20:00 Jazz Night On now" in text(page(station, "/schedule"))
    jazz = station.grid.get_show("jazz-night")
    assert jazz is not None
    station.grid.save_show(dataclasses.replace(jazz, title="Jazz Till Late"))
    assert "19:00–20:00 Jazz Till Late On now" in text(page(station, "/schedule"))
    station.clock[0] = NOW.replace(hour=20, minute=0)  # the minute turns: Jazz has ended
    assert "19:00–20:00 Jazz Till Late On now" not in text(page(station, "/schedule"))
    assert "19:00–20:00 Jazz Till Late" in text(page(station, "/schedule"))


def test_show_page_has_words_dates_and_episodes(station: ListenerStation) -> None:
    words = text(page(station, "/shows/jazz-night"))
    assert "Presented by Joe Okafor" in words and "Late-evening jazz." in words
    assert "Every other Tuesday, 19:00–20:00" in words
    assert "Not on air on Tuesday 8 December 2026." in words
    dates = re.findall(r"Tuesday \d+ \w+ 20\d\d, 19:00–20:00", words)
    assert dates[:3] == [
        "Tuesday 24 November 2026, 19:00–20:00",
        "Tuesday 22 December 2026, 19:00–20:00",
        "Tuesday 5 January 2027, 19:00–20:00",
    ]
    assert words.index("Blue Notes") < words.index("Autumn Leaves")
    assert "Tonight's" not in words  # not aired yet
    html = page(station, "/shows/jazz-night")
    assert 'src="/episodes/jazz-night.main.2026-11-10/audio" aria-labelledby="ep-1"' in html
    assert 'href="/shows/jazz-night.ics"' in html and 'href="/shows/jazz-night/podcast.xml"' in html


def test_show_page_of_a_monthly_show_and_a_missing_show(station: ListenerStation) -> None:
    words = text(page(station, "/shows/friday-late"))
    assert "Last Friday of the month, 21:00–23:00" in words
    assert "No episodes to listen to again yet." in words
    response = station.client().get("/shows/no-such-show")
    assert response.status_code == 404
    assert "There is no show called" in response.get_data(as_text=True)


def test_shows_index_lists_every_show_with_its_time(station: ListenerStation) -> None:
    words = text(page(station, "/shows"))
    assert "Early Bird" in words and "Every Sunday, 01:30–03:00" in words
    assert "Every weekday, 07:00–09:00" in words
    assert words.index("Early Bird") < words.index("Jazz Night") < words.index("Night Owls")


def test_playlists_for_media_players(station: ListenerStation) -> None:
    m3u = station.client().get("/listen.m3u")
    assert m3u.mimetype == "audio/x-mpegurl"
    lines = m3u.get_data(as_text=True).splitlines()
    assert lines[0] == "#EXTM3U" and lines[2].endswith("/stream.mp3")
    assert lines[1] == "#EXTINF:-1,Demo Community Radio (MP3)"
    pls = station.client().get("/listen.pls")
    assert pls.mimetype == "audio/x-scpls"
    body = pls.get_data(as_text=True)
    assert body.startswith("[playlist]\nNumberOfEntries=2\nFile1=http")
    assert "Version=2" in body


def test_the_benchmark_route_is_not_in_the_site(station: ListenerStation) -> None:
    assert station.client().get("/bench/constant").status_code == 404


def test_slots_in_words() -> None:
    first = date(2026, 1, 6)

    def slot(pattern: object, start: time = time(19), hours: float = 1) -> Slot:
        last = first if isinstance(pattern, Once) else None
        return Slot("s", pattern, start, timedelta(hours=hours), first, last)  # type: ignore[arg-type]

    assert slot_words(slot(Weekly((1,), 2))) == "Every other Tuesday, 19:00–20:00"
    assert slot_words(slot(MonthlyWeekday(-1, 4), time(21), 2)) == (
        "Last Friday of the month, 21:00–23:00"
    )
    assert slot_words(slot(MonthlyWeekday(1, 0))) == "First Monday of the month, 19:00–20:00"
    assert slot_words(slot(MonthlyDay(22))) == "The 22nd of every month, 19:00–20:00"
    assert slot_words(slot(Weekly((5, 6)), time(23), 2)) == (
        "Every Saturday and Sunday, 23:00–01:00"
    )
    assert slot_words(slot(Weekly((0, 2, 4), 3))) == (
        "Every 3 weeks on Monday, Wednesday and Friday, 19:00–20:00"
    )
    assert slot_words(slot(Weekly(tuple(range(7))))) == "Every day, 19:00–20:00"
    assert slot_words(slot(Once())) == "Tuesday 6 January 2026, 19:00–20:00"
    assert slot_words(slot(Weekly((1,))), today=date(2025, 12, 1)) == (
        "Every Tuesday, 19:00–20:00, from 6 January 2026"
    )
