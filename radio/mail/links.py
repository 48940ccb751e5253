"""Invitation and password reset links by e-mail (the site, the CLI and "Forgot password?")."""

from __future__ import annotations

import logging

from radio.accounts.model import ROLE_NAMES, Account, AccountError, normalise_email
from radio.accounts.service import AccountService, Purpose
from radio.config import Settings
from radio.mail import messages
from radio.mail.outbox import Outbox

log = logging.getLogger(__name__)


def link_for(settings: Settings, kind: Purpose, token: str) -> str:
    """The absolute address of an invitation or reset link."""
    return f"{settings.site_url}/{kind}/{token}"


def queue_link(
    outbox: Outbox, settings: Settings, account: Account, kind: Purpose, token: str
) -> int | None:
    """Queue the e-mail carrying a link; its outbox id (None: e-mail is not set up)."""
    link = link_for(settings, kind, token)
    if kind == "invite":
        role = ROLE_NAMES[account.role].lower()
        mail = messages.invitation(settings.station_name, link, role)
    else:
        mail = messages.password_reset(settings.station_name, link)
    return outbox.queue(account.email, mail.subject, mail.body)


def request_reset(accounts: AccountService, outbox: Outbox, settings: Settings, email: str) -> None:
    """Someone asked for a reset link for ``email`` on the "Forgot password?" page.

    An account that may have one gets it by e-mail (an invitation if it never set a
    password); otherwise nothing happens. The caller's answer is the same either way.
    """
    try:
        account = accounts.by_email(normalise_email(email))
    except AccountError:
        account = None
    if account is None or account.disabled:
        log.info("reset link asked for %r: no such account (or disabled), nothing sent", email)
        return
    token = accounts.reset_link(account.id)
    queue_link(outbox, settings, account, "reset" if account.has_password else "invite", token)
