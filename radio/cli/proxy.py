"""``radio proxy config``: Caddy's configuration for the station's one public HTTPS address.

radio proxy config [FILE | -] [--internal-tls]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from radio.config import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "proxy", help="put the station behind Caddy at public_url (HTTPS)"
    )
    actions = parser.add_subparsers(dest="proxy_command", metavar="ACTION", required=True)
    config = actions.add_parser(
        "config",
        help="write the Caddyfile for public_url",
        description="The site and the two Icecast mounts at public_url (which must be https), "
        "with HSTS; Icecast's admin pages stay private. Caddy gets the certificate itself.",
    )
    config.add_argument(
        "output", nargs="?", default="-", metavar="FILE",
        help="where to write it (default -, standard output)",
    )  # fmt: skip
    config.add_argument(
        "--internal-tls", action="store_true",
        help="for tests and local tries: Caddy's own authority signs the certificate, "
        "no HTTP redirect, no admin endpoint",
    )  # fmt: skip
    config.set_defaults(handler=_config, needs_station=False)


def _config(args: argparse.Namespace, settings: Settings) -> int:
    from radio.cli import write_output
    from radio.proxy import plan_proxy, render_caddyfile

    plan = plan_proxy(settings, internal_tls=args.internal_tls)
    text = render_caddyfile(plan, settings.station_name)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        write_output(Path(args.output), text, 0o644)  # Caddy runs as its own user
        print(f"Wrote {args.output}; start Caddy with it (e.g. 'systemctl reload caddy').")
    _note_closed_public_dir(settings, plan.public_dir)
    return 0


def _note_closed_public_dir(settings: Settings, public_dir: str) -> None:
    from radio.proxy import closed_to_caddy

    closed = closed_to_caddy(settings)
    if closed is not None:
        print(
            f"note: Caddy's user cannot enter {closed}, so it cannot serve the HLS stream and "
            f"the static API files from public_dir ({public_dir}); the site answers them "
            "instead. Set public_dir outside the data folder, open to all, as 'radio service "
            "install' does (/var/lib/radio-public).",
            file=sys.stderr,
        )
