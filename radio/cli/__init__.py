"""The ``radio`` command: one entry point, a sub-command per job.

Every failure a person can cause is a :class:`~radio.errors.RadioError` and is printed as one
sentence with a non-zero exit; anything else is logged in full to the data folder's log and
summarised in one sentence too.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from radio.config import Settings, load_settings
from radio.errors import ConfigError, RadioError

if TYPE_CHECKING:
    from radio.bootstrap import Services
from radio.processes import use_private_umask

log = logging.getLogger("radio")

#: A sub-command handler: takes the parsed arguments and settings, returns the exit code.
Handler = Callable[[argparse.Namespace, Settings], int]


def write_output(path: Path, text: str, mode: int) -> None:
    """Write a generated file whole (a half-written one is never left in its place)."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.chmod(mode)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ConfigError(f"Could not write {path} ({exc.strerror}).") from exc


def build_parser() -> argparse.ArgumentParser:
    from radio.cli import (
        backup,
        db,
        grid,
        logger,
        media,
        playout,
        proxy,
        relay,
        service,
        station,
        user,
    )

    parser = argparse.ArgumentParser(
        prog="radio", description="Community radio automation: the station engine."
    )
    parser.add_argument("--config", type=Path, help="a radio.toml to read (default ./radio.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debugging detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    station.register(sub)
    playout.register(sub)
    grid.register(sub)
    media.register(sub)
    user.register(sub)
    backup.register(sub)
    db.register(sub)
    service.register(sub)
    proxy.register(sub)
    relay.register(sub)
    logger.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    use_private_umask()  # before any file is made: the data folder is the station's alone
    parser = build_parser()
    args = parser.parse_args(argv)
    settings: Settings | None = None
    if args.config is not None:
        # Children (the scheduler) read the same file.
        os.environ["RADIO_CONFIG"] = str(args.config.resolve())
    try:
        settings = load_settings(args.config)
        setup_logging("DEBUG" if args.verbose else settings.log_level)
        if getattr(args, "needs_station", True) and not settings.data_dir.is_dir():
            # A mistyped RADIO_DATA_DIR must not quietly become a new, empty station.
            raise ConfigError(
                f"The data folder {settings.data_dir} does not exist; run 'radio init' (or "
                "'make run') to make a station there, or set RADIO_DATA_DIR to the station's "
                "folder."
            )
        handler: Handler = args.handler
        return handler(args, settings)
    except RadioError as exc:
        print(f"radio: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`radio media list --json | head`): not an error to report.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        where = _log_crash(settings)
        print(
            f"radio: unexpected error ({type(exc).__name__}: {exc}); the details are in {where}.",
            file=sys.stderr,
        )
        return 70


@contextmanager
def station_services(settings: Settings) -> Iterator[Services]:
    """The station's services for one command (built by the composition root), closed after."""
    from radio.bootstrap import build_services

    services = build_services(settings)
    try:
        yield services
    finally:
        services.db.dispose()


def setup_logging(level: str) -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")
        )
        root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("apscheduler", "waitress", "alembic", "werkzeug"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def _log_crash(settings: Settings | None) -> str:
    data = settings.data_dir if settings else Path("var")
    path = data / "log" / "crash.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as fp:
            traceback.print_exc(file=fp)
        return str(path)
    except OSError:
        return "(no writable log; run with -v)"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
