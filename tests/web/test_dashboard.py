"""The presenter's dashboard: their slots and nobody else's, the go-live card, stream keys,
the episode's waveform (an SVG drawn from the stored levels, the trimmed parts in grey)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest

from radio.grid.model import SlotException
from radio.media.library import Target
from radio.media.store import UploadSession
from radio.playout.live import StreamKeys
from tests.media.conftest import media_files  # noqa: F401
from tests.web.people import (
    Station,
    daily,
    post,
    station_fixture,  # noqa: F401
)
from web.dashboard.waveform import outline
from web.uploads import uploads

SVG = "{http://www.w3.org/2000/svg}"


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
    key = StreamKeys(station.services.db).make("live-a", station.people["presenter_a"].id)
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
    old = keys.make("live-a", station.people["presenter_a"].id)
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


def test_the_waveform_is_bars_split_at_the_cues_with_words_for_it() -> None:
    wave = outline([0.0, 0.5, 1.0, 0.5], duration_s=4.0, cue_in_s=1.0, cue_out_s=3.0)
    assert wave is not None
    assert wave.aired == "M200 30.5h200v59h-200zM400 1h200v118h-200z"
    assert wave.trimmed == "M600 30.5h200v59h-200z"  # the first level is silence: no bar
    assert wave.cues == (200.0, 600.0)
    assert wave.description == (
        "Drawn in blue: what will air, from 0:01 to 0:03 of the file's 0:04 (red lines mark "
        "the cue points). In grey: the silence trimmed at the start and at the end."
    )
    whole = outline([0.5] * 3, duration_s=5400.0, cue_in_s=0.0, cue_out_s=5400.0)
    assert whole is not None and whole.trimmed == "" and whole.cues == ()
    assert whole.description == (
        "Drawn in blue: what will air, from 0:00 to 1:30:00 of the file's 1:30:00; "
        "nothing is trimmed."
    )
    assert outline([], duration_s=4.0, cue_in_s=0.0, cue_out_s=4.0) is None


def test_the_slot_draws_the_episodes_waveform_grey_outside_the_cues(
    station: Station,
    media_files: Path,  # noqa: F811
) -> None:
    occurrence = station.occurrence("show-a")
    with station.app.app_context():
        library = uploads().library
    item = library.ingest(
        media_files / "programme-wav.wav", target=Target("show-a", occurrence)
    ).item
    client = station.client("presenter_a")
    page = client.get(f"/dashboard/slots/{occurrence}").get_data(as_text=True)
    svg = ElementTree.fromstring(page[page.index("<svg") : page.index("</svg>") + 6])
    assert svg.get("role") == "img" and svg.get("viewBox") == "0 0 800 120"
    assert svg.findtext(f"{SVG}title") == "The episode's waveform"
    assert svg.get("aria-labelledby") == "waveform-title"
    caption = re.search(r'<figcaption[^>]*id="waveform-caption">([^<]*)<', page)
    assert svg.get("aria-describedby") == "waveform-caption" and caption is not None
    assert caption[1].startswith("Drawn in blue: what will air, from 0:01 to 0:06 of the file")
    assert "In grey: the silence trimmed at the start and at the end." in caption[1]
    # 7.5 seconds in an hour's slot: drawn to the slot's scale, the rest of it left empty.
    assert caption[1].endswith(
        "Drawn to the slot&#39;s length, 1:00:00: the empty part on the right, 59:52, is left "
        "to music from the rotation."
    )
    scale = 800 / 3600
    rest = next(svg.iter(f"{SVG}rect"))
    assert rest.get("class") == "wave-rest"
    assert float(rest.get("x", "")) == pytest.approx(item.duration_s * scale, abs=0.01)
    assert not [e for e in svg.iter() if "style" in e.attrib]  # the CSP allows no inline style
    # The cue lines where the analysis put the cues; every bar on its side of them.
    cue_in, cue_out = (float(line.get("x1", "")) for line in svg.iter(f"{SVG}line")
                       if line.get("class") == "wave-cue")  # fmt: skip
    assert cue_in == pytest.approx(item.cue_in_s * scale, abs=0.01)
    assert cue_out == pytest.approx(item.cue_out_s * scale, abs=0.01)
    paths = {p.get("class"): p.get("d", "") for p in svg.iter(f"{SVG}path")}
    aired = [float(x) for x in re.findall(r"M([\d.]+) ", paths["wave-aired"])]
    trimmed = [float(x) for x in re.findall(r"M([\d.]+) ", paths["wave-trimmed"])]
    assert len(aired) > 150  # both tones: 3 of the 7.5 seconds
    assert all(cue_in - 0.1 <= x <= cue_out for x in aired)
    assert all(x < cue_in or x > cue_out - 0.1 for x in trimmed), trimmed
    # The picture is gone: no route serves one.
    assert client.get(f"/dashboard/slots/{occurrence}/waveform.png").status_code == 404


def test_weeks_that_replay_the_latest_episode_say_repeat_planned(
    station: Station,
    media_files: Path,  # noqa: F811
) -> None:
    show = station.grid.get_show("show-a")
    assert show is not None
    station.grid.save_show(dataclasses.replace(show, repeat_latest=True))
    client = station.client("presenter_a")
    # Nothing uploaded yet: there is nothing to replay, so the slots miss their episode.
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Repeat planned" not in page and "Episode missing" in page
    with station.app.app_context():
        library = uploads().library
    library.ingest(
        media_files / "programme-wav.wav", target=Target("show-a", station.occurrence("show-a", 0))
    )
    page = client.get("/dashboard").get_data(as_text=True)
    card = page[page.index('id="show-show-a"') :]
    statuses = re.findall(r'class="status status-(\w+)">([^<]+)<', card)
    # Today's slot has its (short) episode; the weeks after replay it.
    assert statuses[0] == ("short", "Ready, but much shorter than the slot")
    assert set(statuses[1:]) == {("repeat", "Repeat planned")}
    assert "Episode missing" not in card
    later = client.get(f"/dashboard/slots/{station.occurrence('show-a', 3)}").get_data(as_text=True)
    assert '<strong class="status status-repeat" id="slot-status">Repeat planned</strong>' in later
    assert "the show's latest episode will air again in this slot" in later
    # The grid's list of slots to chase leaves them out too.
    chase = station.client("volunteer").get("/grid/missing").get_data(as_text=True)
    assert "Show A" not in chase
