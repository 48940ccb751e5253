"""``radio user …``: add, invite and list the people who use the station's web site.

A contract (scripts rely on it)::

    radio user add EMAIL --role presenter|volunteer|admin [--show SLUG]... --password-stdin
    radio user invite EMAIL --role presenter|volunteer|admin [--show SLUG]...   # mails or prints
    radio user reset EMAIL                                                     # the link
    radio user list

With a mail server set (``smtp_host``), ``invite`` and ``reset`` e-mail the link; without one,
or when the server cannot take it now, they print it (a message that could not go stays in
the outbox, and the station's scheduler sends it once the server answers).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from radio.accounts.model import ROLES, Account, AccountError, check_role, normalise_email
from radio.accounts.service import Purpose
from radio.cli import station_services
from radio.config import Settings
from radio.errors import NotFound
from radio.mail.links import link_for, queue_link

if TYPE_CHECKING:
    from radio.bootstrap import Services


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "user", help="accounts of presenters, volunteers and admins"
    )
    actions = parser.add_subparsers(dest="user_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add an account with a password read from stdin")
    _who(add)
    add.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of standard input",
    )
    add.set_defaults(handler=_add)

    invite = actions.add_parser(
        "invite", help="invite someone: prints a one-time link to set their password"
    )
    _who(invite)
    invite.set_defaults(handler=_invite)

    reset = actions.add_parser("reset", help="print a one-time password reset link")
    reset.add_argument("email", metavar="EMAIL")
    reset.set_defaults(handler=_reset)

    listing = actions.add_parser("list", help="list the accounts")
    listing.set_defaults(handler=_list)


def _who(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("email", metavar="EMAIL")
    parser.add_argument("--role", required=True, choices=ROLES)
    parser.add_argument(
        "--show",
        dest="shows",
        action="append",
        default=[],
        metavar="SLUG",
        help="a show this presenter looks after (repeat for more)",
    )
    parser.add_argument("--name", default="", help="the name to show on the site")


def _add(args: argparse.Namespace, settings: Settings) -> int:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise AccountError("Give the password on the first line of standard input.")
    with station_services(settings) as services:
        _check_shows(services, args.shows)
        before = _shows_of(services, args.email)
        account = services.accounts.add(
            args.email, check_role(args.role), password, args.shows, name=args.name
        )
        _record_links(services, account, before)
    print(f"Added {account.email} as {account.role}{_shows(account.shows)}.")
    return 0


def _invite(args: argparse.Namespace, settings: Settings) -> int:
    with station_services(settings) as services:
        _check_shows(services, args.shows)
        before = _shows_of(services, args.email)
        account, token = services.accounts.invite(
            args.email, check_role(args.role), args.shows, name=args.name
        )
        _record_links(services, account, before)
        print(f"Invited {account.email} as {account.role}{_shows(account.shows)}.")
        if _mailed(services, account, "invite", token):
            return 0
    print("Send them this link; it works once, for 7 days:")
    print(link_for(services.settings, "invite", token))
    return 0


def _reset(args: argparse.Namespace, settings: Settings) -> int:
    with station_services(settings) as services:
        account = services.accounts.by_email(normalise_email(args.email))
        if account is None:
            raise NotFound(f"There is no account for {args.email}; see 'radio user list'.")
        token = services.accounts.reset_link(account.id)
        kind: Purpose = "reset" if account.has_password else "invite"
        if _mailed(services, account, kind, token):
            return 0
    print(f"Password {kind} link for {account.email}; it works once:")
    print(link_for(services.settings, kind, token))
    return 0


def _mailed(services: Services, account: Account, kind: Purpose, token: str) -> bool:
    """E-mail the link now, if a mail server is set; did the server take it?"""
    queued = queue_link(services.mail, services.settings, account, kind, token)
    if queued is None:
        return False
    what = "The invitation" if kind == "invite" else "The password reset link"
    if services.mail.send_due(only=queued):
        print(f"{what} is on its way to {account.email} by e-mail.")
        return True
    print(
        f"{what} could not be e-mailed now (see the log); it stays queued and the station "
        "sends it when the mail server answers."
    )
    return False


def _list(args: argparse.Namespace, settings: Settings) -> int:
    with station_services(settings) as services:
        accounts = services.accounts.list_accounts()
    if not accounts:
        print("No accounts yet; add one with 'radio user add' or 'radio user invite'.")
        return 0
    width = max(len(a.email) for a in accounts)
    for a in accounts:
        state = "disabled" if a.disabled else ("active" if a.has_password else "invited")
        shows = ", ".join(sorted(a.shows))
        print(f"{a.email:<{width}}  {a.role:<9}  {state:<8}  {shows}".rstrip())
    return 0


def _shows_of(services: Services, email: str) -> frozenset[str]:
    try:
        found = services.accounts.by_email(normalise_email(email))
    except AccountError:
        return frozenset()  # the service refuses the address itself, with its own sentence
    return frozenset(found.shows) if found else frozenset()


def _record_links(services: Services, account: Account, before: frozenset[str]) -> None:
    """Linking a presenter to a show is a grid change: the public change log shows it."""
    from radio.changelog import presenter_changes

    def title_of(slug: str) -> str:
        show = services.grid.get_show(slug)
        return show.title if show else slug

    for slug, what in presenter_changes(account.public_name, account.shows, before, title_of):
        services.changelog.record(
            at=services.clock(), who="the station's command line", what=what, show=slug
        )


def _check_shows(services: Services, shows: Sequence[str]) -> None:
    for slug in shows:
        if services.grid.get_show(slug) is None:
            known = ", ".join(s.slug for s in services.grid.list_shows()) or "none yet"
            raise NotFound(f"There is no show {slug!r} in the grid; the shows are: {known}.")


def _shows(shows: frozenset[str]) -> str:
    return f" for {', '.join(sorted(shows))}" if shows else ""
