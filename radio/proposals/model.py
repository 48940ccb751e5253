"""What an open slot and a proposal are, and the checks on what a stranger sends."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from radio.errors import RadioError
from radio.grid.model import LAST, MonthlyDay, MonthlyWeekday, Once, Pattern, Slot, Weekly
from radio.jsontypes import JSON

Status = Literal["open", "accepted", "declined"]
ProposalKind = Literal["live", "prerecorded"]
KINDS: tuple[ProposalKind, ...] = ("live", "prerecorded")

MAX_TITLE = 120
MAX_ABOUT = 3000
MAX_NAME = 100
MAX_EMAIL = 254
MAX_ACCESS = 1000
MAX_WANTED = 1000
MAX_COMMENT = 2000
MAX_REASON = 500
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class ProposalError(RadioError):
    """A proposal or a decision refused, with one sentence per problem."""

    def __init__(self, problems: list[str] | str) -> None:
        self.problems = [problems] if isinstance(problems, str) else problems
        super().__init__(" ".join(self.problems))


class SlotTaken(ProposalError):
    """The open slot was filled, removed or overlapped meanwhile."""


class AlreadyDecided(ProposalError):
    """Someone else accepted or declined the proposal first."""


@dataclass(frozen=True)
class OpenSlot:
    """Hours the station offers for a new show: a grid slot rule, and what it is looking for."""

    id: int
    slot: Slot
    wanted: str
    created: datetime
    #: The proposal that was accepted for it (None: still open).
    filled_by: int | None = None

    @property
    def is_open(self) -> bool:
        return self.filled_by is None


@dataclass(frozen=True)
class Comment:
    id: int
    at: datetime
    who: str
    text: str


@dataclass(frozen=True)
class Proposal:
    id: int
    created: datetime
    title: str
    about: str
    kind: ProposalKind
    slots: tuple[int, ...]
    name: str
    email: str
    access_needs: str
    status: Status = "open"
    decided_at: datetime | None = None
    decided_by: str = ""
    reason: str = ""
    #: The slug of the show made when it was accepted.
    show: str = ""
    comments: tuple[Comment, ...] = ()


@dataclass(frozen=True)
class ProposalInput:
    """What the proposal form sent, before it is checked."""

    title: str
    about: str
    kind: str
    slots: tuple[int, ...]
    name: str
    email: str
    access_needs: str


def proposal_problems(sent: ProposalInput) -> list[str]:
    """Every problem with a proposal, one sentence each (empty when none)."""
    found = []
    for label, value, most in (
        ("a title", sent.title, MAX_TITLE),
        ("a few words about what it is", sent.about, MAX_ABOUT),
        ("an e-mail address we can answer", sent.email, MAX_EMAIL),
    ):
        if not value.strip():
            found.append(f"Please give {label}.")
        elif len(value) > most:
            found.append(f"Please keep {label} under {most} characters (it has {len(value)}).")
    if sent.email.strip() and len(sent.email) <= MAX_EMAIL and not _EMAIL.fullmatch(sent.email):
        found.append("That e-mail address does not look right; check it and try again.")
    if sent.kind not in KINDS:
        found.append("Say whether the show would be live or prerecorded.")
    if not sent.slots:
        found.append("Choose at least one of the open slots.")
    if len(sent.slots) > 20:
        found.append("Choose at most 20 open slots.")
    for label, value, most in (
        ("your name", sent.name, MAX_NAME),
        ("the access needs", sent.access_needs, MAX_ACCESS),
    ):
        if len(value) > most:
            found.append(f"Please keep {label} under {most} characters (it has {len(value)}).")
    return found


# A grid slot rule as JSON (the open_slots table keeps it so) ----------------------------------


def rule_to_json(slot: Slot) -> dict[str, JSON]:
    p = slot.pattern
    rule: dict[str, JSON] = {
        "start": slot.start.isoformat(),
        "seconds": int(slot.duration.total_seconds()),
        "first": slot.first.isoformat(),
        "last": slot.last.isoformat() if slot.last else None,
    }
    if isinstance(p, Once):
        rule["repeat"] = "once"
    elif isinstance(p, Weekly):
        rule.update(repeat="weekly", days=list(p.days), every=p.every)
    elif isinstance(p, MonthlyWeekday):
        rule.update(repeat="monthly-weekday", nth=p.nth, weekday=p.weekday)
    else:
        rule.update(repeat="monthly-day", day=p.day)
    return rule


def rule_from_json(slot_id: str, rule: dict[str, JSON]) -> Slot:
    from datetime import date, time, timedelta

    def num(key: str, default: int = 0) -> int:
        value = rule.get(key, default)
        return value if isinstance(value, int) else default

    repeat = rule.get("repeat")
    pattern: Pattern
    if repeat == "once":
        pattern = Once()
    elif repeat == "weekly":
        days = rule.get("days")
        pattern = Weekly(
            tuple(d for d in days if isinstance(d, int)) if isinstance(days, list) else (),
            num("every", 1),
        )
    elif repeat == "monthly-weekday":
        pattern = MonthlyWeekday(num("nth", LAST), num("weekday"))
    else:
        pattern = MonthlyDay(num("day", 1))
    last = rule.get("last")
    return Slot(
        slot_id,
        pattern,
        time.fromisoformat(str(rule["start"])),
        timedelta(seconds=num("seconds")),
        date.fromisoformat(str(rule["first"])),
        date.fromisoformat(last) if isinstance(last, str) else None,
    )
