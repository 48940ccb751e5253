"""``radio logger``: the off-air logger from the command line.

radio logger export --from "2026-12-01 19:00" --to "2026-12-01 20:00" FILE
radio logger gaps [--days N]
radio logger listen-again        (cuts the live shows' recordings that are due)
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from radio.config import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    logger: argparse.ArgumentParser = sub.add_parser(
        "logger", help="the off-air logger: hand over any moment, list its gaps"
    )
    actions = logger.add_subparsers(dest="logger_command", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export",
        help="write what went out between two local times into one file",
        description="Times are the station's local time (timezone setting). The file's "
        "extension picks its format: the logger's own (mp3 by default) is copied without "
        "re-encoding.",
    )
    export.add_argument("--from", dest="start", required=True, metavar='"YYYY-MM-DD HH:MM"')
    export.add_argument("--to", dest="end", required=True, metavar='"YYYY-MM-DD HH:MM"')
    export.add_argument("file", type=Path, metavar="FILE")
    export.set_defaults(handler=_export)
    gaps = actions.add_parser("gaps", help="list the times the logger holds nothing for")
    gaps.add_argument("--days", type=float, default=1.0, help="how far back (default 1 day)")
    gaps.set_defaults(handler=_gaps)
    again = actions.add_parser(
        "listen-again", help="cut the live shows' recordings that are due (the scheduler runs it)"
    )
    again.set_defaults(handler=_listen_again)


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from radio.logger.export import export, gap_sentence, local_time

    start = local_time("--from", args.start, settings.tz)
    end = local_time("--to", args.end, settings.tz)
    done = export(
        settings.logger_dir, start, end, args.file,
        now=datetime.now(UTC), keep_days=settings.logger_keep_days, tz=settings.tz,
        logger_suffix="." + settings.logger_format,
    )  # fmt: skip
    tz = settings.tz
    print(
        f"Wrote {done.path}: {done.start.astimezone(tz):%Y-%m-%d %H:%M:%S} to "
        f"{done.end.astimezone(tz):%H:%M:%S} ({tz.key}), {_clock(done.seconds)} of audio."
    )
    if done.gaps:
        print(gap_sentence(done.gaps, tz), file=sys.stderr)
    return 0


def _gaps(args: argparse.Namespace, settings: Settings) -> int:
    from radio.logger.files import find_gaps, list_files, recording_since

    now = datetime.now(UTC)
    folder = settings.logger_dir
    found = find_gaps(
        list_files(folder), recording_since(folder), now - timedelta(days=args.days), now
    )
    tz = settings.tz
    for gap in found:
        print(
            f"{gap.start.astimezone(tz):%Y-%m-%d %H:%M:%S} to "
            f"{gap.end.astimezone(tz):%Y-%m-%d %H:%M:%S}  ({gap.seconds:.0f} s)"
        )
    if not found:
        print(f"No gaps in the last {args.days:g} day(s).")
    return 0


def _listen_again(args: argparse.Namespace, settings: Settings) -> int:
    from radio.cli import station_services
    from radio.logger.listen_again import ListenAgainService

    with station_services(settings) as services:
        again = ListenAgainService(
            services.settings, services.db, services.grid, services.library, services.clock
        )
        again.mark_due(services.clock())
        made = again.cut_due()
    print(f"Made {made} listen-again recording(s).")
    return 0


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
