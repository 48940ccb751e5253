"""``radio db copy --to URL``: move the station's database to another one (e.g. PostgreSQL).

radio db copy --to postgresql://radio:secret@localhost/radio
"""

from __future__ import annotations

import argparse

from radio.config import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("db", help="the station's database")
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    copy = actions.add_parser(
        "copy",
        help="copy the station's database into a new, empty one (all or nothing)",
        description="Copy every row of the station's database (database_url, by default the "
        "SQLite file in the data folder) into a new, empty database, e.g. PostgreSQL: the "
        "target gets the newest schema, then all rows in one transaction, or none. Stop the "
        "station first, then set database_url to the new address.",
    )
    copy.add_argument(
        "--to", required=True, metavar="URL",
        help="the database to fill, e.g. postgresql://radio:secret@localhost/radio",
    )  # fmt: skip
    copy.set_defaults(handler=_copy)


def _copy(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy.exc import ArgumentError

    from radio.bootstrap import open_database
    from radio.db import Database
    from radio.dbcopy import copy_database
    from radio.errors import ConfigError

    try:
        target = Database(args.to)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise ConfigError(
            f"--to {args.to!r} is not a database address such as "
            f"postgresql://radio:secret@localhost/radio ({exc})."
        ) from None
    source = open_database(settings)
    try:
        done = copy_database(source, target)
    finally:
        source.dispose()
        target.dispose()
    print(
        f"Copied {done.rows} rows in {done.tables} tables from {source.where} to {done.target}; "
        f"set database_url to that address (and restart the station) to use it."
    )
    return 0
