"""``radio service install``: run the station as a systemd service (see radio.service).

radio service install [--dry-run] [--user NAME] [--data-dir DIR] [--public-dir DIR]
                      [--unit-dir DIR] [--root DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from radio.config import Settings
from radio.errors import ConfigError
from radio.service import ServiceLayout, Step, plan_install


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    service: argparse.ArgumentParser = sub.add_parser(
        "service", help="run the station as a systemd service"
    )
    actions = service.add_subparsers(dest="action", metavar="ACTION", required=True)
    install: argparse.ArgumentParser = actions.add_parser(
        "install",
        help="make the user, data folder, settings file and unit, and start it (as root)",
        description="Makes a system user, its private data folder, /etc/radio/radio.toml and "
        "the systemd unit radio.service running this install's 'radio run', sandboxed; then "
        "enables and starts it when systemd is running. Safe to repeat.",
    )
    install.add_argument(
        "--dry-run", action="store_true", help="print every step (files, commands); change nothing"
    )
    install.add_argument("--user", default="radio", help="the service's user (default radio)")
    install.add_argument(
        "--data-dir", type=Path, default=Path("/var/lib/radio"), metavar="DIR",
        help="the station's data folder (default /var/lib/radio)",
    )  # fmt: skip
    install.add_argument(
        "--public-dir", type=Path, default=Path("/var/lib/radio-public"), metavar="DIR",
        help="the folder Caddy serves the HLS stream and static API files from, outside the "
        "data folder (default /var/lib/radio-public)",
    )  # fmt: skip
    install.add_argument(
        "--unit-dir", type=Path, default=Path("/etc/systemd/system"), metavar="DIR",
        help="where the unit goes (default /etc/systemd/system)",
    )  # fmt: skip
    install.add_argument(
        "--root", type=Path, metavar="DIR",
        help="write every file under DIR instead of / (no user made, no systemctl)",
    )  # fmt: skip
    install.add_argument(
        "--force", action="store_true", help="replace an existing unit that differs"
    )
    install.set_defaults(handler=_install, needs_station=False)


def _install(args: argparse.Namespace, settings: Settings) -> int:
    for option in ("data_dir", "public_dir", "unit_dir"):
        if not getattr(args, option).is_absolute():
            raise ConfigError(f"--{option.replace('_', '-')} must be an absolute path.")
    if args.public_dir.is_relative_to(args.data_dir) or args.data_dir.is_relative_to(
        args.public_dir
    ):
        raise ConfigError(
            "--public-dir must be outside --data-dir (anyone may read it; the data folder is "
            "the station's alone)."
        )
    if not args.dry_run and args.root is None and os.geteuid() != 0:
        raise ConfigError(
            "Installing the service needs root (it makes a user and writes to /etc); run it "
            "with sudo, or add --dry-run to see what it would do."
        )
    layout = ServiceLayout(
        radio=Path(sys.prefix).absolute() / "bin" / "radio",
        python=Path(sys.executable).resolve(),
        user=args.user,
        data_dir=args.data_dir,
        public_dir=args.public_dir,
        unit_dir=args.unit_dir,
    )
    root = args.root.resolve() if args.root is not None else None
    steps = plan_install(layout, root=root, force=args.force)
    if args.dry_run:
        print("radio service install --dry-run: these steps, nothing changed:")
    for number, step in enumerate(steps, 1):
        _show(number, step, dry_run=args.dry_run)
        if not args.dry_run and step.do is not None:
            step.do()
    if not args.dry_run:
        where = root / layout.unit_file.relative_to("/") if root else layout.unit_file
        print(f"Installed {where}; its log: journalctl -u radio -f")
    return 0


def _show(number: int, step: Step, *, dry_run: bool) -> None:
    print(f"{number}. {step.text}")
    for note in step.notes:
        print(f"   note: {note}")
    if dry_run and step.content:
        for line in step.content.splitlines():
            print(f"   | {line}")
