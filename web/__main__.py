"""``python -m web``: the station's site under waitress (``radio run`` supervises it).

The engine never imports the site: ``radio run`` starts this as a child process, like the
scheduler, with the same settings (``RADIO_CONFIG`` and ``RADIO_*`` are inherited).
"""

from __future__ import annotations

import errno
import logging
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING

from radio.bootstrap import Services
from radio.cli import setup_logging
from radio.config import load_settings
from radio.db import UNREACHABLE, Outage
from radio.errors import RadioError
from radio.processes import use_private_umask

if TYPE_CHECKING:
    from web.public_files import Publisher

log = logging.getLogger("web")

ON_AIR_EVERY_S = 0.5
HEALTH_EVERY_S = 0.5


def keep_fresh(
    services: Services, stop: threading.Event, publisher: Publisher | None = None
) -> list[threading.Thread]:
    """Refresh what is on air and the health report in the background (each in its own
    thread, so a slow read of one never holds up the other), so a request only copies
    what is prepared. Both are read from what the scheduler publishes in the database: the
    site never asks Liquidsoap.
    With a ``publisher``, each change of what is on air is written to its static file and
    sent to the open event streams, and the schedule's static file is kept up to date."""

    def on_air() -> None:
        snapshot = services.on_air.refresh()
        if publisher is not None:
            publisher.now(snapshot)

    threads = [
        _every(ON_AIR_EVERY_S, on_air, "on-air", stop, services.db.outage),
        _every(
            HEALTH_EVERY_S,
            lambda: services.published_health.check(max_age_s=0),
            "health",
            stop,
            services.db.outage,
        ),
    ]
    if publisher is not None:
        from web.public_files import keep_published

        threads.append(keep_published(publisher, stop))
    return threads


def _every(
    seconds: float, job: Callable[[], object], name: str, stop: threading.Event, outage: Outage
) -> threading.Thread:
    def run() -> None:
        while not stop.wait(seconds):
            try:
                job()
            except UNREACHABLE as exc:  # said once for the process
                outage.failed(exc)
            except Exception:  # never let a bad read stop the refresher
                log.exception("could not refresh %s", name)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> int:
    from radio.bootstrap import build_services
    from web import create_app
    from web.events import NowEvents
    from web.public_files import Publisher
    from web.server import make_server

    # ``--migrated``: radio run has brought the database up to date (so no migration code
    # is loaded here); on its own, the site migrates the database as any command does.
    migrated = "--migrated" in (sys.argv[1:] if argv is None else argv)
    use_private_umask()
    try:
        settings = load_settings()
        setup_logging(settings.log_level)
        services = build_services(settings, migrate=not migrated)
        settings = services.settings
        app = create_app(settings, services)
    except RadioError as exc:
        print(f"web: {exc}", file=sys.stderr)
        return 1
    try:
        server = make_server(app, settings.http_host, settings.http_port)
    except OSError as exc:
        advice = (
            "set RADIO_HTTP_PORT to a free port"
            if exc.errno == errno.EADDRINUSE
            else "check http_host and http_port"
        )
        print(
            f"web: The site cannot listen on {settings.http_host}:{settings.http_port} "
            f"({exc.strerror}); {advice}.",
            file=sys.stderr,
        )
        services.db.dispose()
        return 1
    stop = threading.Event()
    events = NowEvents(settings.http_host, settings.events_port_in_use, services.on_air.current)
    events.start()
    keep_fresh(services, stop, Publisher(app, services, events))

    def _on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()
        raise SystemExit(0)  # waitress's loop ends on it and shuts its threads down

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _on_signal)
    log.info("site on http://%s:%d/", settings.http_host, settings.http_port)
    try:
        server.run()
    finally:
        stop.set()
        events.stop()
        services.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
