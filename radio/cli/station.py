"""``radio run`` and ``radio init``: start the station, or prepare its data folder."""

from __future__ import annotations

import argparse

from radio.config import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run: argparse.ArgumentParser = sub.add_parser(
        "run", help="run the station in the foreground (Icecast, Liquidsoap, scheduler, web)"
    )
    run.set_defaults(handler=_run, needs_station=False)
    init: argparse.ArgumentParser = sub.add_parser(
        "init", help="prepare the data folder (database, secrets, demo station) and exit"
    )
    init.set_defaults(handler=_init, needs_station=False)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from radio.station import run_station

    return run_station(settings)


def _init(args: argparse.Namespace, settings: Settings) -> int:
    from radio.prepare import init_station

    services, _ = init_station(settings)
    services.db.dispose()
    return 0
