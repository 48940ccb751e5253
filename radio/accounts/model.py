"""People and what they may do: accounts, roles and the rules of access (pure, no storage).

* a **presenter** reaches the shows they are linked to, and nothing else;
* a **volunteer** edits the grid, the shows and the playlists;
* an **admin** looks after accounts and the station settings, and is also a volunteer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from radio.errors import RadioError

Role = Literal["presenter", "volunteer", "admin"]
ROLES: tuple[Role, ...] = ("presenter", "volunteer", "admin")
ROLE_NAMES: dict[Role, str] = {
    "presenter": "Presenter",
    "volunteer": "Grid volunteer",
    "admin": "Admin",
}
MIN_PASSWORD = 10
MAX_PASSWORD = 200
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class AccountError(RadioError):
    """An account cannot be made or changed as asked (one sentence for the person)."""


class TokenInvalid(AccountError):
    """An invitation or reset link is unknown, used, or expired."""


@dataclass(frozen=True)
class Account:
    """One person's account. ``shows`` are the slugs a presenter is linked to."""

    id: int
    email: str
    role: Role
    name: str = ""
    shows: frozenset[str] = frozenset()
    disabled: bool = False
    has_password: bool = False
    #: Moves on every password change, role change or disabling; old sessions stop working.
    epoch: int = 0

    @property
    def display_name(self) -> str:
        return self.name or self.email

    @property
    def public_name(self) -> str:
        """The name for public pages (the change log): never the e-mail address."""
        return self.name or f"a{'n' if self.role == 'admin' else ''} {self.role} without a name"

    @property
    def active(self) -> bool:
        return not self.disabled and self.has_password

    @property
    def edits_grid(self) -> bool:
        return self.active and self.role in ("volunteer", "admin")

    @property
    def is_admin(self) -> bool:
        return self.active and self.role == "admin"

    def presents(self, slug: str) -> bool:
        """May this person look after the show ``slug`` (its episodes and its stream key)?"""
        return self.active and self.role == "presenter" and slug in self.shows


def normalise_email(value: str) -> str:
    """The address as stored: trimmed and lower-case; :class:`AccountError` if it is not one."""
    email = value.strip().lower()
    if not _EMAIL.fullmatch(email) or len(email) > 254:
        raise AccountError(f"{value.strip()!r} is not an e-mail address such as sam@example.org.")
    return email


def check_role(value: str) -> Role:
    for role in ROLES:
        if value == role:
            return role
    raise AccountError(f"The role must be presenter, volunteer or admin, not {value!r}.")


def check_password(password: str) -> None:
    """Refuse passwords that are too short (or absurdly long) with one sentence."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"A password can have at most {MAX_PASSWORD} characters.")


def check_links(role: Role, shows: frozenset[str]) -> None:
    if shows and role != "presenter":
        raise AccountError("Only presenters are linked to shows; leave the shows out.")
