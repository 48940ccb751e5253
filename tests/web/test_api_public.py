"""The public JSON API and LibreTime's widget endpoints through Flask's test client."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.web.listeners import ListenerStation, now_document
from tests.web.listeners import listener_station_fixture as listener_station_fixture

station = listener_station_fixture


def get_json(station: ListenerStation, path: str, status: int = 200) -> Any:
    response = station.client().get(path)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json()


def test_schedule_defaults_to_the_next_seven_days(station: ListenerStation) -> None:
    body = get_json(station, "/api/v1/schedule")
    assert body["start"] == "2026-11-24T19:20:00Z" and body["end"] == "2026-12-01T19:20:00Z"
    assert body["timezone"] == "Europe/London"
    first = body["items"][0]
    assert first == {
        "id": "jazz-night.main.2026-11-24",
        "start": "2026-11-24T19:00:00Z",
        "end": "2026-11-24T20:00:00Z",
        "local_start": "2026-11-24T19:00:00+00:00",
        "local_end": "2026-11-24T20:00:00+00:00",
        "show": {"slug": "jazz-night", "title": "Jazz Night",
                 "url": f"{station.services.settings.site_url}/shows/jazz-night"},
        "kind": "prerecorded",
        "status": "on-air",
        "change": None,
    }  # fmt: skip
    changes = {i["id"]: (i["show"]["slug"], i["change"]) for i in body["items"] if i["change"]}
    assert changes == {
        "morning-show.main.2026-11-26": ("morning-show", "moved"),
        "morning-show.main.2026-11-27": ("election-special", "replaced"),
    }
    assert {i["status"] for i in body["items"][1:]} == {"scheduled"}


def test_schedule_window_in_the_station_zone_and_past(station: ListenerStation) -> None:
    body = get_json(station, "/api/v1/schedule?start=2026-11-24&end=2026-11-25")
    assert [(i["show"]["slug"], i["status"]) for i in body["items"]] == [
        ("morning-show", "aired"),
        ("jazz-night", "on-air"),
    ]
    summer = get_json(station, "/api/v1/schedule?start=2026-07-04T00:00&end=2026-07-05T00:00")
    assert summer["start"] == "2026-07-03T23:00:00Z"  # BST midnight
    assert [i["local_start"] for i in summer["items"]] == ["2026-07-04T22:00:00+01:00"]


def test_schedule_refuses_bad_windows_as_problem_details(station: ListenerStation) -> None:
    for query, words in [
        ("start=tomorrow", "start must be an ISO 8601 date or time"),
        ("start=2026-11-24&end=2026-11-24", "end must be after start"),
        ("start=2026-11-01&end=2026-12-15", "at most 31 days"),
        ("start=1800-01-01", "between the years 2000 and 2199"),
    ]:
        response = station.client().get(f"/api/v1/schedule?{query}")
        assert response.status_code == 400
        assert response.mimetype == "application/problem+json"
        problem = response.get_json()
        assert problem["status"] == 400 and problem["title"] == "Bad Request"
        assert words in problem["detail"]


def test_cache_headers_etag_and_cors_preflight(station: ListenerStation) -> None:
    client = station.client()
    first = client.get("/api/v1/shows")
    assert first.headers["Cache-Control"] == "public, max-age=300"
    etag = first.headers["ETag"]
    again = client.get("/api/v1/shows", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    preflight = client.options(
        "/api/v1/schedule",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "If-None-Match"},
    )  # fmt: skip
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    assert "ETag" in first.headers["Access-Control-Expose-Headers"]


def test_shows_and_one_show(station: ListenerStation) -> None:
    items = get_json(station, "/api/v1/shows")["items"]
    assert [s["slug"] for s in items][:3] == ["early-bird", "election-special", "friday-late"]
    jazz = get_json(station, "/api/v1/shows/jazz-night")
    assert jazz["regular"] == ["Every other Tuesday, 19:00–20:00"]
    assert jazz["presenters"] == ["Joe Okafor"]
    assert jazz["calendar"] == f"{station.services.settings.site_url}/shows/jazz-night.ics"
    assert jazz["podcast"] == f"{station.services.settings.site_url}/shows/jazz-night/podcast.xml"
    assert [o["start"] for o in jazz["next"][:2]] == [
        "2026-11-24T19:00:00Z",
        "2026-12-22T19:00:00Z",
    ]
    assert [e["title"] for e in jazz["episodes"]] == ["Blue Notes", "Autumn Leaves"]
    assert (
        jazz["episodes"][0]["url"]
        == f"{station.services.settings.site_url}/episodes/jazz-night.main.2026-11-10/audio"
    )
    missing = station.client().get("/api/v1/shows/nobody")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert "There is no show called 'nobody'" in missing.get_json()["detail"]


def test_live_info_v2_has_libretime_s_shape(station: ListenerStation) -> None:
    body = get_json(station, "/api/live-info-v2")
    assert list(body) == ["station", "tracks", "shows", "sources"]
    assert body["station"] == {
        "env": "production",
        "schedulerTime": "2026-11-24 19:20:00",
        "source_enabled": "Scheduled",
        "timezone": "Europe/London",
        "AIRTIME_API_VERSION": "1.1",
    }
    current = body["shows"]["current"]
    assert list(current) == ["name", "description", "genre", "id", "instance_id", "record",
                             "url", "image_path", "starts", "ends"]  # fmt: skip
    assert (current["name"], current["starts"], current["ends"]) == (
        "Jazz Night", "2026-11-24 19:00:00", "2026-11-24 20:00:00")  # fmt: skip
    assert isinstance(current["id"], int) and isinstance(current["instance_id"], int)
    # Five shows at most: the current one, the next ones to the end of tomorrow, earlier ones.
    assert [s["name"] for s in body["shows"]["next"]] == ["The Morning Show"]
    assert [s["starts"] for s in body["shows"]["previous"]] == [
        "2026-11-23 07:00:00", "2026-11-24 07:00:00"]  # fmt: skip
    track = body["tracks"]["current"]
    assert track["type"] == "track" and track["name"] == "Miles Davis - So What"
    assert track["metadata"]["track_title"] == "So What"
    assert track["starts"] == "2026-11-24 19:18:00" and track["ends"] == "2026-11-24 19:27:22"
    assert body["tracks"]["previous"] is None and body["tracks"]["next"] is None
    assert body["sources"] == {"livedj": "off", "masterdj": "off", "scheduledplay": "on"}


def test_live_info_v2_previous_track_comes_from_the_as_run_log(
    station: ListenerStation,
) -> None:
    from radio.playout.asrun import AsRunEntry

    with station.services.db.write() as session:
        session.add(AsRunEntry(
            started_at=datetime(2026, 11, 24, 19, 10, tzinfo=UTC),
            ended_at=datetime(2026, 11, 24, 19, 18, tzinfo=UTC), source="scheduled",
            status="episode", show="jazz-night", title="Blue in Green", artist="Bill Evans",
        ))  # fmt: skip
    previous = get_json(station, "/api/live-info-v2")["tracks"]["previous"]
    assert previous["name"] == "Bill Evans - Blue in Green" and previous["type"] == "track"
    assert (previous["starts"], previous["ends"]) == ("2026-11-24 19:10:00", "2026-11-24 19:18:00")


def test_live_info_v2_options_escaping_and_jsonp(station: ListenerStation) -> None:
    one = get_json(station, "/api/live-info-v2?shows=1&timezone=america/new_york")
    assert one["station"]["timezone"] == "America/New_York"
    assert one["station"]["schedulerTime"] == "2026-11-24 14:20:00"
    assert one["shows"]["next"] == [] and one["shows"]["current"]["starts"] == "2026-11-24 14:00:00"
    station.on_air.set(now_document(on_air={
        "title": "<script>", "artist": "Tom & Jerry's", "show": None, "started_at": None,
        "ends_at": None, "source": "live"}))  # fmt: skip
    live = get_json(station, "/api/live-info-v2")
    assert live["tracks"]["current"]["type"] == "livestream"
    assert live["tracks"]["current"]["name"] == "Jazz Night - Live Stream"
    assert live["sources"]["livedj"] == "on" and live["station"]["source_enabled"] == "Live"
    station.on_air.set(now_document(on_air={
        "title": "<script>", "artist": "Tom & Jerry's", "show": None, "started_at": None,
        "ends_at": None, "source": "scheduled"}))  # fmt: skip
    escaped = get_json(station, "/api/live-info-v2")["tracks"]["current"]
    assert escaped["name"] == "Tom &amp; Jerry&#039;s - &lt;script&gt;"
    jsonp = station.client().get("/api/live-info-v2?callback=jQuery123_456")
    assert jsonp.mimetype == "application/javascript"
    assert jsonp.get_data(as_text=True).startswith('/**/jQuery123_456({"station":')
    bad = station.client().get("/api/live-info-v2?callback=alert(1)")
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    mars = get_json(station, "/api/live-info-v2?timezone=Mars/Phobos&days=abc&shows=-5")
    assert mars["station"]["timezone"] == "Europe/London"  # lenient: widgets never break


def test_week_info_has_this_week_and_next_monday_first(station: ListenerStation) -> None:
    body = get_json(station, "/api/week-info")
    days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    assert list(body) == days + ["next" + d for d in days] + ["AIRTIME_API_VERSION"]
    assert [s["name"] for s in body["tuesday"]] == ["The Morning Show", "Jazz Night"]
    assert body["monday"][0]["starts"] == "2026-11-23 07:00:00"
    assert list(body["monday"][0]) == [
        "start_timestamp", "end_timestamp", "name", "description", "id", "instance_id",
        "instance_description", "record", "url", "image_path", "starts", "ends",
    ]  # fmt: skip
    assert body["monday"][0]["description"] == (
        "News, weather &amp; the papers &lt;every&gt; weekday."
    )
    assert [s["name"] for s in body["friday"]] == ["Election Special", "Friday Late"]
    assert [s["starts"] for s in body["saturday"]] == ["2026-11-28 22:00:00"]
    assert body["nexttuesday"] == [s for s in body["nexttuesday"] if s["name"] != "Jazz Night"]
    assert body["AIRTIME_API_VERSION"] == "1.1"
