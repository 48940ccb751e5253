"""The stored grid: seeding, import and export, edits refused on conflict, two editors at once."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import threading
import time as clock
from dataclasses import replace
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from radio.config import Settings
from radio.db import Base, Database
from radio.errors import GridConflict, GridError, NotFound
from radio.grid.model import Show, Slot, SlotException, Weekly
from radio.grid.service import GridService
from radio.grid.tomlfile import loads
from radio.grid.validate import InvalidGrid

from .build import slot, utc
from .conftest import NOW

DEMO = Path(__file__).resolve().parents[2] / "schedules" / "demo.toml"


def exported(service: GridService) -> str:
    out = io.StringIO()
    service.export_grid(out)
    return out.getvalue()


def test_the_migration_matches_the_models(grid_db: Database) -> None:
    with grid_db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = ("'grid_shows'", "'grid_slots'", "'grid_exceptions'", "'grid_state'")
    assert [d for d in diffs if any(name in repr(d) for name in mine)] == []


def test_seed_if_empty_seeds_once(grid_service: GridService) -> None:
    assert grid_service.seed_if_empty(DEMO) is True
    assert grid_service.seed_if_empty(DEMO) is False
    assert grid_service.grid() == loads(DEMO.read_text(encoding="utf-8"))
    assert len(grid_service.list_shows()) >= 20


def test_export_import_export_is_byte_identical(grid_service: GridService) -> None:
    grid_service.seed_if_empty(DEMO)
    first = exported(grid_service)
    grid_service.import_grid(io.StringIO(first), "first.toml")
    assert exported(grid_service) == first
    fresh = GridService(grid_service.db, grid_service.tz)
    assert exported(fresh) == first


def test_import_is_all_or_nothing(grid_service: GridService) -> None:
    grid_service.seed_if_empty(DEMO)
    before = exported(grid_service)
    bad = before.replace('start = "07:00"', 'start = "25:00"', 1)
    with pytest.raises(InvalidGrid):
        grid_service.import_grid(io.StringIO(bad), "bad.toml")
    clash = before.replace(
        'start = "09:00"\nduration = "1h30m"', 'start = "08:30"\nduration = "1h30m"', 1
    )
    with pytest.raises(InvalidGrid) as info:
        grid_service.import_grid(io.StringIO(clash), "clash.toml")
    assert "show 'breakfast-on-the-green'" in info.value.problems[0]
    assert "overlap, first on Tuesday 24 November 2026 at 08:30 GMT" in info.value.problems[0]
    assert exported(grid_service) == before


def test_reads(grid_service: GridService) -> None:
    grid_service.seed_if_empty(DEMO)
    on = grid_service.scheduled_at(utc(2026, 11, 24, 9, 15))
    assert (
        on is not None and on.id == "morning-coffee.r1.2026-11-24" and on.title == "Morning Coffee"
    )
    assert grid_service.find_occurrence("morning-coffee.r1.2026-11-24") == on
    assert grid_service.find_occurrence("morning-coffee.r1.2026-11-25") is None
    nxt = grid_service.next_occurrences(utc(2026, 11, 24, 9, 15), 2)
    assert [o.show for o in nxt] == ["lunchtime-mix", "drive-time"]
    gaps = grid_service.gaps(utc(2026, 11, 24, 9), utc(2026, 11, 24, 13))
    assert [(g.start, g.end) for g in gaps] == [(utc(2026, 11, 24, 10, 30), utc(2026, 11, 24, 12))]
    week = grid_service.expand(utc(2026, 11, 23), utc(2026, 11, 30))
    assert [o.start for o in week] == sorted(o.start for o in week)
    assert {
        o.show for o in grid_service.expand(utc(2026, 11, 23), utc(2026, 11, 30), show="desi-beats")
    } == {"desi-beats"}
    panto = grid_service.expand(utc(2026, 12, 26), utc(2026, 12, 28), show="panto-on-air")
    assert [o.id for o in panto] == ["terrace-talk.r1.2026-12-26", "panto-on-air.2026.2026-12-27"]
    show = grid_service.get_show("jazz-on-the-canal")
    assert show is not None and show.repeat_latest and show.kind == "prerecorded"
    assert grid_service.get_show("nope") is None


def test_an_edit_that_clashes_is_refused_and_nothing_changes(grid_service: GridService) -> None:
    grid_service.seed_if_empty(DEMO)
    before = exported(grid_service)
    with pytest.raises(GridConflict) as info:
        grid_service.add_slot("desi-beats", slot("20:00", 60, Weekly((0,)), id="monday"))
    assert str(info.value) == (
        "Desi Beats would overlap Reggae Roots (reggae-roots) on Monday 23 November 2026 at 20:00 "
        "GMT; choose another time, or add an exception for that date."
    )
    assert exported(grid_service) == before
    with pytest.raises(NotFound):
        grid_service.add_slot("nope", slot("20:00", 60))


def test_edits_that_fit(grid_service: GridService) -> None:
    grid_service.seed_if_empty(DEMO)
    grid_service.add_slot("desi-beats", slot("21:00", 60, Weekly((0,)), id="monday"))
    assert grid_service.scheduled_at(utc(2026, 11, 23, 21, 30)).show == "desi-beats"  # type: ignore[union-attr]
    cancel = SlotException("desi-beats", "monday", date(2026, 11, 30), "cancel")
    grid_service.add_exception(cancel)
    assert grid_service.find_occurrence("desi-beats.monday.2026-11-30") is None
    grid_service.remove_exception(cancel.occurrence_id)
    assert grid_service.find_occurrence("desi-beats.monday.2026-11-30") is not None
    grid_service.add_exception(cancel)
    grid_service.remove_slot("desi-beats", "monday")
    assert all(e.show != "desi-beats" for e in grid_service.grid().exceptions)
    new = Show("garage-nation", "Garage Nation", "music", slots=(slot("02:00", 120, Weekly((6,))),))
    grid_service.save_show(new)
    assert grid_service.get_show("garage-nation") == new
    # Changing a slot so an exception no longer names one of its dates is refused.
    grid_service.add_exception(SlotException("garage-nation", "r1", date(2026, 11, 29), "cancel"))
    with pytest.raises(InvalidGrid, match="does not air on Sunday 2026-11-29"):
        grid_service.change_slot("garage-nation", slot("02:00", 120, Weekly((5,))))
    with pytest.raises(GridConflict, match="Night Owls"):
        grid_service.change_slot("garage-nation", slot("01:00", 120, Weekly((6,))))
    grid_service.remove_show("garage-nation")
    assert grid_service.get_show("garage-nation") is None
    with pytest.raises(NotFound):
        grid_service.remove_exception("garage-nation.r1.2026-11-29")


def test_a_second_service_sees_the_first_ones_edit(
    grid_db: Database, grid_settings: Settings
) -> None:
    a = GridService(grid_db, grid_settings.tz, clock=lambda: NOW)
    other_db = Database(grid_settings.database_url_in_use)
    b = GridService(other_db, grid_settings.tz, clock=lambda: NOW)
    a.seed_if_empty(DEMO)
    assert b.get_show("garage-nation") is None
    a.save_show(Show("garage-nation", "Garage Nation", "music"))
    assert b.get_show("garage-nation") is not None
    other_db.dispose()


def clashing_slot(hour: int) -> Slot:
    return Slot("late", Weekly((2,)), time(hour), timedelta(hours=2), date(2026, 11, 25))


def test_two_editors_at_once_one_wins(grid_db: Database, grid_settings: Settings) -> None:
    GridService(grid_db, grid_settings.tz).seed_if_empty(DEMO)
    services = []
    for _ in range(2):
        db = Database(grid_settings.database_url_in_use)
        service = GridService(db, grid_settings.tz, clock=lambda: NOW)
        service.grid()  # warm caches: each must notice the other's write
        services.append(service)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def edit(service: GridService, slug: str, hour: int) -> None:
        barrier.wait()
        try:
            service.add_slot(slug, clashing_slot(hour))
            results.append("ok")
        except GridConflict as exc:
            results.append(str(exc))

    threads = [
        threading.Thread(target=edit, args=(services[0], "book-club", 22)),
        threading.Thread(target=edit, args=(services[1], "jazz-on-the-canal", 23)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results)[1] == "ok" and "would overlap" in sorted(results)[0]
    stored = GridService(grid_db, grid_settings.tz).grid()
    assert sum(s.slot("late") is not None for s in stored.shows) == 1
    for service in services:
        service.db.dispose()


def test_two_volunteers_working_from_the_same_page_lose_nothing(
    grid_db: Database, grid_settings: Settings
) -> None:
    """Two site processes, each showing a volunteer the grid as it was: both add a slot to one
    show, one changes its details, another adds a show of a slug just taken."""
    a = GridService(grid_db, grid_settings.tz, clock=lambda: NOW)
    other_db = Database(grid_settings.database_url_in_use)
    b = GridService(other_db, grid_settings.tz, clock=lambda: NOW)
    a.seed_if_empty(DEMO)
    seen = b.get_show("book-club")  # both pages were drawn from this
    assert seen is not None
    _, first = a.add_new_slot("book-club", clashing_slot(22))
    _, second = b.add_new_slot("book-club", clashing_slot(4))
    assert first.id != second.id
    b.save_details(replace(seen, title="The Book Club"))  # from the page without either slot
    stored = a.get_show("book-club")
    assert stored is not None and stored.title == "The Book Club"
    assert {first.id, second.id} <= {s.id for s in stored.slots}
    a.add_show(Show("new-show", "New Show", "music"))
    with pytest.raises(GridError, match="There is already a show called 'new-show'"):
        b.add_show(Show("new-show", "Another New Show", "live"))
    assert a.get_show("new-show") == Show("new-show", "New Show", "music")
    other_db.dispose()


EDITOR = textwrap.dedent(
    """
    import sys, time
    from datetime import date, datetime, time as hm, timedelta, UTC
    from pathlib import Path
    from zoneinfo import ZoneInfo
    from radio.db import Database
    from radio.errors import GridConflict
    from radio.grid.model import Slot, Weekly
    from radio.grid.service import GridService

    url, slug, hour, folder = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    service = GridService(Database(url), ZoneInfo("Europe/London"),
                          clock=lambda: datetime(2026, 11, 22, 12, tzinfo=UTC))
    service.grid()
    (folder / f"ready-{slug}").touch()
    while not (folder / "go").exists():
        time.sleep(0.005)
    try:
        late = Slot("late", Weekly((2,)), hm(hour), timedelta(hours=2), date(2026, 11, 25))
        service.add_slot(slug, late)
        print("ok")
    except GridConflict as exc:
        print(exc)
    """
)


def test_two_processes_at_once_one_wins(
    grid_db: Database, grid_settings: Settings, tmp_path: Path
) -> None:
    GridService(grid_db, grid_settings.tz).seed_if_empty(DEMO)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                EDITOR,
                grid_settings.database_url_in_use,
                slug,
                str(hour),
                str(tmp_path),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for slug, hour in (("book-club", 22), ("jazz-on-the-canal", 23))
    ]
    deadline = clock.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < 2:
        assert clock.monotonic() < deadline, [p.poll() for p in procs]
        clock.sleep(0.01)
    (tmp_path / "go").touch()
    outputs = sorted(p.communicate(timeout=60)[0].strip() for p in procs)
    assert outputs[1] == "ok" and "would overlap" in outputs[0], outputs
    stored = GridService(grid_db, grid_settings.tz).grid()
    assert sum(s.slot("late") is not None for s in stored.shows) == 1
