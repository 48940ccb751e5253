"""Reading grid files: one sentence per problem, naming file and show; never a traceback."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from radio.grid.reader import EXCEPTION_KEYS, SHOW_KEYS, SLOT_KEYS, Reader
from radio.grid.tomlfile import dumps, loads
from radio.grid.validate import InvalidGrid


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
        "presenters, category, colour, repeat_latest, listen_again, slot.",
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


def test_slot_ids_default_to_their_position() -> None:
    g = loads(
        '[[show]]\nslug = "a"\ntitle = "A"\nkind = "music"\n'
        + SLOT.format(start="07:00", duration="1h", first="2026-01-05")
        + SLOT.format(start="07:00", duration="1h", first="2026-01-05").replace("mon", "tue")
    )
    assert [s.id for s in g.shows[0].slots] == ["r1", "r2"]
    assert 'id = "r2"' in dumps(g)


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
    reader = Reader("fuzz.toml")
    reader.grid(data)
    assert all(p.startswith("fuzz.toml: ") and p.endswith(".") for p in reader.problems)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_a_grid_or_sentences(text: str) -> None:
    try:
        loads(text, "fuzz.toml")
    except InvalidGrid as exc:
        assert exc.problems
