"""The grid editor: shows, slots, occurrences, presenters and playlists, each change logged."""

from __future__ import annotations

import html
import json
import re
from datetime import date

from radio.grid.model import Weekly
from radio.media.files import add_to_playlist
from tests.web.people import (
    Station,
    post,
    station_fixture,  # noqa: F401
)

NEW_SHOW = {
    "title": "Night Owls",
    "kind": "prerecorded",
    "repeat": "weekly",
    "days": ["1"],
    "every": "2",
    "start": "21:00",
    "minutes": "60",
    "first": "2026-11-24",
    "reason": "A new late show",
}


def test_volunteer_adds_a_fortnightly_show_and_the_change_is_public(station: Station) -> None:
    client = station.client("volunteer")
    answer = post(client, "/grid/shows/new", NEW_SHOW)
    assert answer.status_code == 302 and answer.headers["Location"] == "/grid/shows/night-owls"
    show = station.grid.get_show("night-owls")
    assert show is not None and show.slots[0].pattern == Weekly((1,), 2)
    page = station.client().get("/changes").get_data(as_text=True)
    assert "Added the show Night Owls: Every other Tuesday, 21:00–22:00" in page
    assert "By Val" in page and "A new late show" in page


def test_a_clash_is_named_and_nothing_is_saved(station: Station) -> None:
    client = station.client("volunteer")
    clash = NEW_SHOW | {"title": "Clash", "days": ["0"], "every": "1", "start": "10:30"}
    answer = post(client, "/grid/shows/new", clash)
    assert answer.status_code == 409
    text = answer.get_data(as_text=True)
    assert "Clash would overlap Show A (show-a) on Monday 30 November 2026 at 10:30 GMT" in text
    assert station.grid.get_show("clash") is None
    assert "Clash" not in station.client().get("/changes").get_data(as_text=True)


def test_form_mistakes_come_back_as_sentences(station: Station) -> None:
    client = station.client("volunteer")
    answer = post(client, "/grid/shows/new", NEW_SHOW | {"days": []})
    assert answer.status_code == 422
    assert "Tick at least one weekday" in answer.get_data(as_text=True)
    answer = post(client, "/grid/shows/new", NEW_SHOW | {"title": "Show A", "slug": "show-a"})
    assert answer.status_code == 422 and "already a show called" in answer.get_data(as_text=True)


def test_slot_added_changed_and_removed(station: Station) -> None:
    client = station.client("volunteer")
    slot = {k: v for k, v in NEW_SHOW.items() if k not in ("title", "kind")}
    assert post(client, "/grid/shows/show-a/slots/new", slot).status_code == 302
    show = station.grid.get_show("show-a")
    assert show is not None and [s.id for s in show.slots] == ["s1", "s2"]
    moved = slot | {"start": "12:30"}
    clash = post(client, "/grid/shows/show-a/slots/s2", moved)
    assert clash.status_code == 409 and "Show B (show-b)" in clash.get_data(as_text=True)
    assert post(client, "/grid/shows/show-a/slots/s2", slot | {"start": "22:00"}).status_code == 302
    assert post(client, "/grid/shows/show-a/slots/s2/remove", {"remove-reason": ""}).status_code
    show = station.grid.get_show("show-a")
    assert show is not None and [s.id for s in show.slots] == ["s1"]


def test_occurrence_cancelled_moved_replaced_and_restored(station: Station) -> None:
    client = station.client("volunteer")
    oid = station.occurrence("show-a")  # Tuesday 24 November, 10:00
    path = f"/grid/occurrences/{oid}"
    assert post(client, path, {"action": "cancel", "reason": "Bank holiday"}).status_code == 302
    assert station.grid.find_occurrence(oid) is None
    assert post(client, path, {"action": "restore"}).status_code == 302
    assert station.grid.find_occurrence(oid) is not None
    clash = post(client, path, {"action": "move", "start": "2026-11-24T12:30", "minutes": "60"})
    assert clash.status_code == 409 and "Show B" in clash.get_data(as_text=True)
    moved = post(client, path, {"action": "move", "start": "2026-11-24T14:00", "minutes": "30"})
    assert moved.status_code == 302
    occ = station.grid.find_occurrence(oid)
    assert occ is not None and occ.local_start.hour == 14 and occ.change == "moved"
    assert post(client, path, {"action": "replace", "replacement": "show-b"}).status_code == 302
    occ = station.grid.find_occurrence(oid)
    assert occ is not None and occ.show == "show-b" and occ.change == "replaced"
    log = station.client().get("/changes").get_data(as_text=True)
    assert "Cancelled Show A on Tuesday 24 November 2026" in log and "Bank holiday" in log
    assert "Put Show B in place of Show A" in log


def test_unknown_occurrences_and_shows_are_404(station: Station) -> None:
    client = station.client("volunteer")
    assert client.get("/grid/occurrences/show-a.s1.2026-13-01").status_code == 404
    assert client.get("/grid/occurrences/nope.s1.2026-11-24").status_code == 404
    assert client.get("/grid/shows/nope").status_code == 404


def test_presenters_assigned_to_a_show(station: Station) -> None:
    client = station.client("volunteer")
    b = station.people["presenter_b"].id
    a = station.people["presenter_a"].id
    answer = post(
        client, "/grid/shows/show-a/presenters", {"presenters-accounts": [str(a), str(b)]}
    )
    assert answer.status_code == 302
    presenters = {p.id for p in station.accounts.presenters_of("show-a")}
    assert presenters == {a, b}
    assert "Presenters of Show A are now: Ada Presenter, Bea Presenter" in (
        station.client().get("/changes").get_data(as_text=True)
    )
    not_presenter = post(
        client,
        "/grid/shows/show-a/presenters",
        {"presenters-accounts": [str(station.people["volunteer"].id)]},
    )
    assert not_presenter.status_code == 400
    assert {p.id for p in station.accounts.presenters_of("show-a")} == {a, b}


def test_week_view_lists_the_week(station: Station) -> None:
    page = station.client("volunteer").get("/grid?week=2026-11-25").get_data(as_text=True)
    assert "Week of Monday 23 November 2026" in page
    assert page.count("Show A") >= 7 and "Times are Europe/London" in page


def test_playlist_files_ticked_and_saved(station: Station) -> None:
    media = station.services.settings.media_dir / "music"
    media.mkdir(parents=True)
    (media / "new-tune.ogg").write_bytes(b"OggS")
    client = station.client("volunteer")
    page = client.get("/grid/playlists/rotation").get_data(as_text=True)
    assert "music/new-tune.ogg" in page and "file missing" in page  # demo files not made here
    playlist = station.services.settings.playlists_dir / "rotation.m3u8"
    before = [line for line in playlist.read_text().splitlines() if not line.startswith("#")]
    answer = post(
        client, "/grid/playlists/rotation", {"entries": [before[0], "music/new-tune.ogg"]}
    )
    assert answer.status_code == 302
    text = playlist.read_text()
    assert text.startswith("#EXTM3U\n# The rotation")
    assert [line for line in text.splitlines() if not line.startswith("#")] == [
        before[0],
        "music/new-tune.ogg",
    ]
    sneaky = post(client, "/grid/playlists/rotation", {"entries": ["../../etc/passwd"]})
    assert sneaky.status_code == 302
    assert "etc/passwd" not in playlist.read_text()
    assert client.get("/grid/playlists/../secrets").status_code == 404


def test_a_file_an_upload_added_while_the_page_was_open_stays(station: Station) -> None:
    """The volunteer unticks a file; an upload (maybe in another web process) added one to the
    playlist after the page was shown: the saved playlist keeps the upload's file."""
    client = station.client("volunteer")
    page = client.get("/grid/playlists/rotation").get_data(as_text=True)
    found = re.search(r'name="shown" type="hidden" value="([^"]*)"', page)
    assert found, page
    shown = html.unescape(found[1])
    playlists = station.services.settings.playlists_dir
    entries = json.loads(shown)
    assert len(entries) >= 2
    add_to_playlist(playlists, "rotation", "episodes/new-upload.ogg",
                    station.services.settings.data_dir / "tmp")  # fmt: skip
    answer = post(client, "/grid/playlists/rotation", {"entries": entries[1:], "shown": shown})
    assert answer.status_code == 302
    text = (playlists / "rotation.m3u8").read_text()
    assert [line for line in text.splitlines() if not line.startswith("#")] == [
        *entries[1:],
        "episodes/new-upload.ogg",
    ]
    changes = html.unescape(station.client().get("/changes").get_data(as_text=True))
    assert f"Playlist rotation: removed {entries[0]}." in changes
    # Another volunteer removes a file while this page is open; saving it does not put the
    # file back (it is still ticked here: the page was drawn before).
    page = client.get("/grid/playlists/rotation").get_data(as_text=True)
    found = re.search(r'name="shown" type="hidden" value="([^"]*)"', page)
    assert found, page
    shown = html.unescape(found[1])
    ticked = json.loads(shown)
    removed = station.services.settings.media_dir / ticked[0]
    removed.parent.mkdir(parents=True, exist_ok=True)
    removed.write_bytes(b"OggS")  # a file still in the library, only out of the playlist
    other = station.client("volunteer")
    assert post(other, "/grid/playlists/rotation", {"entries": ticked[1:]}).status_code == 302
    assert post(client, "/grid/playlists/rotation", {"entries": ticked[:-1], "shown": shown}
                ).status_code == 302  # fmt: skip
    text = (playlists / "rotation.m3u8").read_text()
    assert [line for line in text.splitlines() if not line.startswith("#")] == ticked[1:-1]


def test_missing_episodes_lists_prerecorded_slots_of_the_next_14_days(station: Station) -> None:
    page = station.client("volunteer").get("/grid/missing").get_data(as_text=True)
    assert page.count("Episode missing") == 28  # show A and show B, every day for 14 days
    assert "Live A" not in page


def test_removing_a_show(station: Station) -> None:
    client = station.client("volunteer")
    answer = post(client, "/grid/shows/show-b/remove", {"remove-reason": "Ended its run"})
    assert answer.status_code == 302
    assert station.grid.get_show("show-b") is None
    assert station.accounts.presenters_of("show-b") == []
    assert date(2026, 11, 23)  # the week still renders without the show
    assert station.client("volunteer").get("/grid").status_code == 200


def test_an_airings_page_preselects_no_change(station: Station) -> None:
    client = station.client("volunteer")
    oid = station.occurrence("show-a")
    page = client.get(f"/grid/occurrences/{oid}").get_data(as_text=True)
    select = page[
        page.index('<select id="action"') : page.index("</select>", page.index('id="action"'))
    ]
    options = re.findall(r"<option([^>]*)>([^<]*)</option>", select)
    # The browser shows the first option when none is selected: it must not be an action.
    assert options[0] == (' value=""', "Choose what to change…")
    assert not [o for o in options if "selected" in o[0]], options
    # Saving without choosing changes nothing and says what to do.
    answer = post(client, f"/grid/occurrences/{oid}", {"reason": "oops"})
    assert answer.status_code in (400, 422) and "Choose what to change." in answer.get_data(
        as_text=True
    )
    assert station.grid.find_occurrence(oid) is not None
