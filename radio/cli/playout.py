"""``radio scheduler`` (started by ``radio run``), ``radio asrun export`` and
``radio streamkey new``."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timedelta

from radio.config import Settings
from radio.errors import NotFound, RadioError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sched: argparse.ArgumentParser = sub.add_parser(
        "scheduler", help="run the playout scheduler alone (radio run starts it for you)"
    )
    sched.set_defaults(handler=_scheduler, needs_station=False)
    demo: argparse.ArgumentParser = sub.add_parser(
        "demo-episodes", help="give the demo grid's prerecorded shows their spoken episodes"
    )
    demo.set_defaults(handler=_demo_episodes)

    asrun: argparse.ArgumentParser = sub.add_parser("asrun", help="the as-run log")
    actions = asrun.add_subparsers(dest="asrun_command", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="what aired between two local dates, as CSV")
    export.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD")
    export.add_argument(
        "--to",
        dest="end",
        required=True,
        metavar="YYYY-MM-DD",
        help="first local date not included",
    )
    export.add_argument("--csv", action="store_true", help="CSV output (the only format)")
    export.set_defaults(handler=_export)

    keys: argparse.ArgumentParser = sub.add_parser("streamkey", help="live shows' stream keys")
    key_actions = keys.add_subparsers(dest="streamkey_command", metavar="ACTION", required=True)
    new = key_actions.add_parser(
        "new", help="make a new stream key for a live show and print it (shown only this once)"
    )
    new.add_argument("show", help="the show's slug")
    new.add_argument(
        "--presenter",
        metavar="EMAIL",
        help="the key of this presenter of the show (the others' keys keep working); "
        "without it, the show's own key",
    )
    new.set_defaults(handler=_new_key)


def _date(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RadioError(f"{option} {text!r} is not a date; write it like 2026-11-23.") from None


def _scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from radio.jobs import build_scheduler

    # Started by radio run, its standard input carries Liquidsoap's on-air events.
    events = None if sys.stdin is None or sys.stdin.isatty() else sys.stdin
    return build_scheduler(settings, events).run()


def _demo_episodes(args: argparse.Namespace, settings: Settings) -> int:
    from radio.cli import station_services
    from radio.prepare import make_demo_episodes

    with station_services(settings) as services:
        count = make_demo_episodes(services, services.clock())
    print(f"Made {count} demo episodes for the demo grid's prerecorded shows.")
    return 0


def _export(args: argparse.Namespace, settings: Settings) -> int:
    from radio.cli import station_services
    from radio.playout.asrun import entries, write_csv

    args.start, args.end = _date("--from", args.start), _date("--to", args.end)
    if args.end <= args.start:
        raise RadioError("--to must be after --from (it is the first date not included).")
    tz = settings.tz
    start = datetime.combine(args.start, time(), tz)
    end = datetime.combine(args.end, time(), tz)
    if end - start > timedelta(days=3700):
        raise RadioError("Export at most ten years at a time.")
    with station_services(settings) as services:
        write_csv(entries(services.db, start, end), sys.stdout)
    return 0


def _new_key(args: argparse.Namespace, settings: Settings) -> int:
    from radio.bootstrap import build_services
    from radio.playout.live import SHOW_KEY

    services = build_services(settings)
    show = services.grid.get_show(args.show)
    if show is None or show.kind != "live":
        live = sorted(s.slug for s in services.grid.list_shows() if s.kind == "live")
        raise NotFound(
            f"There is no live show {args.show!r} in the grid; the live shows are: "
            f"{', '.join(live) or 'none'}."
        )
    presenter = SHOW_KEY
    if args.presenter:
        account = services.accounts.by_email(args.presenter)
        if account is None or show.slug not in account.shows:
            raise NotFound(f"{args.presenter} does not present {show.title}.")
        presenter = account.id
    key = services.stream_keys.make(show.slug, presenter)
    print(f"New stream key for {show.title}: {key}")
    print("It is shown only this once; any older key no longer works. Lost it? Make a new one.")
    return 0
