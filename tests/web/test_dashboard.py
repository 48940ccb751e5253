"""The presenter's dashboard: their slots and nobody else's, the go-live card, stream keys."""

from __future__ import annotations

import re

from radio.grid.model import SlotException
from radio.media.library import Target
from radio.media.store import UploadSession
from radio.playout.live import StreamKeys
from tests.web.people import (
    Station,
    daily,
    post,
    station_fixture,  # noqa: F401
)
from web.uploads import uploads


def test_dashboard_lists_only_the_presenters_shows_with_statuses(station: Station) -> None:
    page = station.client("presenter_a").get("/dashboard").get_data(as_text=True)
    assert "Show A" in page and "Live A" in page and "Show B" not in page
    assert "Episode missing" in page and "Live show" in page
    page_b = station.client("presenter_b").get("/dashboard").get_data(as_text=True)
    assert "Show B" in page_b and "Show A" not in page_b and "Going live" not in page_b


def test_go_live_card_shows_server_port_mount_and_window_but_never_the_key(
    station: Station,
) -> None:
    presenter = station.client("presenter_a")
    page = presenter.get("/dashboard").get_data(as_text=True)
    assert "You have no stream key yet" in page
    key = StreamKeys(station.services.db).make("live-a")
    page = presenter.get("/dashboard").get_data(as_text=True)
    settings = station.services.settings
    assert key not in page and "Your key was shown once" in page
    assert f"<code>{settings.harbor_host}</code>" in page
    assert f"<code>{settings.harbor_port}</code>" in page and "<code>/live</code>" in page
    # The next live slot is today 20:00-21:00 GMT; the key works from 5 minutes before.
    assert "Mon 23 Nov 2026, 19:55" in page and "until <strong>21:00</strong>" in page


def test_a_live_show_right_after_another_has_its_own_mount(station: Station) -> None:
    station.grid.save_show(daily("warm-up", "Warm-up", "live", 19))  # 19:00-20:00, then Live A
    page = station.client("presenter_a").get("/dashboard").get_data(as_text=True)
    assert "<code>/live2</code>" in page and "<code>/live</code>" not in page
    assert "follows another live show, so it has a mount of its own" in page


def test_a_new_key_is_shown_once_for_the_own_show_only(station: Station) -> None:
    keys = StreamKeys(station.services.db)
    old = keys.make("live-a")
    thief = station.client("presenter_b")
    assert post(thief, "/dashboard/shows/live-a/key").status_code == 403
    assert keys.check("live-a", old)
    owner = station.client("presenter_a")
    answer = post(owner, "/dashboard/shows/live-a/key")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    page = answer.get_data(as_text=True)
    assert "it is shown only this once" in page
    new = re.search(r'value="([A-Za-z0-9_-]+)" aria-label="Stream key for Live A"', page)
    assert new is not None, page
    assert keys.check("live-a", new.group(1))
    assert not keys.check("live-a", old), "the old key still works"
    assert new.group(1) not in owner.get("/dashboard").get_data(as_text=True)


def test_presenters_cannot_reach_other_shows_slots_by_editing_ids(station: Station) -> None:
    a_slot = f"/dashboard/slots/{station.occurrence('show-a')}"
    b_slot = f"/dashboard/slots/{station.occurrence('show-b')}"
    b = station.client("presenter_b")
    assert b.get(b_slot).status_code == 200
    assert b.get(a_slot).status_code == 403
    assert post(b, a_slot, {"title": "Hijacked", "notes": "x"}).status_code == 403
    assert b.get("/dashboard/slots/show-a.s1.1999-01-01").status_code == 404
    assert b.get("/dashboard/slots/../../admin").status_code == 404


def test_a_replaced_occurrence_belongs_to_the_show_that_airs(station: Station) -> None:
    oid = station.occurrence("show-a", days=2)
    station.grid.add_exception(
        SlotException(
            "show-a",
            "s1",
            station.grid.find_occurrence(oid).date,  # type: ignore[union-attr]
            "replace",
            replacement="show-b",
        )
    )
    path = f"/dashboard/slots/{oid}"
    assert station.client("presenter_b").get(path).status_code == 200
    assert station.client("presenter_a").get(path).status_code == 403


def test_title_and_notes_need_an_episode_first(station: Station) -> None:
    client = station.client("presenter_a")
    path = f"/dashboard/slots/{station.occurrence('show-a')}"
    answer = post(client, path, {"title": "Episode 1", "notes": "Hello"})
    assert answer.status_code == 400
    assert "Upload the episode first" in answer.get_data(as_text=True)


def test_an_upload_being_analysed_or_refused_shows_on_the_slot(station: Station) -> None:
    occurrence = station.occurrence("show-a")
    with station.app.app_context():
        state = uploads().create("ep.mp3", 1000, Target("show-a", occurrence), "1")
    with station.services.db.write() as session:
        row = session.get(UploadSession, state.id)
        assert row is not None
        row.status = "analysing"
    client = station.client("presenter_a")
    page = client.get(f"/dashboard/slots/{occurrence}").get_data(as_text=True)
    assert "Analysing" in page and "being checked" in page
    assert "Analysing" in client.get("/dashboard").get_data(as_text=True)
    with station.services.db.write() as session:
        row = session.get(UploadSession, state.id)
        assert row is not None
        row.status, row.note = "rejected", "The file is silent."
    page = client.get(f"/dashboard/slots/{occurrence}").get_data(as_text=True)
    assert "Upload could not be used" in page and "The file is silent." in page
