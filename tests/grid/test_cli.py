"""``radio grid …`` as a person (or another tool) uses it."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from radio.cli import main

DEMO = Path(__file__).resolve().parents[2] / "schedules" / "demo.toml"
RADIO = str(Path(sys.executable).with_name("radio"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_passes_the_demo_week(radio_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "grid", "check", str(DEMO))
    assert (code, err) == (0, "")
    assert out.startswith(f"{DEMO}: OK: ") and "no overlaps" in out


def test_check_through_the_installed_command(radio_env: Path) -> None:
    done = subprocess.run(
        [RADIO, "grid", "check", str(DEMO)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


def expand(
    capsys: pytest.CaptureFixture[str], start: str, end: str, file: Path = DEMO
) -> list[dict[str, str]]:
    code, out, err = run(
        capsys, "grid", "expand", str(file), "--from", start, "--to", end, "--json"
    )
    assert (code, err) == (0, "")
    result: list[dict[str, str]] = json.loads(out)
    return result


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-03-23", "2026-03-30"),
        ("2026-10-19", "2026-10-26"),
        ("2027-03-22", "2027-03-29"),
        ("2027-10-25", "2027-11-01"),
    ],
)
def test_clock_change_weeks_lose_no_show_and_overlap_nothing(
    radio_env: Path, capsys: pytest.CaptureFixture[str], start: str, end: str
) -> None:
    week = expand(capsys, start, end)
    # The same week a month earlier or later has the same weekly shows.
    spring = start[5:7] == "03"
    shift = 28 if spring else -28
    other_start = (datetime.fromisoformat(start) + timedelta(days=shift)).date().isoformat()
    other_end = (datetime.fromisoformat(end) + timedelta(days=shift)).date().isoformat()
    other = expand(capsys, other_start, other_end)
    weekly = {
        "breakfast-on-the-green",
        "night-owls",
        "faith-matters",
        "lunchtime-mix",
        "drive-time",
    }
    count = lambda occs: {s: sum(o["show"] == s for o in occs) for s in weekly}  # noqa: E731
    assert count(week) == count(other)
    assert len({o["id"] for o in week}) == len(week)
    for a, b in itertools.pairwise(week):
        assert a["start"] <= b["start"] and a["end"] <= b["start"], (a, b)
    assert all(set(o) == {"show", "start", "end", "id"} for o in week)
    assert all(o["start"].endswith("Z") and o["end"].endswith("Z") for o in week)
    owls = [o for o in week if o["show"] == "night-owls"]
    saturday = {
        "2026-03-23": ("2026-03-28T23:00:00Z", "2026-03-29T01:00:00Z"),  # 2 hours on air
        "2026-10-19": ("2026-10-24T22:00:00Z", "2026-10-25T02:00:00Z"),  # 4 hours on air
        "2027-03-22": ("2027-03-27T23:00:00Z", "2027-03-28T01:00:00Z"),
        "2027-10-25": ("2027-10-30T22:00:00Z", "2027-10-31T02:00:00Z"),
    }
    assert [(o["start"], o["end"]) for o in owls] == [saturday[start]]


def test_expand_json_shape_and_local_dates(
    radio_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    day = expand(capsys, "2026-11-24", "2026-11-25")
    assert day[0] == {
        "show": "breakfast-on-the-green",
        "start": "2026-11-24T07:00:00Z",
        "end": "2026-11-24T09:00:00Z",
        "id": "breakfast-on-the-green.weekdays.2026-11-24",
    }
    assert day[1]["id"] == "morning-coffee.r1.2026-11-24"
    summer = expand(capsys, "2027-06-01", "2027-06-02")
    assert summer[0]["start"] == "2027-06-01T06:00:00Z"  # 07:00 BST
    code, out, _ = run(
        capsys, "grid", "expand", str(DEMO), "--from", "2026-11-24", "--to", "2026-11-25"
    )
    assert code == 0 and "Breakfast on the Green (live)" in out.splitlines()[0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "24/11/2026", "--to", "2026-11-25"], "--from must be a date from 2000 to 2199"),
        (["--from", "2026-11-25", "--to", "9999-12-31"], "--to must be a date from 2000 to 2199"),
        (["--from", "2026-11-25", "--to", "2026-11-25"], "--to must be a later date than --from"),
    ],
)
def test_expand_refuses_bad_dates(
    radio_env: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, out, err = run(capsys, "grid", "expand", str(DEMO), *argv, "--json")
    assert code == 1 and out == "" and err.startswith(f"radio: {message}")


def test_import_then_export_round_trips(
    radio_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(capsys, "grid", "import", str(DEMO))[0] == 0
    code, first, _ = run(capsys, "grid", "export")
    assert code == 0 and "[[show]]" in first
    file = tmp_path / "exported.toml"
    assert run(capsys, "grid", "export", str(file))[0] == 0
    assert file.read_text(encoding="utf-8") == first
    assert run(capsys, "grid", "import", str(file))[0] == 0
    assert run(capsys, "grid", "export")[1] == first


def test_an_import_is_on_the_public_change_log(
    radio_env: Path, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    from radio.changelog import ChangeLog
    from radio.config import Settings
    from radio.db import Database

    code, _, _ = run(capsys, "grid", "import", str(DEMO), "--reason", "The new season")
    assert code == 0
    db = Database(Settings(data_dir=radio_env, database_url=database_url).database_url_in_use)
    try:
        (change,) = ChangeLog(db).recent()
    finally:
        db.dispose()
    assert change.what.startswith("Replaced the whole grid from demo.toml: ")
    assert change.reason == "The new season" and change.who == "the station's command line"


BAD = """\
[[show]]
slug = "night-bus"
title = "The Night Bus"
kind = "live"
colur = "#000000"

[[show.slot]]
repeat = "weekly"
days = ["fri"]
start = "25:00"
duration = "-1h"
from = 2026-01-09
until = 2025-01-01

[[show]]
slug = "a"
title = "A"
kind = "music"

[[show.slot]]
repeat = "weekly"
days = ["mon"]
start = "07:00"
duration = "1h"
from = 2026-01-05

[[exception]]
show = "ghost"
slot = "r1"
date = 2026-12-25
action = "cancel"

[[exception]]
show = "a"
slot = "r1"
date = 2026-12-25
action = "cancel"
"""


def test_bad_files_give_one_sentence_per_problem_and_change_nothing(
    radio_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD, encoding="utf-8")
    assert run(capsys, "grid", "import", str(DEMO))[0] == 0
    before = run(capsys, "grid", "export")[1]
    for action in ("check", "import"):
        code, out, err = run(capsys, "grid", action, str(bad))
        assert code == 1 and out == ""
        lines = err.splitlines()
        assert lines == [
            f"{bad}: show 'night-bus': unknown key 'colur'; the keys here are slug, title, kind, "
            "description, presenters, category, colour, repeat_latest, listen_again, slot.",
            f"{bad}: show 'night-bus' slot 'r1': start '25:00' is not a time of day; "
            "write HH:MM or HH:MM:SS from 00:00 to 23:59:59.",
            f"{bad}: show 'night-bus' slot 'r1': duration '-1h' is negative; a duration is from 1 "
            "second to 24 hours.",
            f"{bad}: show 'night-bus' slot 'r1': The last date 2025-01-01 is before the first "
            "date 2026-01-09.",
            f"{bad}: exception for ghost.r1.2026-12-25: there is no show 'ghost'.",
            f"{bad}: exception for a.r1.2026-12-25: show 'a' slot 'r1' does not air on Friday "
            "2026-12-25; name a date it airs on.",
            f"radio: {bad} has 6 problems; nothing was changed.",
        ]
        assert "Traceback" not in err
    assert run(capsys, "grid", "export")[1] == before


def clashing_demo(tmp_path: Path, extra: str = "") -> Path:
    """The demo week with a Sunday show moved onto Allotment Hour (and ``extra`` shows)."""
    text = DEMO.read_text(encoding="utf-8").replace(
        'days = ["sun"]\nstart = "16:00"', 'days = ["sun"]\nstart = "14:30"', 1
    )
    file = tmp_path / "clash.toml"
    file.write_text(text + extra, encoding="utf-8")
    return file


def test_overlapping_rules_in_a_file(
    radio_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    file = clashing_demo(tmp_path)
    code, _, err = run(capsys, "grid", "check", str(file))
    assert code == 1
    first = err.splitlines()[0]
    assert first.startswith(f"{file}: show '") and "allotment-hour" in first
    # The first clash depends on today's date: whichever Sunday show comes first.
    assert re.search(r"overlap, first on Sunday \d+ \w+ \d{4} at 14:30 (GMT|BST);", first)


def test_check_lists_a_shows_own_problems_beside_its_slots(
    radio_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    file = tmp_path / "show.toml"
    file.write_text(
        '[[show]]\nslug = "Bad Slug"\ntitle = ""\nkind = "music"\ncolour = "red"\n\n'
        '[[show.slot]]\nrepeat = "weekly"\ndays = ["mon"]\nstart = "25:00"\n'
        'duration = "1h"\nfrom = 2026-01-05\n'
    )
    code, _, err = run(capsys, "grid", "check", str(file))
    assert code == 1
    assert [line.split(": ", 2)[-1][:30] for line in err.splitlines()] == [
        "start '25:00' is not a time of",
        "The slug 'Bad Slug' must be lo",
        "The show needs a title.",
        "colour must look like '#1f77b4",
        f"{file} has 4 problems; nothing"[:30],
    ]


def test_check_lists_overlaps_beside_the_other_problems(
    radio_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    file = clashing_demo(tmp_path, extra=BAD.split("[[exception]]")[0])
    code, _, err = run(capsys, "grid", "check", str(file))
    assert code == 1
    assert "unknown key 'colur'" in err and "allotment-hour" in err and "overlap" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Cannot read the grid file"),
        (b"\xff\xfe[[show]]", "is not UTF-8 text"),
        (b'[[show]]\nslug = "a', "this is not valid TOML"),
    ],
)
def test_unreadable_files(
    radio_env: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    content: bytes | None,
    message: str,
) -> None:
    file = tmp_path / "grid.toml"
    if content is not None:
        file.write_bytes(content)
    for action in ("check", "import"):
        code, _out, err = run(capsys, "grid", action, str(file))
        assert code == 1 and message in err and "Traceback" not in err
