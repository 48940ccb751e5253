"""``radio grid …``: check, import, export and expand the programme grid."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("grid", help="the programme grid")
    parser.add_subparsers(dest="grid_command", metavar="ACTION", required=True)
