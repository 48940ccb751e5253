"""Open slots and proposals, stored in the database; accepting one puts a show on air.

Accepting is one grid edit (:meth:`GridService.apply`) whose transaction also marks the
open slots filled and the proposal accepted: of two volunteers accepting at once (the same
proposal, or two proposals for the same slot), the second is refused with one sentence and
nothing of theirs is saved. The proposer is then invited as the show's presenter (their
link is e-mailed, and returned for the volunteer to pass on when the station has no mail).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from radio.accounts.model import AccountError, normalise_email
from radio.accounts.service import AccountService
from radio.changelog import ChangeLog
from radio.clock import Clock, system_clock
from radio.config import Settings
from radio.db import Database
from radio.errors import GridConflict, GridError, NotFound
from radio.grid.conflicts import when
from radio.grid.edits import Edit
from radio.grid.model import Grid, Once, Show, Slot, Weekly
from radio.grid.service import GridService
from radio.grid.validate import InvalidGrid
from radio.mail import messages
from radio.mail.links import link_for
from radio.mail.outbox import Outbox
from radio.proposals.model import (
    MAX_COMMENT,
    MAX_REASON,
    AlreadyDecided,
    Proposal,
    ProposalError,
    ProposalInput,
    SlotTaken,
    proposal_problems,
)
from radio.proposals.offers import OpenSlots
from radio.proposals.store import CommentRow, OpenSlotRow, ProposalRow

log = logging.getLogger(__name__)

#: Proposals one address may have waiting for a decision.
WAITING_PER_ADDRESS = 3


@dataclass(frozen=True)
class Accepted:
    proposal: Proposal
    show: Show
    #: The invitation link to pass on (None: the proposer already had a presenter account).
    link: str | None
    #: Whether the proposer was told by e-mail.
    mailed: bool


class ProposalService:
    def __init__(
        self,
        db: Database,
        grid: GridService,
        accounts: AccountService,
        mail: Outbox,
        changelog: ChangeLog,
        settings: Settings,
        *,
        clock: Clock = system_clock,
    ) -> None:
        self.db, self.grid, self.accounts, self.mail = db, grid, accounts, mail
        self.changelog, self.settings, self.clock = changelog, settings, clock
        self.offers = OpenSlots(db, grid, clock=clock)

    # Proposals ------------------------------------------------------------------------------

    def propose(self, sent: ProposalInput) -> Proposal:
        """Keep a stranger's proposal; :class:`ProposalError` (or :class:`SlotTaken`) says why
        not, and nothing is kept."""
        problems = proposal_problems(sent)
        if problems:
            raise ProposalError(problems)
        try:
            email = normalise_email(sent.email)
        except AccountError as exc:
            raise ProposalError(str(exc)) from None
        for slot_id in sent.slots:
            self.offers.still_open(slot_id)
        with self.db.write() as session:
            waiting = session.scalar(
                select(func.count())
                .select_from(ProposalRow)
                .where(ProposalRow.email == email, ProposalRow.status == "open")
            )
            if (waiting or 0) >= WAITING_PER_ADDRESS:
                raise ProposalError(
                    f"You already have {WAITING_PER_ADDRESS} proposals waiting for an answer; "
                    "we will reply to those first."
                )
            row = ProposalRow(
                created=self.clock(), title=sent.title.strip(), about=sent.about.strip(),
                kind=sent.kind, slots=list(dict.fromkeys(sent.slots)), name=sent.name.strip(),
                email=email, access_needs=sent.access_needs.strip(), status="open",
                decided_by="", reason="", show="",
            )  # fmt: skip
            session.add(row)
            session.flush()
            proposal = row.to_proposal()
        log.info("proposal %d received: %r", proposal.id, proposal.title)
        return proposal

    def proposals(self) -> list[Proposal]:
        """Every proposal, those waiting first, newest first within each."""
        with self.db.session() as session:
            rows = session.scalars(select(ProposalRow).order_by(ProposalRow.id.desc()))
            found = [row.to_proposal() for row in rows]
        return sorted(found, key=lambda p: p.status != "open")

    def get(self, proposal_id: int) -> Proposal | None:
        with self.db.session() as session:
            row = session.get(ProposalRow, proposal_id)
            return row.to_proposal() if row else None

    def comment(self, proposal_id: int, who: str, text: str) -> Proposal:
        text = text.strip()
        if not text:
            raise ProposalError("Write the comment first.")
        if len(text) > MAX_COMMENT:
            raise ProposalError(f"Please keep a comment under {MAX_COMMENT} characters.")
        with self.db.write() as session:
            if session.get(ProposalRow, proposal_id) is None:
                raise NotFound("That proposal does not exist.")
            session.add(CommentRow(proposal_id=proposal_id, at=self.clock(), who=who, text=text))
        return self._require(proposal_id)

    def decline(self, proposal_id: int, who: str, reason: str) -> Proposal:
        """Decline with a reason (public, on the change log); the proposer is told."""
        reason = reason.strip()
        if not reason:
            raise ProposalError("Give a reason: the proposer and the change log see it.")
        if len(reason) > MAX_REASON:
            raise ProposalError(f"Please keep the reason under {MAX_REASON} characters.")
        with self.db.write() as session:
            row = self._claim(session, proposal_id)
            row.status, row.decided_at, row.decided_by = "declined", self.clock(), who
            row.reason = reason
        proposal = self._require(proposal_id)
        self.changelog.record(
            at=self.clock(), who=who, reason=reason,
            what=f"Declined a listener's proposal for a show: {proposal.title}.",
        )  # fmt: skip
        mail = messages.proposal_declined(self.settings.station_name, proposal.title, reason)
        self.mail.queue(proposal.email, mail.subject, mail.body)
        return proposal

    def accept(self, proposal_id: int, who: str, open_slots: tuple[int, ...] = ()) -> Accepted:
        """Make the show, in the chosen open slots (all those the proposal named that are
        still open, when none are chosen), and invite the proposer as its presenter."""
        proposal = self._require(proposal_id)
        if proposal.status != "open":
            raise AlreadyDecided(
                f"This proposal was already {proposal.status} by {proposal.decided_by}."
            )
        chosen = open_slots or tuple(s for s in proposal.slots if self.offers.is_open(s))
        if not chosen and self._require(proposal_id).status != "open":
            with self.db.session() as session:
                self._claim(session, proposal_id)  # says who decided it meanwhile
        if set(chosen) - set(proposal.slots):
            raise ProposalError("Choose among the open slots this proposal asked for.")
        if not chosen:
            raise SlotTaken(
                "Every open slot this proposal asked for has been taken; "
                "offer the proposer another slot or decline it."
            )
        account = self.accounts.by_email(proposal.email)
        if account is not None and account.role != "presenter":
            raise ProposalError(
                f"{proposal.email} already has a {account.role} account; "
                "make the show by hand and add its presenter there."
            )
        slots = tuple(self._slot_for(i, n) for n, i in enumerate(chosen, start=1))
        show = Show(
            self._free_slug(proposal.title), proposal.title, proposal.kind,
            description=proposal.about, presenters=(proposal.name,) if proposal.name else (),
            slots=slots,
        )  # fmt: skip
        now = self.clock()

        def add(grid: Grid) -> Grid:
            if grid.show(show.slug) is not None:
                raise GridError(f"There is already a show called {show.slug!r}; try again.")
            return Grid((*grid.shows, show), grid.exceptions)

        def within(session: Session) -> None:
            row = self._claim(session, proposal_id)
            for slot_id in chosen:
                slot = session.get(OpenSlotRow, slot_id)
                if slot is None or slot.filled_by is not None:
                    raise SlotTaken(
                        "One of the open slots was taken in the meantime (another proposal "
                        "was accepted for it); nothing was changed. Reload and choose again."
                    )
                slot.filled_by = proposal_id
            row.status, row.decided_at, row.decided_by, row.show = "accepted", now, who, show.slug

        try:
            self.grid.apply(Edit(frozenset({show.slug}), add), within=within)
        except GridConflict as exc:
            raise SlotTaken(f"{exc} Nothing was changed.") from None
        except InvalidGrid as exc:
            raise ProposalError(list(exc.problems)) from None
        except GridError as exc:
            raise ProposalError(str(exc)) from None
        link = self._invite(proposal, show.slug, account is not None and account.has_password)
        first = self._first_airing(show.slug, now)
        self.changelog.record(
            at=now, who=who, show=show.slug,
            what=f"Accepted a listener's proposal: {show.title} ({show.kind}) joins the grid"
            + (f", first on {first}." if first else "."),
        )  # fmt: skip
        mail = messages.proposal_accepted(
            self.settings.station_name, show.title, first, link or f"{self.settings.site_url}/login"
        )
        queued = self.mail.queue(proposal.email, mail.subject, mail.body)
        return Accepted(self._require(proposal_id), show, link, queued is not None)

    # Inside -----------------------------------------------------------------------------------

    def _require(self, proposal_id: int) -> Proposal:
        found = self.get(proposal_id)
        if found is None:
            raise NotFound("That proposal does not exist.")
        return found

    def _claim(self, session: Session, proposal_id: int) -> ProposalRow:
        row = session.get(ProposalRow, proposal_id)
        if row is None:
            raise NotFound("That proposal does not exist.")
        if row.status != "open":
            raise AlreadyDecided(
                f"Someone else got there first: this proposal was already {row.status} "
                f"by {row.decided_by}; nothing was changed."
            )
        return row

    def _slot_for(self, open_slot_id: int, n: int) -> Slot:
        found = self.offers.get(open_slot_id)
        if found is None:
            raise SlotTaken(
                "One of the open slots was removed in the meantime; reload and choose again."
            )
        slot = replace(found.slot, id=f"s{n}")
        today = self.clock().astimezone(self.settings.tz).date()
        # A repeating slot offered in the past starts today (every other week keeps its rhythm).
        fortnightly = isinstance(slot.pattern, Weekly) and slot.pattern.every > 1
        if slot.first < today and not isinstance(slot.pattern, Once) and not fortnightly:
            slot = replace(slot, first=today, last=max(slot.last, today) if slot.last else None)
        return slot

    def _free_slug(self, title: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:50].strip("-") or "new-show"
        slug, n = base, 2
        while self.grid.get_show(slug) is not None:
            slug, n = f"{base}-{n}", n + 1
        return slug

    def _invite(self, proposal: Proposal, slug: str, has_account: bool) -> str | None:
        if has_account:
            account = self.accounts.by_email(proposal.email)
            assert account is not None
            self.accounts.set_presenters(slug, [account.id])
            return None
        try:
            _, token = self.accounts.invite(proposal.email, "presenter", [slug], name=proposal.name)
        except AccountError as exc:  # checked before; an account made in between
            log.warning(
                "proposal %d: the show is made, the invitation failed: %s", proposal.id, exc
            )
            raise ProposalError(
                f"{proposal.title} is in the grid, but its proposer could not be invited "
                f"({exc}); invite them from the admin pages."
            ) from None
        return link_for(self.settings, "invite", token)

    def _first_airing(self, slug: str, now: datetime) -> str:
        found = self.grid.expand(now, now + timedelta(days=62), show=slug)
        return when(found[0].start, self.settings.tz) if found else ""
