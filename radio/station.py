"""``radio init`` and ``radio run``: prepare the station, then run it in the foreground.

Start order: programs → data folder and its lock → what an earlier, killed run left running
is ended → ports → database, secrets, station audio, demo seed → Icecast → Liquidsoap →
scheduler → web server. Stop order is the reverse, always (``finally``).
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import signal
import socket
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import IO, Any

from radio import demo, playlists
from radio.bootstrap import Services, build_services, prepare_data_dir
from radio.config import Settings
from radio.credentials import Credentials, load_or_create
from radio.db import Database
from radio.errors import ConfigError
from radio.media.uploads import sweep_temporary
from radio.models import StationState
from radio.playout.asrun import AsRunRecorder
from radio.playout.icecast import icecast_child, write_icecast_config
from radio.playout.scheduler import GATE_LEAD_S, Reconciler, SchedulerProcess
from radio.playout.script import ScriptInputs, render_script
from radio.processes import end_orphan
from radio.supervisor import Child, Supervisor

log = logging.getLogger(__name__)

REQUIRED_PROGRAMS = ("liquidsoap", "icecast2", "ffmpeg", "ffprobe", "espeak-ng")
#: The supervised children, in start order.
CHILDREN = ("icecast", "liquidsoap", "scheduler", "web")
#: StationState key: "pending" from seeding the demo grid until its demo episodes are made.
DEMO_EPISODES = "demo_episodes"


def check_programs() -> None:
    """Refuse to start, in one sentence, when a program the station runs is missing."""
    missing = [p for p in REQUIRED_PROGRAMS if shutil.which(p) is None]
    if missing:
        raise ConfigError(
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed; "
            "run 'make run' (it installs them) or apt-get install them."
        )


def check_ports(settings: Settings) -> None:
    """Refuse to start, in one sentence, when a port the station listens on is taken."""
    for key, host in (
        ("http_port", settings.http_host),
        ("icecast_port", settings.icecast_host),
        ("harbor_port", settings.harbor_host),
    ):
        port = getattr(settings, key)
        if not port_is_free(host, port):
            name = "RADIO_" + key.upper()
            raise ConfigError(
                f"Port {port} on {host} ({key}) is already in use; stop what is using it "
                f"or choose another port with {name}."
            )


def end_orphans(settings: Settings) -> None:
    """End the children an earlier run of this data folder left running (it was killed
    before they could stop, or ran an older version). Only while holding the lock."""
    for name in CHILDREN:
        end_orphan(pid_file(settings, name))


def pid_file(settings: Settings, child: str) -> Path:
    return settings.data_dir / "run" / f"{child}.pid"


def lock_data_dir(settings: Settings) -> IO[str]:
    """Hold the data folder for this station; refuse when another station runs on it.

    Two stations on one folder would overwrite each other's control socket and scripts. The
    lock goes with the process (also when it is killed); keep the returned file open.
    """
    path = settings.data_dir / "run" / "station.lock"
    fp = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(fp, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fp.seek(0)
        holder = fp.read().strip() or "unknown"
        fp.close()
        raise ConfigError(
            f"Another station (pid {holder}) is already running on the data folder "
            f"{settings.data_dir}; stop it first, or set RADIO_DATA_DIR to another folder."
        ) from None
    fp.seek(0)
    fp.truncate()
    fp.write(str(os.getpid()))
    fp.flush()
    return fp


def _wait_port(child: Child, host: str, port: int, timeout_s: float) -> None:
    """Wait until ``child`` listens on ``port`` (or exits, or ``timeout_s`` passes)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and child.running:
        if not port_is_free(host, port):
            return
        time.sleep(0.05)


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def init_station(settings: Settings) -> tuple[Services, Credentials]:
    """Prepare the data folder; a new one becomes the demo station. Safe to repeat."""
    prepare_data_dir(settings)
    services = build_services(settings)
    credentials = load_or_create(settings.data_dir)
    sweep_temporary(services.settings, services.db)
    demo.ensure_emergency_file(settings.media_dir, settings.station_name)
    with services.db.write() as session:
        first_run = session.get(StationState, "initialised") is None
        if first_run:
            session.add(StationState(key="initialised", value=_utc_now().isoformat()))
    if first_run:
        log.info("new data folder %s: making the demo station", settings.data_dir)
        demo.ensure_demo_audio(settings.media_dir, settings.station_name)
    seed_grid(services)
    render_playlists(settings, services.db)
    return services, credentials


def seed_grid(services: Services) -> None:
    """Import the demo grid into an empty database; its episodes are made once on air."""
    if services.grid.seed_if_empty(services.settings.demo_schedule):
        with services.db.write() as session:
            session.merge(StationState(key=DEMO_EPISODES, value="pending"))


def make_demo_episodes(services: Services, now: datetime) -> int:
    """Give each prerecorded show of the demo grid a spoken demo episode; how many attached.

    Each is attached to the show's latest occurrence before ``now`` (shows that opt in replay
    it as a repeat), or its next one when it has not aired yet. An occurrence that already has
    an episode keeps it.
    """
    from datetime import timedelta

    from radio.media.records import Target

    settings = services.settings
    shows = [show for show in services.grid.list_shows() if show.kind == "prerecorded"]
    audio = demo.ensure_demo_episode_audio(settings.media_dir, settings.station_name, shows)
    library = services.library
    attached = 0
    for show in shows:
        past = services.grid.expand(now - timedelta(weeks=10), now, show=show.slug)
        coming = services.grid.expand(now, now + timedelta(days=400), show=show.slug)
        occurrence = past[-1] if past else coming[0] if coming else None
        if occurrence is None or library.episode_for(occurrence.id) is not None:
            continue
        library.ingest(
            audio[show.slug],
            f"{show.slug}-demo-episode.ogg",
            Target(show=show.slug, occurrence_id=occurrence.id),
        )
        attached += 1
    with services.db.write() as session:
        session.merge(StationState(key=DEMO_EPISODES, value="done"))
    return attached


def demo_episodes_pending(services: Services) -> bool:
    with services.db.session() as session:
        state = session.get(StationState, DEMO_EPISODES)
        return state is not None and state.value == "pending"


def expire_uploads(settings: Settings, db: Database | None) -> None:
    """Remove abandoned uploads (nothing received for ``upload_expire_after_h`` hours)."""
    from radio.media.uploads import expire_uploads as expire

    if db is not None:
        expire(settings, db)


def render_playlists(settings: Settings, db: Database | None = None) -> dict[str, Path]:
    """The playlists Liquidsoap reads, with the library's cues and gain on analysed files."""
    measured = analysis_annotations(db, settings.media_dir) if db is not None else {}
    rendered = {}
    for name in playlists.STATION_PLAYLISTS:
        target = settings.data_dir / "playlists" / f"{name}.m3u8"
        count = playlists.render(
            settings.playlists_dir / f"{name}.m3u8", settings.media_dir, target, measured
        )
        if count == 0:
            log.warning("the %s playlist is empty", name)
        rendered[name] = target
    return rendered


def analysis_annotations(db: Database, media_dir: Path) -> dict[str, dict[str, object]]:
    """Absolute path → the cue and gain metadata playout applies, for every analysed item."""
    from sqlalchemy import select

    from radio.media.store import MediaItem

    root = media_dir.resolve()
    with db.session() as session:
        rows = session.execute(
            select(
                MediaItem.path, MediaItem.cue_in_s, MediaItem.cue_out_s, MediaItem.gain_db
            ).where(MediaItem.status == "ready")
        ).all()
    return {
        str(root / path): {
            "liq_cue_in": f"{cue_in:.3f}",
            "liq_cue_out": f"{cue_out:.3f}",
            "liq_amplify": f"{gain:.2f} dB",
        }
        for path, cue_in, cue_out, gain in rows
    }


def write_liquidsoap_script(settings: Settings, credentials: Credentials) -> Path:
    rendered = {
        n: settings.data_dir / "playlists" / f"{n}.m3u8" for n in playlists.STATION_PLAYLISTS
    }
    text = render_script(
        ScriptInputs(
            station_name=settings.station_name,
            socket_path=settings.control_socket.resolve(),
            icecast_host=settings.icecast_host,
            icecast_port=settings.icecast_port,
            icecast_password=credentials.icecast_source_password,
            harbor_host=settings.harbor_host,
            emergency_file=(settings.media_dir / demo.EMERGENCY).resolve(),
            rotation_playlist=rendered["rotation"].resolve(),
            jingles_playlist=rendered["jingles"].resolve(),
            jingle_every=settings.jingle_every,
            harbor_port=settings.harbor_port,
            fade_s=settings.fade_s,
            silence_timeout_s=settings.silence_timeout_s,
            silence_level_db=settings.silence_level_db,
            gate_lead_s=GATE_LEAD_S,
        )
    )
    path = settings.data_dir / "run" / "station.liq"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fp:
        fp.write(text)
    return path


class Station:
    """The running station: children, scheduler and web server, stopped in reverse order."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.supervisor = Supervisor()
        self.services: Services | None = None
        self.scheduler: Any = None
        self._lock: IO[str] | None = None

    def start(self) -> None:
        prepare_data_dir(self.settings)
        self._lock = lock_data_dir(self.settings)
        end_orphans(self.settings)
        check_ports(self.settings)
        self.services, credentials = init_station(self.settings)
        settings = self.settings = self.services.settings  # with the admin's changes
        icecast = write_icecast_config(
            settings.data_dir,
            bind=settings.icecast_host,
            port=settings.icecast_port,
            source_password=credentials.icecast_source_password,
            admin_password=credentials.icecast_admin_password,
            station_name=settings.station_name,
        )
        self.supervisor.start(
            icecast_child(
                icecast, pid_file=pid_file(settings, "icecast"), on_start=self._wait_icecast
            )
        )
        script = write_liquidsoap_script(settings, credentials)
        settings.control_socket.unlink(missing_ok=True)
        services = self.services
        recorder = AsRunRecorder(
            services.db, services.grid.scheduled_at, settings.silence_timeout_s
        )
        self.supervisor.start(
            Child(
                "liquidsoap",
                ["liquidsoap", str(script)],
                on_start=self._wait_liquidsoap,
                on_line=recorder.handle_line,
                pid_file=pid_file(settings, "liquidsoap"),
            )
        )
        self.supervisor.start(
            Child(
                "scheduler",
                [sys.executable, "-m", "radio", "scheduler"],
                pid_file=pid_file(settings, "scheduler"),
            )
        )
        self._start_jobs(recorder)
        # The site is its own process: the engine never imports Flask.
        self.supervisor.start(
            Child(
                "web",
                [sys.executable, "-m", "web", "--migrated"],
                on_start=self._wait_web,
                pid_file=pid_file(settings, "web"),
            )
        )
        if demo_episodes_pending(services):
            threading.Thread(target=self._demo_episodes, name="demo", daemon=True).start()
        log.info(
            "%s is on air: http://%s:%d/stream.mp3 — site http://%s:%d/",
            settings.station_name,
            settings.icecast_host,
            settings.icecast_port,
            settings.http_host,
            settings.http_port,
        )

    def stop(self) -> None:
        started = self.services is not None  # not when a check refused the start
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
        if self.services is not None:
            self.services.liquidsoap.close()
        self.supervisor.stop()
        if self.services is not None:
            self.services.db.dispose()
        if self._lock is not None:
            self._lock.close()  # the data folder is free for the next start
            self._lock = None
        if started:
            log.info("station stopped")

    # -- parts ----------------------------------------------------------------------------

    def _wait_icecast(self, child: Child) -> None:
        _wait_port(child, self.settings.icecast_host, self.settings.icecast_port, 10)

    def _wait_liquidsoap(self, child: Child) -> None:
        assert self.services is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and child.running:
            if self.settings.control_socket.exists():
                self.services.liquidsoap.wait_ready(timeout=max(0.5, deadline - time.monotonic()))
                return
            time.sleep(0.05)

    def _wait_web(self, child: Child) -> None:
        _wait_port(child, self.settings.http_host, self.settings.http_port, 20)

    def _start_jobs(self, recorder: AsRunRecorder) -> None:
        """Jobs of the main process: the playlist files Liquidsoap reads; slot marks in the
        as-run log; removing abandoned uploads."""
        from apscheduler.schedulers.background import BackgroundScheduler

        scheduler = BackgroundScheduler(timezone=UTC)
        scheduler.add_job(
            lambda: recorder.mark_slot(_utc_now()),
            "interval",
            seconds=0.5,
            id="as-run slots",
            max_instances=1,
            coalesce=True,
        )
        scheduler.add_job(
            expire_uploads,
            "interval",
            minutes=10,
            args=[self.settings, self.services.db if self.services else None],
            id="abandoned uploads",
            max_instances=1,
            coalesce=True,
        )
        scheduler.add_job(
            render_playlists,
            "interval",
            seconds=5,
            args=[self.settings, self.services.db if self.services else None],
            id="playlists",
            max_instances=1,
            coalesce=True,
        )
        scheduler.start()
        self.scheduler = scheduler

    def _demo_episodes(self) -> None:
        """Made after the station is on air, so the first audio is not kept waiting."""
        assert self.services is not None
        try:
            count = make_demo_episodes(self.services, _utc_now())
        except Exception:  # the demo's extras must never disturb the station
            log.exception("the demo episodes could not be made")
            return
        log.info("made %d demo episodes for the demo grid's prerecorded shows", count)


def build_scheduler(settings: Settings) -> SchedulerProcess:
    """The playout scheduler process (``radio scheduler``), built from the settings; the
    database is as ``radio run`` migrated it."""
    services = build_services(settings, migrate=False)
    reconciler = Reconciler(
        services.playout,
        services.grid,
        services.library,
        services.stream_keys,
        services.settings,
    )
    return SchedulerProcess(reconciler, services.settings.scheduler_heartbeat, clock=services.clock)


def run_station(settings: Settings) -> int:
    """Run until SIGINT or SIGTERM; every child is stopped before returning."""
    stop = threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s; stopping", signal.Signals(signum).name)
        stop.set()

    check_programs()
    previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    station = Station(settings)
    try:
        station.start()
        while not stop.wait(1.0):
            pass
    finally:
        station.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _utc_now() -> datetime:
    return datetime.now(UTC)
