"""``radio media …``: import, list and show the station's media library."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("media", help="the media library")
    parser.add_subparsers(dest="media_command", metavar="ACTION", required=True)
