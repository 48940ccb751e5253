"""The account service: make, invite, authenticate and change accounts, in the database.

Every write runs in :meth:`Database.write`; the instant comes from ``clock`` so tests can
move time. Invitation and reset links carry a random token; only its SHA-256 is stored, it
works once, and it expires (invitations after a week, resets after a day).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from radio.accounts.model import (
    Account,
    AccountError,
    Role,
    TokenInvalid,
    check_links,
    check_password,
    normalise_email,
)
from radio.accounts.passwords import Passwords
from radio.accounts.store import AccountRow, AccountShowRow, TokenRow
from radio.clock import Clock, system_clock
from radio.db import Database
from radio.errors import NotFound

log = logging.getLogger(__name__)

Purpose = Literal["invite", "reset"]
LIFETIMES: dict[Purpose, timedelta] = {"invite": timedelta(days=7), "reset": timedelta(days=1)}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class AccountService:
    """Accounts stored in ``db``."""

    def __init__(
        self, db: Database, *, passwords: Passwords | None = None, clock: Clock = system_clock
    ) -> None:
        self.db = db
        self.passwords = passwords or Passwords()
        self.clock = clock

    # Reading ------------------------------------------------------------------------------

    def get(self, account_id: int) -> Account | None:
        with self.db.session() as session:
            row = session.get(AccountRow, account_id)
            return row.to_account() if row else None

    def require(self, account_id: int) -> Account:
        found = self.get(account_id)
        if found is None:
            raise NotFound(f"There is no account number {account_id}.")
        return found

    def by_email(self, email: str) -> Account | None:
        with self.db.session() as session:
            row = self._by_email(session, email)
            return row.to_account() if row else None

    def list_accounts(self) -> list[Account]:
        with self.db.session() as session:
            rows = session.scalars(select(AccountRow).order_by(AccountRow.email))
            return [row.to_account() for row in rows]

    def presenters_of(self, slug: str) -> list[Account]:
        return [a for a in self.list_accounts() if slug in a.shows]

    # Making accounts ----------------------------------------------------------------------

    def add(
        self, email: str, role: Role, password: str, shows: Iterable[str] = (), name: str = ""
    ) -> Account:
        """A new account with a password (the CLI's ``radio user add``)."""
        address, links = normalise_email(email), frozenset(shows)
        check_links(role, links)
        check_password(password)
        with self.db.write() as session:
            if self._by_email(session, address) is not None:
                raise AccountError(f"There is already an account for {address}.")
            row = self._new(session, address, role, links, name)
            row.password_hash = self.passwords.hash(password)
            session.flush()
            account = row.to_account()
        log.info("account %s added as %s", address, role)
        return account

    def invite(
        self, email: str, role: Role, shows: Iterable[str] = (), name: str = ""
    ) -> tuple[Account, str]:
        """An account without a password yet, and the token of its invitation link.

        Inviting someone again (before they accepted) replaces the earlier link; in the same
        role their shows are kept and ``shows`` added, in another role they get ``shows``.
        """
        address, links = normalise_email(email), frozenset(shows)
        check_links(role, links)
        with self.db.write() as session:
            row = self._by_email(session, address)
            if row is not None and row.password_hash is not None:
                raise AccountError(
                    f"{address} already has an account; give them a password reset link instead."
                )
            if row is None:
                row = self._new(session, address, role, links, name)
            else:
                if row.role == role:
                    links |= row.to_account().shows
                row.role, row.name = role, name or row.name
                self._link(row, links)
            session.flush()
            token = self._token(session, row, "invite")
            account = row.to_account()
        log.info("invited %s as %s", address, role)
        return account, token

    def reset_link(self, account_id: int) -> str:
        """The token of a one-time password reset link for an account."""
        with self.db.write() as session:
            row = self._row(session, account_id)
            if row.disabled:
                raise AccountError(f"{row.email} is disabled; enable the account first.")
            purpose: Purpose = "reset" if row.password_hash is not None else "invite"
            return self._token(session, row, purpose)

    # Links ---------------------------------------------------------------------------------

    def check_token(self, token: str, purpose: Purpose | None = None) -> tuple[Account, Purpose]:
        """Whose link this is and what for; :class:`TokenInvalid` if it does not work (or,
        with ``purpose``, was sent for something else: an invitation is not a reset)."""
        with self.db.session() as session:
            found, row = self._valid(session, token, purpose)
            sent_for: Purpose = "invite" if found.purpose == "invite" else "reset"
            return row.to_account(), sent_for

    def redeem(self, token: str, password: str, purpose: Purpose | None = None) -> Account:
        """Set the password with a link; the link (and any other of the account's) is spent."""
        check_password(password)
        now = self.clock()
        with self.db.write() as session:
            _, row = self._valid(session, token, purpose)
            row.password_hash = self.passwords.hash(password)
            row.epoch += 1
            session.execute(
                update(TokenRow)
                .where(TokenRow.account_id == row.id, TokenRow.used_at.is_(None))
                .values(used_at=now)
            )
            account = row.to_account()
        log.info("password set for %s through a link", account.email)
        return account

    # Logging in ----------------------------------------------------------------------------

    def authenticate(self, email: str, password: str) -> Account | None:
        """The account if the address and password match and it may log in, else None."""
        try:
            address = normalise_email(email)
        except AccountError:
            address = ""
        with self.db.session() as session:
            row = self._by_email(session, address) if address else None
            stored = row.password_hash if row else None
            if not self.passwords.verify(stored, password) or row is None or row.disabled:
                return None
            account = row.to_account()
        if stored and self.passwords.needs_rehash(stored):
            with self.db.write() as session:
                self._row(session, account.id).password_hash = self.passwords.hash(password)
        return account

    # Changing accounts ---------------------------------------------------------------------

    def update(
        self,
        account_id: int,
        *,
        role: Role | None = None,
        shows: Iterable[str] | None = None,
        disabled: bool | None = None,
        name: str | None = None,
    ) -> Account:
        """Change an account's role, shows, name or whether it is disabled."""
        with self.db.write() as session:
            row = self._row(session, account_id)
            new_role: Role = role or row.to_account().role
            links = frozenset(shows) if shows is not None else row.to_account().shows
            if new_role != "presenter":
                links = frozenset()
            if role is not None and role != row.role:
                row.role, row.epoch = role, row.epoch + 1
            if disabled is not None and disabled != row.disabled:
                row.disabled, row.epoch = disabled, row.epoch + 1
            if name is not None:
                row.name = name.strip()[:120]
            self._link(row, links)
            session.flush()
            return row.to_account()

    def end_sessions(self, account_id: int) -> None:
        """End every session of the account, on every device (logging out does this)."""
        with self.db.write() as session:
            row = self._row(session, account_id)
            row.epoch += 1

    def set_presenters(self, slug: str, account_ids: Iterable[int]) -> list[Account]:
        """Make exactly these (presenter) accounts the presenters of the show ``slug``."""
        wanted = set(account_ids)
        with self.db.write() as session:
            rows = list(session.scalars(select(AccountRow)))
            for row in rows:
                has = any(link.show_slug == slug for link in row.shows)
                if row.id in wanted and row.role != "presenter":
                    raise AccountError(f"{row.email} is not a presenter.")
                if row.id in wanted and not has:
                    row.shows.append(AccountShowRow(show_slug=slug))
                elif row.id not in wanted and has:
                    row.shows = [link for link in row.shows if link.show_slug != slug]
            missing = wanted - {row.id for row in rows}
            if missing:
                raise NotFound(f"There is no account number {min(missing)}.")
            session.flush()
            return [row.to_account() for row in rows if row.id in wanted]

    # Inside ----------------------------------------------------------------------------------

    def _by_email(self, session: Session, address: str) -> AccountRow | None:
        return session.scalars(select(AccountRow).where(AccountRow.email == address)).first()

    def _row(self, session: Session, account_id: int) -> AccountRow:
        row = session.get(AccountRow, account_id)
        if row is None:
            raise NotFound(f"There is no account number {account_id}.")
        return row

    def _new(
        self, session: Session, address: str, role: Role, links: frozenset[str], name: str
    ) -> AccountRow:
        row = AccountRow(
            email=address,
            role=role,
            name=name.strip()[:120],
            created_at=self.clock(),
            epoch=0,
            disabled=False,
        )
        self._link(row, links)
        session.add(row)
        return row

    def _link(self, row: AccountRow, links: frozenset[str]) -> None:
        kept = [link for link in row.shows if link.show_slug in links]
        have = {link.show_slug for link in kept}
        row.shows = kept + [AccountShowRow(show_slug=s) for s in sorted(links - have)]

    def _token(self, session: Session, row: AccountRow, purpose: Purpose) -> str:
        now = self.clock()
        session.execute(
            update(TokenRow)
            .where(TokenRow.account_id == row.id, TokenRow.used_at.is_(None))
            .values(used_at=now)
        )
        token = secrets.token_urlsafe(32)
        session.add(
            TokenRow(
                account_id=row.id,
                purpose=purpose,
                token_hash=token_hash(token),
                created_at=now,
                expires_at=now + LIFETIMES[purpose],
            )
        )
        return token

    def _valid(
        self, session: Session, token: str, purpose: Purpose | None = None
    ) -> tuple[TokenRow, AccountRow]:
        found = session.scalars(select(TokenRow).where(TokenRow.token_hash == token_hash(token)))
        row = found.first()
        if row is None or row.used_at is not None or purpose not in (None, row.purpose):
            raise TokenInvalid(
                "This link has already been used or is not a link we sent; "
                "ask the station for a new one."
            )
        if row.expires_at <= self.clock():
            raise TokenInvalid("This link has expired; ask the station for a new one.")
        account = self._row(session, row.account_id)
        if account.disabled:
            raise TokenInvalid("This account is disabled; ask the station's admin.")
        return row, account
