"""Which harbor mount a live slot's presenter uses (pure: the grid and an instant)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from radio.grid import tomlfile
from radio.grid.expand import expand
from radio.grid.model import Occurrence
from radio.playout.plan import every_live_window, live_mount, windows_at

LONDON = ZoneInfo("Europe/London")
LEAD = timedelta(minutes=5)

GRID = tomlfile.loads(
    """
[[show]]
slug = "breakfast"
title = "Breakfast"
kind = "live"
[[show.slot]]
repeat = "weekly"
days = ["mon", "tue", "wed", "thu", "fri"]
start = "07:00"
duration = "2h"
from = 2026-01-05

[[show]]
slug = "phone-in"
title = "Phone-in"
kind = "live"
[[show.slot]]
repeat = "weekly"
days = ["tue", "thu"]
start = "09:00"
duration = "1h"
from = 2026-01-06

[[show]]
slug = "after-the-phone-in"
title = "After the phone-in"
kind = "live"
[[show.slot]]
repeat = "weekly"
days = ["thu"]
start = "10:02"
duration = "1h"
from = 2026-01-08

[[show]]
slug = "lunch"
title = "Lunch"
kind = "live"
[[show.slot]]
repeat = "weekly"
days = ["tue"]
start = "12:00"
duration = "1h"
from = 2026-01-06
"""
)
WINDOW = partial(expand, GRID, LONDON)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def occurrence(show: str, when: datetime) -> Occurrence:
    return next(o for o in WINDOW(when - timedelta(hours=3), when) if o.show == show)


def test_a_live_slot_right_after_another_gets_the_other_mount() -> None:
    tuesday = 24
    assert live_mount(occurrence("breakfast", at(tuesday, 8)), LEAD, WINDOW) == "live"
    assert live_mount(occurrence("phone-in", at(tuesday, 9, 30)), LEAD, WINDOW) == "live2"
    # Far enough from any other live show: the first mount.
    assert live_mount(occurrence("lunch", at(tuesday, 12, 30)), LEAD, WINDOW) == "live"


def test_a_chain_of_live_slots_alternates() -> None:
    thursday = 26  # breakfast, phone-in, then a show two minutes after it (within the lead)
    mounts = [
        live_mount(occurrence(show, at(thursday, hour, 30)), LEAD, WINDOW)
        for show, hour in (("breakfast", 7), ("phone-in", 9), ("after-the-phone-in", 10))
    ]
    assert mounts == ["live", "live2", "live"]


def test_both_windows_are_open_in_the_lead_on_different_mounts() -> None:
    now = at(24, 8, 57)
    windows = windows_at(
        every_live_window(WINDOW(now - timedelta(seconds=1), now + LEAD * 3), LEAD, WINDOW),
        now,
        LEAD,
    )
    assert [(w.occurrence.show, w.mount) for w in windows] == [
        ("breakfast", "live"),
        ("phone-in", "live2"),
    ]
    assert windows[1].key_from == at(24, 8, 55)
    # Before the lead, only the show on air has its key.
    now = at(24, 8, 50)
    windows = windows_at(
        every_live_window(WINDOW(now - timedelta(seconds=1), now + LEAD * 3), LEAD, WINDOW),
        now,
        LEAD,
    )
    assert [w.occurrence.show for w in windows] == ["breakfast"]
