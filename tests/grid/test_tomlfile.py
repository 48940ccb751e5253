"""Grid files: every rule kind reads and writes, bad files are refused one sentence a problem."""

from __future__ import annotations

import io
import re
import string
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
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
from radio.grid.tomlfile import (
    EXCEPTION_KEYS,
    SHOW_KEYS,
    SLOT_KEYS,
    _Reader,
    dump,
    dumps,
    load,
    loads,
)
from radio.grid.validate import InvalidGrid

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


def test_slot_ids_default_to_their_position() -> None:
    g = loads(
        '[[show]]\nslug = "a"\ntitle = "A"\nkind = "music"\n'
        + SLOT.format(start="07:00", duration="1h", first="2026-01-05")
        + SLOT.format(start="07:00", duration="1h", first="2026-01-05").replace("mon", "tue")
    )
    assert [s.id for s in g.shows[0].slots] == ["r1", "r2"]
    assert 'id = "r2"' in dumps(g)


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


def problems(text: str) -> list[str]:
    with pytest.raises(InvalidGrid) as info:
        loads(text, "bad.toml")
    assert info.value.problems
    assert all(p.startswith("bad.toml: ") and p.endswith(".") for p in info.value.problems)
    return list(info.value.problems)


SHOW = '[[show]]\nslug = "a"\ntitle = "A"\nkind = "live"\n'
SLOT = (
    '[[show.slot]]\nrepeat = "weekly"\ndays = ["mon"]\n'
    'start = "{start}"\nduration = "{duration}"\nfrom = {first}\n'
)
MONTHLY = (
    '[[show.slot]]\nrepeat = "monthly"\n{}start = "07:00"\nduration = "1h"\nfrom = 2026-01-05\n'
)


def exception(show: str, slot: str, day: str, action: str, extra: str = "") -> str:
    return (
        f'[[exception]]\nshow = "{show}"\nslot = "{slot}"\ndate = {day}\naction = "{action}"\n'
        + extra
    )


def weekly(
    start: str = "07:00", duration: str = "1h", first: str = "2026-01-05", extra: str = ""
) -> str:
    return SHOW + SLOT.format(start=start, duration=duration, first=first) + extra


def test_malformed_toml() -> None:
    (p,) = problems('[[show]]\nslug = "a\n')
    assert p.startswith("bad.toml: this is not valid TOML: ") and "line 2" in p


def test_unknown_keys_everywhere() -> None:
    found = problems(
        'title = "x"\n'
        + weekly(extra='colur = "#ffffff"\n').replace(
            'kind = "live"\n', 'kind = "live"\nhost = "Jo"\n'
        )
    )
    assert found == [
        "bad.toml: the file: unknown key 'title'; the keys here are show, exception.",
        "bad.toml: show 'a': unknown key 'host'; the keys here are slug, title, kind, description, "
        "presenters, category, colour, repeat_latest, slot.",
        "bad.toml: show 'a' slot 'r1': unknown key 'colur'; the keys here are id, repeat, days, "
        "every, start, duration, from, until.",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            weekly(start="25:00"),
            "bad.toml: show 'a' slot 'r1': start '25:00' is not a time of day; "
            "write HH:MM or HH:MM:SS from 00:00 to 23:59:59.",
        ),
        (weekly(start="07:60"), "start '07:60' is not a time of day"),
        (
            weekly(duration="0m"),
            "bad.toml: show 'a' slot 'r1': duration '0m' is not between 1 second and 24 hours.",
        ),
        (
            weekly(duration="-1h"),
            "duration '-1h' is negative; a duration is from 1 second to 24 hours.",
        ),
        (weekly(duration="25h"), "duration '25h' is not between 1 second and 24 hours."),
        (
            weekly(duration="90"),
            "duration '90' is not a duration; write hours, minutes and seconds",
        ),
        (
            weekly(extra="until = 2026-01-01\n"),
            "bad.toml: show 'a' slot 'r1': "
            "The last date 2026-01-01 is before the first date 2026-01-05.",
        ),
        (weekly(first='"5 Jan"'), "from '5 Jan' is not a date; write YYYY-MM-DD, e.g. 2026-11-24."),
        (
            weekly().replace('days = ["mon"]', 'days = ["mon", "funday"]'),
            "days 'funday' is not a weekday",
        ),
        (weekly(extra="every = 9\n"), "every must be a number of weeks from 1 to 8, not 9."),
        (
            weekly().replace('repeat = "weekly"', 'repeat = "daily"'),
            "repeat must be one of once, weekly, monthly, not 'daily'.",
        ),
        (
            weekly().replace('kind = "live"', 'kind = "podcast"'),
            "bad.toml: show 'a': kind must be one of prerecorded, live, music, not 'podcast'.",
        ),
        (
            weekly().replace('slug = "a"', 'slug = "Morning Coffee"'),
            "show 'Morning Coffee': The slug 'Morning Coffee' must be lower-case",
        ),
        (weekly().replace('title = "A"\n', ""), "bad.toml: show 'a': 'title' is missing."),
        (
            SHOW + MONTHLY.format('day = 3\nnth = 1\nweekday = "fri"\n'),
            "write either day, or nth and weekday, not both.",
        ),
        (
            SHOW + MONTHLY.format('nth = 5\nweekday = "fri"\n'),
            'nth 5 is not 1, 2, 3, 4 or "last".',
        ),
        (
            weekly() + weekly(start="09:00"),
            "bad.toml: show 'a' appears 2 times; each show needs its own slug.",
        ),
    ],
)
def test_one_clear_sentence_per_problem(text: str, expected: str) -> None:
    found = problems(text)
    assert len(found) == 1, found
    assert expected in found[0]


def test_exceptions_naming_unknown_shows_slots_or_dates() -> None:
    base = weekly()
    found = problems(
        base
        + exception("b", "r1", "2026-01-12", "cancel")
        + exception("a", "r9", "2026-01-12", "cancel")
        + exception("a", "r1", "2026-01-13", "cancel")
        + exception("a", "r1", "2026-01-12", "replace", 'with = "zz"\n')
        + exception("a", "r1", "2026-01-12", "cancel")
        + exception("a", "r1", "2026-01-19", "move")
    )
    assert found == [
        "bad.toml: exception #6 (a.r1.2026-01-19): "
        "A move needs a new start, a new duration, or both.",
        "bad.toml: exception for b.r1.2026-01-12: there is no show 'b'.",
        "bad.toml: exception for a.r9.2026-01-12: show 'a' has no slot 'r9'.",
        "bad.toml: exception for a.r1.2026-01-13: show 'a' slot 'r1' does not air on Tuesday "
        "2026-01-13; name a date it airs on.",
        "bad.toml: exception for a.r1.2026-01-12: there is no show 'zz' to put in.",
        "bad.toml: exception for a.r1.2026-01-12: "
        "there is already an exception for that occurrence.",
    ]


def test_a_broken_show_is_not_reported_again_by_its_exceptions() -> None:
    found = problems(
        weekly(start="25:00")
        + '[[exception]]\nshow = "a"\nslot = "r1"\ndate = 2026-01-12\naction = "cancel"\n'
    )
    assert len(found) == 1 and "25:00" in found[0]


def test_several_problems_in_one_show_are_all_reported() -> None:
    found = problems(weekly(start="25:00", duration="0s", first='"2026-13-01"'))
    assert len(found) == 3


WRONG_TYPES = [
    "show = 3\n",
    "[show]\nslug = 1\n",
    '[[show]]\nslug = "a"\ntitle = 2\nkind = "live"\nslot = 4\n',
    weekly().replace('start = "07:00"', "start = 07:00:00.5"),
    weekly().replace('"1h"', "3600"),
    SHOW + '[[show.slot]]\nid = 5\nrepeat = "once"\ndate = 2026-01-01\n'
    'start = "07:00"\nduration = "1h"\n',
    SHOW + 'presenters = "Jo"\n',
    SHOW + "repeat_latest = 1\n",
    exception("a", "r1", "2026-01-01T00:00:00+01:00", "cancel"),
    exception("a", "r1", "2026-01-01", "move", "start = 2026-01-01T07:00:00Z\n"),
]


@pytest.mark.parametrize("text", WRONG_TYPES)
def test_wrong_types_are_sentences_not_tracebacks(text: str) -> None:
    assert problems(text)


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


@pytest.mark.parametrize(
    "text",
    [
        weekly(first="9999-12-31"),
        weekly(first="1066-10-14"),
        SHOW + MONTHLY.format("day = 1\n").replace("2026-01-05", "2026-01-05\nuntil = 2400-01-01"),
        weekly() + exception("a", "r1", "2026-01-05", "move", "start = 9999-12-31T23:00:00\n"),
    ],
)
def test_dates_far_from_now_are_refused(text: str) -> None:
    (problem,) = problems(text)
    assert "is outside the years 2000 to 2199." in problem


# Whatever a file holds, the reader answers with a grid or with sentences, never a traceback.

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 40),
    st.floats(allow_nan=False),
    st.sampled_from(["mon", "last", "weekly", "monthly", "once", "07:00", "1h", "live", "a", "r1",
                     "2026-01-05", "cancel", "move", "replace", "#123456", "", "25:00", "-1h"]),
    st.dates(date(1, 1, 1), date(9999, 12, 31)),
    st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30)),
    st.times(),
)  # fmt: skip
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=6)
slot_keys = sorted({k for keys in SLOT_KEYS.values() for k in keys})
slot_tables = st.dictionaries(st.sampled_from([*slot_keys, "x"]), values, max_size=9)
show_tables = st.dictionaries(
    st.sampled_from([*SHOW_KEYS, "x"]),
    values | st.lists(slot_tables, max_size=3),
    max_size=10,
)
exception_tables = st.dictionaries(st.sampled_from([*EXCEPTION_KEYS, "x"]), values, max_size=8)
documents = st.fixed_dictionaries(
    {},
    optional={
        "show": st.lists(show_tables, max_size=3) | values,
        "exception": st.lists(exception_tables, max_size=3) | values,
        "x": values,
    },
)


@settings(max_examples=300, deadline=None)
@given(documents)
def test_any_document_gives_a_grid_or_sentences(data: dict[str, object]) -> None:
    reader = _Reader("fuzz.toml")
    reader.grid(data)
    assert all(p.startswith("fuzz.toml: ") and p.endswith(".") for p in reader.problems)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_grid_or_sentences(text: str) -> None:
    try:
        loads(text, "fuzz.toml")
    except InvalidGrid as exc:
        assert exc.problems
