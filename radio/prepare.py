"""``radio init``: everything the station needs before its programs start.

The data folder, the database (migrated), secrets, the station's own audio, the demo grid on
a new station, the playlists Liquidsoap reads, and the configurations of Icecast and
Liquidsoap, written with what an admin changed on the site. ``radio run`` runs this as a
process of its own and waits for it, so the supervisor itself never loads the database code.
Safe to repeat.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from radio import demo, playlists
from radio.bootstrap import Services, build_services
from radio.config import Settings
from radio.credentials import FILENAME as credentials_file
from radio.credentials import Credentials, load_or_create
from radio.datadir import prepare_data_dir
from radio.db import Database
from radio.media.records import Target
from radio.media.store import MediaItem
from radio.media.uploads import sweep_temporary
from radio.models import StationState
from radio.playout.icecast import IcecastConfig, write_icecast_config
from radio.playout.scheduler import GATE_LEAD_S
from radio.playout.script import ScriptInputs, render_script

log = logging.getLogger(__name__)

#: StationState key: "pending" from seeding the demo grid until its demo episodes are made.
DEMO_EPISODES = "demo_episodes"


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
            session.add(StationState(key="initialised", value=services.clock().isoformat()))
    if first_run:
        log.info("new data folder %s: making the demo station", settings.data_dir)
        demo.ensure_demo_audio(settings.media_dir, settings.station_name)
    seed_grid(services)
    render_playlists(services.settings, services.db)
    write_icecast(services.settings, credentials)
    write_liquidsoap_script(services.settings, credentials)
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
            secrets_file=(settings.data_dir / credentials_file).resolve(),
            logger_dir=settings.logger_dir.resolve(),
            logger_format=settings.logger_format,
            logger_bitrate=settings.logger_bitrate,
            logger_file_seconds=settings.logger_file_seconds,
            hls_dir=settings.hls_dir.resolve(),
            hls_segment_s=settings.hls_segment_s,
        )
    )
    path = liquidsoap_script_path(settings)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fp:
        fp.write(text)
    return path


def write_icecast(settings: Settings, credentials: Credentials) -> IcecastConfig:
    return write_icecast_config(
        settings.data_dir,
        bind=settings.icecast_host,
        port=settings.icecast_port,
        source_password=credentials.icecast_source_password,
        admin_password=credentials.icecast_admin_password,
        station_name=settings.station_name,
        max_listeners=settings.icecast_max_listeners,
    )


def liquidsoap_script_path(settings: Settings) -> Path:
    return settings.data_dir / "run" / "station.liq"
