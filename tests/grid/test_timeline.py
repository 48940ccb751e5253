"""What is on now, what is next, and the gaps the rotation fills."""

from __future__ import annotations

import itertools
from datetime import timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from radio.grid.expand import expand
from radio.grid.model import Gap, Weekly
from radio.grid.timeline import Timeline, find_gaps, gaps, next_occurrences, scheduled_at

from .build import grid, show, slot, utc

LONDON = ZoneInfo("Europe/London")
G = grid(
    show("breakfast", slot("07:00", 120, Weekly((0, 1, 2, 3, 4)))),
    show("coffee", slot("09:00", 90, Weekly((1, 3)))),
    show("night-owls", slot("23:00", 180, Weekly((5,)))),
)


def test_scheduled_at_uses_half_open_intervals() -> None:
    assert scheduled_at(G, LONDON, utc(2026, 11, 24, 7)).id == "breakfast.r1.2026-11-24"  # type: ignore[union-attr]
    assert scheduled_at(G, LONDON, utc(2026, 11, 24, 9)).id == "coffee.r1.2026-11-24"  # type: ignore[union-attr]
    assert scheduled_at(G, LONDON, utc(2026, 11, 24, 10, 30)) is None
    assert scheduled_at(G, LONDON, utc(2026, 11, 29, 1, 59)).show == "night-owls"  # type: ignore[union-attr]


def test_next_occurrences_start_strictly_after() -> None:
    nxt = next_occurrences(G, LONDON, utc(2026, 11, 24, 7), 3)
    assert [o.id for o in nxt] == [
        "coffee.r1.2026-11-24",
        "breakfast.r1.2026-11-25",
        "breakfast.r1.2026-11-26",
    ]
    assert len(next_occurrences(G, LONDON, utc(2026, 11, 24), 200)) == 200
    assert next_occurrences(grid(), LONDON, utc(2026, 11, 24), 3) == []


def test_gaps_between_shows() -> None:
    found = gaps(G, LONDON, utc(2026, 11, 24, 6), utc(2026, 11, 24, 12))
    assert found == [
        Gap(utc(2026, 11, 24, 6), utc(2026, 11, 24, 7)),
        Gap(utc(2026, 11, 24, 10, 30), utc(2026, 11, 24, 12)),
    ]
    assert gaps(G, LONDON, utc(2026, 11, 24, 7), utc(2026, 11, 24, 10, 30)) == []
    assert gaps(grid(), LONDON, utc(2026, 1, 1), utc(2026, 1, 2)) == [
        Gap(utc(2026, 1, 1), utc(2026, 1, 2))
    ]


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 14 * 24 * 60), st.integers(1, 3 * 24 * 60))
def test_gaps_and_occurrences_cover_the_window_exactly(offset: int, minutes: int) -> None:
    start = utc(2027, 3, 22) + timedelta(minutes=offset)
    end = start + timedelta(minutes=minutes)
    occs = expand(G, LONDON, start, end)
    pieces = [(max(o.start, start), min(o.end, end)) for o in occs] + [
        (g.start, g.end) for g in find_gaps(occs, start, end)
    ]
    pieces.sort()
    assert pieces[0][0] == start and pieces[-1][1] == end
    assert all(a[1] == b[0] for a, b in itertools.pairwise(pieces))
    tl = Timeline.build(G, LONDON, start, end)
    probe = start + (end - start) / 2
    assert tl.at(probe) == scheduled_at(G, LONDON, probe)
    assert tl.between(start, end) == occs
