"""Open slots keep a grid slot rule as JSON; every kind of rule comes back the same."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from radio.grid.model import LAST, MonthlyDay, MonthlyWeekday, Slot, Weekly
from radio.proposals.model import rule_from_json, rule_to_json

START, FIRST = time(21, 30), date(2026, 11, 24)


@pytest.mark.parametrize(
    "slot",
    [
        Slot.once("open", FIRST, START, timedelta(hours=1)),
        Slot("open", Weekly((1, 3), 2), START, timedelta(minutes=90), FIRST, date(2027, 6, 1)),
        Slot("open", MonthlyWeekday(LAST, 4), START, timedelta(hours=2), FIRST),
        Slot("open", MonthlyDay(31), START, timedelta(hours=24), FIRST),
    ],
    ids=lambda s: type(s.pattern).__name__,
)
def test_a_rule_survives_its_json(slot: Slot) -> None:
    assert rule_from_json("open", rule_to_json(slot)) == slot
