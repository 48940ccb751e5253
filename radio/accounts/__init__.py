"""Accounts: presenters, grid volunteers and admins, and what each may reach.

=================  ==========================================================================
``model``          :class:`Account`, roles, access rules (``presents``, ``edits_grid``, …)
``passwords``      argon2id hashing (argon2-cffi)
``throttle``       :class:`LoginThrottle`: failed logins per address and client together,
                   with growing waits; :class:`RequestThrottle` for reset link requests
``store``          tables ``accounts``, ``account_shows``, ``account_tokens``
``service``        :class:`AccountService`: add, invite, reset links, authenticate, change
``station``        station settings an admin changes from the web (name, zone, stream)
=================  ==========================================================================

Using it::

    from radio.accounts.service import AccountService

    accounts = AccountService(db)
    account = accounts.add("sam@example.org", "presenter", password, shows=["morning-coffee"])
    account, token = accounts.invite("kim@example.org", "volunteer")   # link: /invite/<token>
    accounts.authenticate(email, password)   # -> Account | None (None for disabled too)
    account.presents("morning-coffee"); account.edits_grid; account.is_admin

Sessions on the web site name an account by ``"<id>.<epoch>"``; the epoch moves when the
person logs out or the password, the role or the disabled flag changes, which ends every
session of that account (:meth:`AccountService.end_sessions`).
"""

from radio.accounts.model import ROLES, Account, AccountError, Role, TokenInvalid

__all__ = ["ROLES", "Account", "AccountError", "Role", "TokenInvalid"]
