"""Grid files: every rule kind reads and writes, bad files are refused one sentence a problem."""

from __future__ import annotations

import io
import re
import string
from datetime import date, datetime, time, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from radio.grid.model import (
    KINDS,
    LAST,
    Grid,
    MonthlyDay,
    MonthlyWeekday,
    Once,
    Show,
    Slot,
    SlotException,
    Weekly,
)
from radio.grid.tomlfile import dump, dumps, load, loads

DEMO = Path(__file__).resolve().parents[2] / "schedules" / "demo.toml"

EVERY_KIND = """
[[show]]
slug = "morning-coffee"
title = "Morning Coffee"
kind = "live"
description = "The phone-in."
presenters = ["Amina Khan", "Joe Bloggs"]
category = "Phone-in"
colour = "#8e5b3b"
repeat_latest = true

[[show.slot]]
id = "r1"
repeat = "weekly"
days = ["tue", "thu"]
start = "09:00"
duration = "1h30m"
from = 2026-01-06

[[show.slot]]
id = "fortnightly"
repeat = "weekly"
every = 2
days = ["sat"]
start = "10:00:30"
duration = "45m"
from = 2026-01-10
until = 2026-12-26

[[show.slot]]
id = "last-friday"
repeat = "monthly"
nth = "last"
weekday = "fri"
start = "21:00"
duration = "1h"
from = 2026-01-30

[[show.slot]]
id = "fifteenth"
repeat = "monthly"
day = 15
start = "13:00"
duration = "30m"
from = "2026-01-15"

[[show.slot]]
id = "special"
repeat = "once"
date = 2026-12-24
start = "23:00"
duration = "3h"

[[show]]
slug = "carols"
title = "Carols"
kind = "prerecorded"

[[exception]]
show = "morning-coffee"
slot = "r1"
date = 2026-12-24
action = "replace"
with = "carols"

[[exception]]
show = "morning-coffee"
slot = "r1"
date = 2026-12-29
action = "move"
start = "2026-12-29 10:00"

[[exception]]
show = "morning-coffee"
slot = "last-friday"
date = 2026-12-25
action = "cancel"
"""


def test_every_rule_kind_reads() -> None:
    g = loads(EVERY_KIND, "every.toml")
    coffee = g.shows[0]
    assert coffee.presenters == ("Amina Khan", "Joe Bloggs") and coffee.repeat_latest
    assert [s.pattern for s in coffee.slots] == [
        Weekly((1, 3)), Weekly((5,), 2), MonthlyWeekday(LAST, 4), MonthlyDay(15), Once(),
    ]  # fmt: skip
    assert coffee.slots[1].start == time(10, 0, 30) and coffee.slots[1].last == date(2026, 12, 26)
    assert coffee.slots[4].first == coffee.slots[4].last == date(2026, 12, 24)
    assert g.exceptions[1].start == datetime(2026, 12, 29, 10)
    assert g.shows[1] == Show("carols", "Carols", "prerecorded")


def test_dump_is_canonical_and_reads_back() -> None:
    g = loads(EVERY_KIND)
    text = dumps(g)
    assert loads(text) == g
    assert dumps(loads(text)) == text
    assert "from = 2026-01-15\n" in text and "start = 2026-12-29T10:00:00\n" in text
    out = io.StringIO()
    dump(g, out)
    assert out.getvalue() == text and load(io.StringIO(text)) == g


def test_the_demo_week_reads() -> None:
    with DEMO.open(encoding="utf-8") as fp:
        g = load(fp, str(DEMO))
    assert len(g.shows) >= 20
    kinds = {s.kind for s in g.shows}
    assert kinds == set(KINDS)
    patterns = [type(slot.pattern) for s in g.shows for slot in s.slots]
    assert {Weekly, MonthlyWeekday, MonthlyDay, Once} <= set(patterns)
    assert any(
        isinstance(slot.pattern, Weekly) and slot.pattern.every == 2
        for s in g.shows
        for slot in s.slots
    )
    assert any(
        isinstance(slot.pattern, MonthlyWeekday) and slot.pattern.nth == LAST
        for s in g.shows
        for slot in s.slots
    )
    assert any(
        (datetime.combine(date.min, slot.start) + slot.duration).date() > date.min
        for s in g.shows
        for slot in s.slots
    )


# Round trip of any grid the model allows ---------------------------------------------------

text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
slugs = st.from_regex(r"[a-z0-9]{1,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True)
slot_ids = st.text(string.ascii_letters + string.digits + "-_", min_size=1, max_size=8)
durations = st.integers(1, 86400).map(lambda s: timedelta(seconds=s))
times = st.times().map(lambda t: t.replace(microsecond=0))
days = st.dates(date(2020, 1, 1), date(2035, 1, 1))
patterns = st.one_of(
    st.builds(
        Weekly,
        st.sets(st.integers(0, 6), min_size=1).map(lambda s: tuple(sorted(s))),
        st.integers(1, 8),
    ),
    st.builds(MonthlyWeekday, st.sampled_from([1, 2, 3, 4, LAST]), st.integers(0, 6)),
    st.builds(MonthlyDay, st.integers(1, 31)),
)


@st.composite
def slots(draw: st.DrawFn, slot_id: str) -> Slot:
    first = draw(days)
    if draw(st.booleans()):
        return Slot.once(slot_id, first, draw(times), draw(durations))
    last = draw(st.none() | st.integers(0, 900).map(lambda n: first + timedelta(days=n)))
    return Slot(slot_id, draw(patterns), draw(times), draw(durations), first, last)


@st.composite
def shows(draw: st.DrawFn, slug: str) -> Show:
    ids = draw(st.lists(slot_ids, unique=True, max_size=3))
    return Show(
        slug,
        draw(text.filter(str.strip)),
        draw(st.sampled_from(KINDS)),
        draw(text),
        tuple(draw(st.lists(text.filter(str.strip), max_size=3))),
        draw(text),
        draw(st.sampled_from(["", "#a0b1c2"])),
        draw(st.booleans()),
        tuple(draw(slots(i)) for i in ids),
    )


@st.composite
def grids(draw: st.DrawFn) -> Grid:
    all_shows = [draw(shows(slug)) for slug in draw(st.lists(slugs, unique=True, max_size=4))]
    excs = []
    for s in all_shows:
        for sl in s.slots[:1]:
            day = sl.first if isinstance(sl.pattern, Once) else None
            if day is None:
                from radio.grid.recurrence import dates

                day = next(dates(sl, sl.first, sl.first + timedelta(days=400)), None)
            if day is None:
                continue
            action = draw(st.sampled_from(["cancel", "move", "replace"]))
            if action == "move":
                excs.append(
                    SlotException(
                        s.slug,
                        sl.id,
                        day,
                        "move",
                        datetime.combine(day, draw(times)),
                        draw(durations | st.none()),
                    )
                )
            elif action == "replace" and len(all_shows) > 1:
                other = next(o for o in all_shows if o.slug != s.slug)
                excs.append(SlotException(s.slug, sl.id, day, "replace", replacement=other.slug))
            else:
                excs.append(SlotException(s.slug, sl.id, day, "cancel"))
    return Grid(tuple(all_shows), tuple(excs))


@settings(max_examples=150, deadline=None)
@given(grids())
def test_any_grid_round_trips_byte_for_byte(g: Grid) -> None:
    text1 = dumps(g)
    again = loads(text1)
    assert again == g
    assert dumps(again) == text1


def test_the_examples_in_the_readme_read() -> None:
    readme = (DEMO.parent / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", readme, re.S)
    shows, slots, exceptions = blocks
    g = loads(shows + slots, "README.md")
    assert [s.id for s in g.shows[0].slots] == [
        "weekdays", "fortnightly", "last-friday", "fifteenth", "christmas-eve",
    ]  # fmt: skip
    demo = loads(DEMO.read_text(encoding="utf-8"))
    with_examples = loads(dumps(Grid(demo.shows)) + exceptions, "README.md")
    assert with_examples.exceptions == demo.exceptions
