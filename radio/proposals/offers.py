"""Open slots: hours the station offers for new shows, kept free of the grid's shows."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from radio.clock import Clock, system_clock
from radio.db import Database
from radio.errors import GridConflict, GridError, NotFound
from radio.grid.edits import Edit
from radio.grid.model import Show, Slot
from radio.grid.service import GridService
from radio.proposals.model import MAX_WANTED, OpenSlot, ProposalError, SlotTaken, rule_to_json
from radio.proposals.store import OpenSlotRow

#: The title a clash names when an open slot would overlap a show.
OPEN_SLOT_TITLE = "This open slot"


class OpenSlots:
    """The open slots kept in ``db``, checked against the stored ``grid``."""

    def __init__(self, db: Database, grid: GridService, *, clock: Clock = system_clock) -> None:
        self.db, self.grid, self.clock = db, grid, clock

    def offered(self, *, filled: bool = False) -> list[OpenSlot]:
        """The open slots (with ``filled``, also those taken), oldest first."""
        with self.db.session() as session:
            query = select(OpenSlotRow).order_by(OpenSlotRow.id)
            if not filled:
                query = query.where(OpenSlotRow.filled_by.is_(None))
            return [row.to_open_slot() for row in session.scalars(query)]

    def available(self) -> list[OpenSlot]:
        """The open slots no show has taken meanwhile (what the public page offers)."""
        found = []
        for offer in self.offered():
            try:
                self.check_free(offer.slot)
            except (GridConflict, GridError):
                continue
            found.append(offer)
        return found

    def get(self, slot_id: int) -> OpenSlot | None:
        with self.db.session() as session:
            row = session.get(OpenSlotRow, slot_id)
            return row.to_open_slot() if row else None

    def add(self, slot: Slot, wanted: str) -> OpenSlot:
        """Offer ``slot`` for new shows; :class:`GridConflict` if a show airs in it."""
        if len(wanted) > MAX_WANTED:
            raise ProposalError(
                f"Please keep what you are looking for under {MAX_WANTED} characters."
            )
        self.check_free(slot)
        with self.db.write() as session:
            row = OpenSlotRow(rule=rule_to_json(slot), wanted=wanted.strip(), created=self.clock())
            session.add(row)
            session.flush()
            return row.to_open_slot()

    def remove(self, slot_id: int) -> OpenSlot:
        with self.db.write() as session:
            row = session.get(OpenSlotRow, slot_id)
            if row is None:
                raise NotFound("That open slot does not exist (any more).")
            found = row.to_open_slot()
            session.delete(row)
            return found

    def is_open(self, slot_id: int) -> bool:
        found = self.get(slot_id)
        return found is not None and found.is_open

    def still_open(self, slot_id: int) -> None:
        """:class:`SlotTaken` unless the slot is offered, not filled, and free in the grid."""
        found = self.get(slot_id)
        try:
            if found is None or not found.is_open:
                raise GridConflict("filled")
            self.check_free(found.slot)
        except GridConflict:
            raise SlotTaken(
                "One of the slots you chose was taken in the meantime; "
                "please choose another open slot."
            ) from None

    def check_free(self, slot: Slot) -> None:
        """:class:`GridConflict` (naming the show) if ``slot`` would overlap the grid."""
        probe = Show("open-slot-probe", OPEN_SLOT_TITLE, "music", slots=(replace(slot, id="open"),))
        self.grid.try_edit(Edit.save_show(probe))
