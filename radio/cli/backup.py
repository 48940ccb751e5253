"""``radio backup`` and ``radio restore``: the station into a restic repository and back.

radio backup [--init] [--list]
radio restore [SNAPSHOT] --to DIR
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from radio.config import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    backup: argparse.ArgumentParser = sub.add_parser(
        "backup",
        help="back the station up into its restic repository (safe while on air)",
        description="Database, media, secrets, settings file and playlists go into the "
        "restic repository of backup_repository / RESTIC_REPOSITORY; then old snapshots are "
        "pruned (backup_keep_daily/weekly/monthly). Uploads in progress (tmp/) are left out.",
    )
    backup.add_argument(
        "--init", action="store_true", help="make the repository first (once, when it is new)"
    )
    backup.add_argument(
        "--list", action="store_true", help="list the station's snapshots instead of backing up"
    )
    backup.set_defaults(handler=_backup)
    restore: argparse.ArgumentParser = sub.add_parser(
        "restore", help="restore a snapshot into a new, empty data folder"
    )
    restore.add_argument(
        "snapshot", nargs="?", default="latest", metavar="SNAPSHOT",
        help="a snapshot id from 'radio backup --list' (default: latest)",
    )  # fmt: skip
    restore.add_argument(
        "--to", dest="target", type=Path, required=True, metavar="DIR",
        help="a new or empty folder to become the data folder",
    )  # fmt: skip
    restore.set_defaults(handler=_restore, needs_station=False)


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    from radio.backup.restic import Repository
    from radio.backup.service import backup_station

    repository = Repository(settings)
    if args.list:
        for snap in repository.snapshots():
            print(f"{snap.id}  {snap.time[:19].replace('T', ' ')}  {snap.hostname}")
        return 0
    if args.init:
        repository.init()
        print(f"Made the restic repository {repository.location}.")
    result = backup_station(settings)
    if not result.ok:
        print(f"radio: {result.message}", file=sys.stderr)
        return 1
    print(result.message)
    return 0


def _restore(args: argparse.Namespace, settings: Settings) -> int:
    from radio.backup.service import restore_station

    print(restore_station(settings, args.target.resolve(), args.snapshot).message)
    return 0
