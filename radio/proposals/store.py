"""The tables of open slots, proposals and volunteers' comments on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from radio.db import Base, UTCDateTime
from radio.proposals.model import Comment, OpenSlot, Proposal, rule_from_json


class OpenSlotRow(Base):
    __tablename__ = "open_slots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: The grid slot rule, as :func:`radio.proposals.model.rule_to_json` writes it.
    rule: Mapped[dict[str, Any]] = mapped_column(JSON)
    wanted: Mapped[str] = mapped_column(Text, default="")
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    filled_by: Mapped[int | None] = mapped_column(Integer, nullable=True)

    def to_open_slot(self) -> OpenSlot:
        slot = rule_from_json(f"open{self.id}", self.rule)
        return OpenSlot(self.id, slot, self.wanted, self.created, self.filled_by)


class ProposalRow(Base):
    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(120))
    about: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20))
    slots: Mapped[list[int]] = mapped_column(JSON)
    name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), index=True)
    access_needs: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by: Mapped[str] = mapped_column(String(254), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    show: Mapped[str] = mapped_column(String(60), default="")
    comments: Mapped[list[CommentRow]] = relationship(
        viewonly=True, order_by="CommentRow.id", lazy="selectin"
    )

    def to_proposal(self) -> Proposal:
        return Proposal(
            self.id, self.created, self.title, self.about, self.kind,  # type: ignore[arg-type]
            tuple(self.slots), self.name, self.email, self.access_needs,
            self.status, self.decided_at, self.decided_by,  # type: ignore[arg-type]
            self.reason, self.show, tuple(c.to_comment() for c in self.comments),
        )  # fmt: skip


class CommentRow(Base):
    __tablename__ = "proposal_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    who: Mapped[str] = mapped_column(String(254))
    text: Mapped[str] = mapped_column(Text)

    def to_comment(self) -> Comment:
        return Comment(self.id, self.at, self.who, self.text)
