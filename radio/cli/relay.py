"""``radio relay config``: an Icecast configuration for a relay server.

radio relay config --master http://station:8000 [FILE | -] [--port N] [--bind ADDR] ...
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from radio.config import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "relay", help="more Icecast servers that serve the station's listeners"
    )
    actions = parser.add_subparsers(dest="relay_command", metavar="ACTION", required=True)
    config = actions.add_parser(
        "config",
        help="write icecast.xml for a relay server",
        description="An icecast.xml for another machine's Icecast that pulls the station's "
        "mounts (Icecast's own relay, as a listener: no station password) and serves them. "
        "Then list the relay's address in the station's relays setting.",
    )
    config.add_argument(
        "output", nargs="?", default="-", metavar="FILE",
        help="where to write it (default -, standard output)",
    )  # fmt: skip
    config.add_argument(
        "--master", required=True, metavar="URL",
        help="the station's Icecast as the relay reaches it, e.g. http://radio.example.org:8000",
    )  # fmt: skip
    config.add_argument("--port", type=int, default=8000, help="the relay's port (8000)")
    config.add_argument("--bind", default="0.0.0.0", help="the relay's listening address (0.0.0.0)")
    config.add_argument("--hostname", default="", help="the relay's public host name")
    config.add_argument(
        "--log-dir", type=Path, default=Path("/var/log/icecast2"),
        help="Icecast's log folder on the relay (/var/log/icecast2)",
    )  # fmt: skip
    config.add_argument(
        "--clients", type=int, default=2000, help="listeners the relay takes at most (2000)"
    )
    config.set_defaults(handler=_config, needs_station=False)


def _config(args: argparse.Namespace, settings: Settings) -> int:
    from radio.cli import write_output
    from radio.relay import parse_master, render_relay

    text = render_relay(
        parse_master(args.master),
        station_name=settings.station_name,
        port=args.port,
        bind=args.bind,
        hostname=args.hostname,
        logdir=args.log_dir,
        clients=args.clients,
    )
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    path = Path(args.output)
    write_output(path, text, 0o640)  # its admin password is inside
    print(
        f"Wrote {path} (its admin password is inside); on the relay: icecast2 -c {path}, "
        "then add the relay's address to the station's relays setting."
    )
    return 0
