"""Password hashing with argon2id (argon2-cffi); the adapter keeps the library at the edge."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Passwords:
    """Hash and check passwords. Tests may pass a cheaper :class:`PasswordHasher`."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        # Checked against when an e-mail address is unknown, so that the answer takes as
        # long as for a known one and does not tell who has an account.
        self._dummy = self.hasher.hash("not a real password")

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self.hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        try:
            return self.hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True


def cheap_hasher() -> PasswordHasher:
    """Fast, weak parameters for tests only."""
    return PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
