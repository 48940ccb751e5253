"""The grid's objects refuse to be built wrong, each with one sentence."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from radio.errors import GridError
from radio.grid.model import (
    MonthlyDay,
    MonthlyWeekday,
    Once,
    Show,
    Slot,
    SlotException,
    Weekly,
    occurrence_id,
    parse_occurrence_id,
)

from .build import MONDAY, slot


def test_occurrence_ids_are_url_safe_and_round_trip() -> None:
    occ_id = occurrence_id("morning-coffee", "r1", date(2026, 11, 24))
    assert occ_id == "morning-coffee.r1.2026-11-24"
    assert parse_occurrence_id(occ_id) == ("morning-coffee", "r1", date(2026, 11, 24))


@pytest.mark.parametrize(
    "text", ["morning-coffee.r1", "Morning.r1.2026-11-24", "a.r.1.2026-11-24", "a.r1.20261124",
             "a.r1.2026-02-30", "a.r 1.2026-11-24"],
)  # fmt: skip
def test_what_is_not_an_occurrence_id(text: str) -> None:
    assert parse_occurrence_id(text) is None


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Weekly(()), "at least one weekday"),
        (lambda: Weekly((2, 1)), "distinct and in order"),
        (lambda: Weekly((0,), every=9), "from 1 to 8"),
        (lambda: MonthlyWeekday(5, 0), '"last"'),
        (lambda: MonthlyDay(32), "from 1 to 31"),
        (lambda: slot("07:00", 0), "between 1 second and 24 hours"),
        (lambda: slot("07:00", 24 * 60 + 1), "between 1 second and 24 hours"),
        (lambda: slot("07:00", -5), "between 1 second and 24 hours"),
        (lambda: slot("07:00", 60, id="r.1"), "no dots"),
        (lambda: slot("07:00", 60, last=MONDAY - timedelta(days=1)), "before the first date"),
        (lambda: Slot("x", Once(), time(7), timedelta(hours=1), MONDAY, None), "one-off"),
        (lambda: Show("Morning Coffee", "Morning Coffee", "live"), "slug"),
        (lambda: Show("a", " ", "live"), "needs a title"),
        (lambda: Show("a", "A", "podcast"), "kind must be one of"),  # type: ignore[arg-type]
        (lambda: Show("a", "A", "live", colour="red"), "colour"),
        (lambda: Show("a", "A", "live", slots=(slot("07:00", 5), slot("08:00", 5))), "same id"),
        (lambda: SlotException("a", "r1", MONDAY, "move"), "new start"),
        (lambda: SlotException("a", "r1", MONDAY, "cancel", duration=timedelta(1)), "no start"),
        (lambda: SlotException("a", "r1", MONDAY, "replace"), "names the show"),
        (lambda: SlotException("a", "r1", MONDAY, "postpone"), "action"),  # type: ignore[arg-type]
    ],
)
def test_invalid_objects_are_refused_with_a_sentence(build: object, message: str) -> None:
    with pytest.raises(GridError, match=message) as info:
        build()  # type: ignore[operator]
    assert str(info.value).endswith(".")


def test_a_slot_may_cross_midnight_and_last_a_whole_day() -> None:
    assert slot("23:00", 180).duration == timedelta(hours=3)
    assert slot("00:00", 24 * 60).duration == timedelta(hours=24)
    assert slot("00:00:01", 1 / 60).duration == timedelta(seconds=1)


def test_one_off_slot_and_exception_id() -> None:
    once = Slot.once("x", date(2026, 12, 24), time(18), timedelta(minutes=90))
    assert (once.first, once.last) == (date(2026, 12, 24), date(2026, 12, 24))
    exc = SlotException("a", "r1", MONDAY, "move", start=datetime(2026, 1, 5, 9))
    assert exc.occurrence_id == "a.r1.2026-01-05"
