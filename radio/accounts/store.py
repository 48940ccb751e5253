"""The accounts' tables: ``accounts``, ``account_shows`` and ``account_tokens``.

Invitation and reset tokens are stored as their SHA-256 only; the link itself is shown once.
Shows are referred to by slug (``grid_shows.slug``), as the grid's exceptions do.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from radio.accounts.model import Account, check_role
from radio.db import Base, UTCDateTime


class AccountRow(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    shows: Mapped[list[AccountShowRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="AccountShowRow.show_slug"
    )

    def to_account(self) -> Account:
        return Account(
            id=self.id,
            email=self.email,
            role=check_role(self.role),
            name=self.name,
            shows=frozenset(link.show_slug for link in self.shows),
            disabled=self.disabled,
            has_password=self.password_hash is not None,
            epoch=self.epoch,
        )


class AccountShowRow(Base):
    __tablename__ = "account_shows"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    show_slug: Mapped[str] = mapped_column(String(60), primary_key=True, index=True)


class TokenRow(Base):
    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    #: ``invite`` or ``reset``.
    purpose: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
