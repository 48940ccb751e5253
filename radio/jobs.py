"""The scheduler process: the playout reconciler and the station's other timed jobs.

``radio scheduler`` (started by ``radio run``) runs, under one APScheduler scheduler:

* the :class:`~radio.playout.scheduler.Reconciler` every 0.25 s (with its heartbeat);
* the live mounts read from Liquidsoap every 0.25 s and published in the database for the
  site (:mod:`radio.playout.livemounts`), in a job of their own so the reconciler never waits
  for the database's write lock; what is on air likewise every 0.25 s, and the engine's
  health (Liquidsoap, Icecast, the heartbeat, HLS, the logger) every second
  (:mod:`radio.enginestatus`);
* as-run slot marks every 0.5 s, and the as-run log itself: Liquidsoap's on-air events reach
  this process on its standard input (``radio run`` forwards them);
* the playlists Liquidsoap reads, re-rendered every 5 s (files come and go);
* abandoned uploads removed every 10 minutes;
* the listeners counted on Icecast and the relays every ``listener_sample_s`` (30 s);
* the e-mail outbox sent every 15 s; reminders about missing episodes and notes about
  empty slots and silence queued every minute (when a mail server is set);
* the nightly backup, when a repository is set;
* the off-air logger: files past ``logger_keep_days`` removed every 10 minutes; live slots
  that ended marked for listen again every 5 s, and cut by ``radio logger listen-again``
  in a process of its own (its analysis loads numpy);
* the demo station's spoken episodes, once, in a process of their own (the analysis loads
  numpy; this process stays light).

While the database is not answering, the reconciler airs from the last plan it read and the
jobs that need the database wait; the process says so once (:class:`~radio.db.Outage`),
not with a traceback per job and per tick, and carries on by itself when it answers again.
"""

from __future__ import annotations

import functools
import logging
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from apscheduler.schedulers.base import BaseScheduler

from radio.backup.service import add_nightly_job
from radio.bootstrap import Services, build_services
from radio.config import Settings
from radio.db import UNREACHABLE, Outage
from radio.enginestatus import HEALTH, ON_AIR, StatusPublisher, health_body, on_air_body
from radio.logger.files import remove_expired
from radio.logger.listen_again import ListenAgainService
from radio.mail.watch import Watch
from radio.media.uploads import expire_uploads
from radio.playout.asrun import AsRunRecorder
from radio.playout.livemounts import LivePublisher
from radio.playout.scheduler import Reconciler, SchedulerProcess
from radio.prepare import demo_episodes_pending, render_playlists
from radio.processes import die_with_parent

log = logging.getLogger(__name__)

#: How often the live mounts are read for the site (a presenter sees "connected" this soon).
LIVE_MOUNTS_EVERY_S = 0.25
#: How often what is on air is read for the site (a new title shows this soon, and more).
ON_AIR_EVERY_S = 0.25
#: How often the engine's health is checked for the site's ``/healthz``.
HEALTH_EVERY_S = 1.0


def build_scheduler(settings: Settings, events: IO[str] | None = None) -> SchedulerProcess:
    """The scheduler process, built from the settings; the database is as ``radio run`` (or
    ``radio init``) migrated it. ``events``: Liquidsoap's event lines, for the as-run log."""
    services = build_services(settings, migrate=False)
    reconciler = Reconciler(
        services.playout,
        services.grid,
        services.library,
        services.stream_keys,
        services.settings,
    )
    recorder = AsRunRecorder(
        services.db, services.grid.scheduled_at, services.settings.silence_timeout_s
    )
    if events is not None:
        read_events(events, recorder.handle_line)
    return SchedulerProcess(
        reconciler,
        services.settings.scheduler_heartbeat,
        clock=services.clock,
        jobs=lambda scheduler: add_station_jobs(scheduler, services, recorder),
    )


def needs_database(job: Callable[[], object], outage: Outage) -> Callable[[], None]:
    """``job``, which reads or writes the database: while the database is not answering it
    waits for its next turn, and ``outage`` says so once for the whole process."""

    @functools.wraps(job)
    def run() -> None:
        try:
            job()
        except UNREACHABLE as exc:
            outage.failed(exc)

    return run


def add_station_jobs(scheduler: BaseScheduler, services: Services, recorder: AsRunRecorder) -> None:
    settings = services.settings
    every = {"max_instances": 1, "coalesce": True}

    def with_database(job: Callable[[], object]) -> Callable[[], None]:
        return needs_database(job, services.db.outage)

    scheduler.add_job(
        with_database(lambda: recorder.mark_slot(services.clock())),
        "interval",
        seconds=0.5,
        id="as-run slots",
        **every,
    )
    add_engine_status_jobs(scheduler, services)
    scheduler.add_job(
        with_database(functools.partial(render_playlists, settings, services.db)),
        "interval",
        seconds=5,
        id="playlists",
        **every,
    )
    scheduler.add_job(
        with_database(functools.partial(expire_uploads, settings, services.db)),
        "interval",
        minutes=10,
        id="abandoned uploads",
        **every,
    )
    scheduler.add_job(
        with_database(services.audience.sample),
        "interval",
        seconds=settings.listener_sample_s,
        id="listener figures",
        **every,
    )
    add_mail_jobs(scheduler, services)
    add_logger_jobs(scheduler, services)
    add_nightly_job(scheduler, settings)
    if demo_episodes_pending(services):
        scheduler.add_job(make_demo_episodes_apart, id="demo episodes")


@dataclass(frozen=True)
class EnginePublishers:
    """What the scheduler publishes in the database for the site, each with ``publish(now)``:
    the live mounts, what is on air, and the engine's health."""

    live: LivePublisher
    on_air: StatusPublisher
    health: StatusPublisher


def engine_publishers(services: Services) -> EnginePublishers:
    outage = services.db.outage
    status = services.engine_status
    return EnginePublishers(
        live=LivePublisher(services.liquidsoap.live, services.live_mounts, outage),
        on_air=StatusPublisher(ON_AIR, lambda: on_air_body(services.liquidsoap), status, outage),
        health=StatusPublisher(HEALTH, lambda: health_body(services.health), status, outage),
    )


def add_engine_status_jobs(scheduler: BaseScheduler, services: Services) -> None:
    """The live mounts, what is on air and the engine's health, published for the site (each
    in a job of its own: a slow Icecast never holds up a new title)."""
    every = {"max_instances": 1, "coalesce": True}
    publishers = engine_publishers(services)
    for publisher, seconds, name in (
        (publishers.live, LIVE_MOUNTS_EVERY_S, "live mounts"),
        (publishers.on_air, ON_AIR_EVERY_S, "on air"),
        (publishers.health, HEALTH_EVERY_S, "health"),
    ):
        scheduler.add_job(
            _publishing(publisher, services),
            "interval",
            seconds=seconds,
            id=name,
            **every,
        )


def _publishing(
    publisher: LivePublisher | StatusPublisher, services: Services
) -> Callable[[], None]:
    return lambda: publisher.publish(services.clock())


def add_logger_jobs(scheduler: BaseScheduler, services: Services) -> None:
    """Retention every 10 minutes; listen-again recordings once their live slot ended."""
    settings = services.settings
    every = {"max_instances": 1, "coalesce": True}
    scheduler.add_job(
        lambda: remove_expired(settings.logger_dir, settings.logger_keep_days, services.clock()),
        "interval",
        minutes=10,
        id="logger retention",
        **every,
    )
    again = ListenAgainService(
        settings, services.db, services.grid, services.library, services.clock
    )

    def listen_again() -> None:
        again.mark_due(services.clock())
        if again.due():
            run_apart("logger", "listen-again")

    scheduler.add_job(
        needs_database(listen_again, services.db.outage),
        "interval",
        seconds=5,
        id="listen again",
        **every,
    )


def add_mail_jobs(scheduler: BaseScheduler, services: Services) -> None:
    """Send the outbox every 15 s; queue reminders and notes every minute."""
    if not services.mail.configured:
        return
    every = {"max_instances": 1, "coalesce": True}
    watch = Watch(
        services.settings,
        services.mail,
        services.grid,
        services.library,
        services.accounts,
        clock=services.clock,
    )
    outage = services.db.outage
    scheduler.add_job(
        needs_database(services.mail.send_due, outage),
        "interval",
        seconds=15,
        id="outbox",
        **every,
    )
    scheduler.add_job(
        needs_database(watch.remind, outage), "interval", minutes=1, id="reminders", **every
    )
    scheduler.add_job(
        needs_database(watch.note, outage), "interval", minutes=1, id="notes", **every
    )


def read_events(stream: IO[str], handle: Callable[[str], None]) -> threading.Thread:
    """Hand each line of ``stream`` to ``handle``, in a thread, until the stream ends."""

    def run() -> None:
        for line in stream:
            try:
                handle(line.rstrip("\n"))
            except Exception:  # one bad line must not stop the as-run log
                log.exception("could not record the event %r", line[:200])

    thread = threading.Thread(target=run, name="events", daemon=True)
    thread.start()
    return thread


def make_demo_episodes_apart() -> None:
    """``radio demo-episodes`` as a process of its own (it dies with this one)."""
    run_apart("demo-episodes")


def run_apart(*command: str) -> None:
    """``radio COMMAND…`` as a process of its own (it dies with this one)."""
    done = subprocess.run(
        [sys.executable, "-m", "radio", *command],
        stdin=subprocess.DEVNULL,
        preexec_fn=die_with_parent(),
        check=False,
    )
    if done.returncode != 0:
        log.warning("radio %s failed (exit %s)", " ".join(command), done.returncode)
