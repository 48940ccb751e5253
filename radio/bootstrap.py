"""The composition root: the one place that turns settings into working parts.

:func:`build_services` builds every adapter and service once, into a typed :class:`Services`:
the database, the grid, the media library and uploads, published episodes, the change log,
accounts, stream keys, the live mounts as published, the e-mail outbox, Liquidsoap (client and
:class:`~radio.playout.playout.Playout`), what is on air and health (checked by the scheduler,
read by the site from what it published), and one clock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from radio.accounts.passwords import Passwords
from radio.accounts.service import AccountService
from radio.accounts.station import StationSettingsStore, apply
from radio.accounts.throttle import LoginThrottle, RequestThrottle
from radio.audience import Audience
from radio.backup.service import last_backup
from radio.changelog import ChangeLog
from radio.clock import Clock, system_clock
from radio.config import Settings
from radio.datadir import prepare_data_dir
from radio.db import Database
from radio.enginestatus import EngineStatus, PublishedHealth, PublishedOnAir
from radio.grid.model import Occurrence
from radio.grid.service import GridService
from radio.health import HealthMonitor
from radio.jsontypes import JSON
from radio.logger.files import check as check_logger
from radio.mail.outbox import Outbox
from radio.mail.smtp import SmtpSender
from radio.media.library import MediaLibrary
from radio.media.published import EpisodeArchive, PublishedEpisodes
from radio.media.uploads import Uploads
from radio.onair import NowPlaying, OnAirTracker
from radio.playout.asrun import episode_aired, open_incidents
from radio.playout.liquidsoap import LiquidsoapClient, LiquidsoapPlayout
from radio.playout.live import StreamKeys
from radio.playout.livemounts import LiveMounts
from radio.playout.scheduler import heartbeat_age
from radio.playout.script import HLS_PLAYLIST
from radio.proposals.service import ProposalService

log = logging.getLogger(__name__)

#: The scheduler counts as down when its heartbeat is older than this (it ticks every 0.25 s).
HEARTBEAT_MAX_S = 5.0


def open_database(settings: Settings) -> Database:
    """The station database, migrated to the newest schema."""
    prepare_data_dir(settings)
    db = Database(settings.database_url_in_use)
    db.migrate()
    return db


@dataclass(frozen=True)
class Services:
    """Every service of the station, built once by :func:`build_services`.

    The CLI, the scheduler, ``radio run`` and the site (``create_app(settings, services)``)
    all take what they need from here. Tests build it with :func:`build_services` and swap
    a part for a fake with :func:`dataclasses.replace`.
    """

    settings: Settings
    clock: Clock
    db: Database
    #: What an admin changed on the site (laid over ``settings`` when it was built).
    station_settings: StationSettingsStore
    grid: GridService
    library: MediaLibrary
    uploads: Uploads
    published: EpisodeArchive
    changelog: ChangeLog
    accounts: AccountService
    throttle: LoginThrottle
    #: Requests for a password reset link (per address and per client).
    reset_throttle: RequestThrottle
    mail: Outbox
    stream_keys: StreamKeys
    #: The live mounts as the scheduler publishes them (what the site reads, never the socket).
    live_mounts: LiveMounts
    #: What the scheduler publishes of the engine (what is on air, its health).
    engine_status: EngineStatus
    liquidsoap: LiquidsoapClient
    playout: LiquidsoapPlayout
    #: What is on air, for the site: read from what the scheduler published.
    on_air: NowPlaying
    #: The engine's health, checked where the engine runs (the scheduler publishes it).
    health: HealthMonitor
    #: ``/healthz``: the published engine health and the site's own checks.
    published_health: PublishedHealth
    #: Open slots and show proposals (the grid, decided together).
    proposals: ProposalService
    #: Proposals sent from /get-involved (per address and per visitor).
    proposal_throttle: RequestThrottle
    #: Listener figures, sampled from Icecast and the relays.
    audience: Audience


def _last_backup(settings: Settings) -> dict[str, JSON] | None:
    found = last_backup(settings.data_dir)
    return found.to_json() if found is not None else None


def build_services(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    passwords: Passwords | None = None,
    migrate: bool = True,
) -> Services:
    """Every service for ``settings``, with what an admin changed on the site laid over them.

    ``clock`` is the one clock every service reads; ``passwords`` the password hasher
    (tests give a cheap one). ``migrate=False`` opens the database as it is (the scheduler
    and the site, started after ``radio run`` migrated it).
    """
    db = open_database(settings) if migrate else Database(settings.database_url_in_use)
    station_settings = StationSettingsStore(db)
    settings = apply(settings, station_settings.load())
    grid = GridService(db, settings.tz, clock=clock)
    library = MediaLibrary(settings, db, slots=grid, clock=clock)
    liquidsoap = LiquidsoapClient(settings.control_socket, timeout=3.0)

    def next_after(at: datetime) -> Occurrence | None:
        found = grid.next_occurrences(at, 1)
        return found[0] if found else None

    audience = Audience(db, settings, clock=clock)
    health = HealthMonitor(
        liquidsoap,
        settings.icecast_host,
        settings.icecast_port,
        # The scheduler is another process: alive while it keeps touching its heartbeat.
        scheduler_alive=lambda: heartbeat_age(settings.scheduler_heartbeat) < HEARTBEAT_MAX_S,
        logger=lambda liquidsoap_up: check_logger(
            settings.logger_dir,
            keep_days=settings.logger_keep_days,
            bitrate_kbps=settings.logger_bitrate,
            now=clock(),
            liquidsoap_up=liquidsoap_up,
        ),
        hls_playlist=settings.hls_dir / HLS_PLAYLIST,
        hls_max_age_s=max(20.0, 4 * settings.hls_segment_s),
        relays=audience.relay_problems,
    )
    engine_status = EngineStatus(db)
    changelog = ChangeLog(db)
    accounts = AccountService(db, passwords=passwords, clock=clock)
    mail = Outbox(
        db, SmtpSender(settings) if settings.smtp_host else None, settings.mail_from, clock=clock
    )
    return Services(
        settings=settings,
        clock=clock,
        db=db,
        station_settings=station_settings,
        grid=grid,
        library=library,
        uploads=Uploads(library, clock=clock),
        published=PublishedEpisodes(db, settings.media_dir),
        changelog=changelog,
        accounts=accounts,
        throttle=LoginThrottle(db),
        reset_throttle=RequestThrottle(
            db, "reset", per_email=3, per_client=10, window=timedelta(hours=1)
        ),
        mail=mail,
        stream_keys=StreamKeys(db),
        live_mounts=LiveMounts(db),
        engine_status=engine_status,
        liquidsoap=liquidsoap,
        playout=LiquidsoapPlayout(liquidsoap),
        audience=audience,
        on_air=OnAirTracker(
            PublishedOnAir(engine_status, clock=clock),
            settings.station_name,
            slot_at=grid.scheduled_at,
            next_after=next_after,
            aired=lambda occurrence_id: episode_aired(db, occurrence_id),
            listeners=audience.latest,
            clock=clock,
            database=db.outage,
        ),
        health=health,
        published_health=PublishedHealth(
            engine_status,
            incidents=lambda: open_incidents(db),
            backup=lambda: _last_backup(settings),
            clock=clock,
            database=db.outage,
        ),
        proposals=ProposalService(db, grid, accounts, mail, changelog, settings, clock=clock),
        proposal_throttle=RequestThrottle(
            db, "proposal", per_email=3, per_client=5, window=timedelta(hours=1)
        ),
    )
