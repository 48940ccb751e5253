"""A playout rig on the real stack: Icecast, Liquidsoap and the real scheduler's Reconciler
(with its heartbeat, and its publishers of the live mounts, what is on air and the engine's
health, which the site reads).

Used by the playout tests and by ``bench/slot_timing.py``. The grid is a real stored grid
with slots a few seconds long; episodes are generated tones (a distinct frequency per item)
served through the :class:`~radio.playout.plan.EpisodeLookup` interface.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from radio.bootstrap import build_services
from radio.config import Settings
from radio.credentials import load_or_create
from radio.errors import LiquidsoapError
from radio.health import MOUNTS, icecast_mounts
from radio.jobs import engine_publishers
from radio.playout.asrun import AsRunEntry, AsRunRecorder, entries
from radio.playout.icecast import icecast_child, write_icecast_config
from radio.playout.liquidsoap import LiquidsoapClient, LiquidsoapPlayout
from radio.playout.plan import Playable
from radio.playout.scheduler import Reconciler
from radio.prepare import render_playlists, write_liquidsoap_script
from radio.station import LIQUIDSOAP_NICE
from radio.supervisor import Child, Supervisor
from tests.support import free_port, pcm_command, require, wait_for


def tone(path: Path, freq: float, seconds: float) -> Path:
    """A sine tone file (Ogg Vorbis, stereo 44.1 kHz)."""
    if not path.exists():
        subprocess.run(
            [
                require("ffmpeg"),
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency={freq}:sample_rate=44100:duration={seconds}",
                "-af",
                "volume=0.5,pan=stereo|c0=c0|c1=c0",
                "-c:a",
                "libvorbis",
                "-q:a",
                "2",
                str(path),
            ],
            check=True,
        )
    return path


def steps(path: Path, base: float, step: float, count: int) -> Path:
    """A file whose frequency rises by ``step`` Hz every second: its position is audible."""
    if not path.exists():
        parts = "".join(f"sine=frequency={base + k * step}:duration=1[s{k}];" for k in range(count))
        joined = "".join(f"[s{k}]" for k in range(count))
        subprocess.run(
            [
                require("ffmpeg"),
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-filter_complex",
                f"{parts}{joined}concat=n={count}:v=0:a=1,volume=0.5,pan=stereo|c0=c0|c1=c0",
                "-c:a",
                "libvorbis",
                "-q:a",
                "2",
                str(path),
            ],
            check=True,
        )
    return path


class Episodes:
    """An in-memory episode library: occurrence id → :class:`Playable`."""

    def __init__(self) -> None:
        self.by_occurrence: dict[str, Playable] = {}
        #: show → its latest episode, for shows that replay it in an empty slot.
        self.latest: dict[str, Playable] = {}
        self.made = 0  # item ids handed out

    def add(self, occurrence_id: str, path: Path, duration_s: float, title: str) -> None:
        self.by_occurrence[occurrence_id] = self.playable(path, duration_s, title)

    def playable(self, path: Path, duration_s: float, title: str) -> Playable:
        self.made += 1
        return Playable(
            item_id=self.made,
            path=path,
            title=title,
            artist="Rig",
            duration_s=duration_s,
            cue_in_s=0.0,
            cue_out_s=duration_s,
            gain_db=0.0,
        )

    def episode_for(self, occurrence_id: str) -> Playable | None:
        return self.by_occurrence.get(occurrence_id)

    def latest_episode(self, show: str, before: datetime) -> Playable | None:
        return self.latest.get(show)


@dataclasses.dataclass
class Rig:
    settings: Settings
    supervisor: Supervisor
    reconciler: Reconciler
    episodes: Episodes
    events: list[dict[str, str]]
    stop_ticking: threading.Event

    def import_grid(self, toml: str) -> None:
        self.reconciler.grid.import_grid(io.StringIO(toml), "rig.toml")

    def as_run(self) -> list[AsRunEntry]:
        far = datetime.now(UTC) + timedelta(days=1)
        return entries(self.reconciler.grid.db, datetime(2000, 1, 1, tzinfo=UTC), far)

    @property
    def mp3(self) -> str:
        return f"http://127.0.0.1:{self.settings.icecast_port}/stream.mp3"

    @property
    def liquidsoap(self) -> LiquidsoapClient:
        """The control-socket client the rig's reconciler drives."""
        playout = self.reconciler.playout
        assert isinstance(playout, LiquidsoapPlayout)
        return playout.client

    def liquidsoap_pid(self) -> int | None:
        for child in self.supervisor.children:
            if child.name == "liquidsoap" and child.process and child.process.poll() is None:
                return child.process.pid
        return None


def local(dt: datetime, settings: Settings) -> datetime:
    return dt.astimezone(settings.tz)


def once_slot(
    show: str, kind: str, start: datetime, seconds: int, settings: Settings, extra: str = ""
) -> str:
    """TOML for a show with one one-off slot at ``start`` (to the second); ``extra`` lines
    go in the show's table."""
    at = local(start, settings)
    return (
        f'[[show]]\nslug = "{show}"\ntitle = "{show.replace("-", " ").title()}"\n'
        f'kind = "{kind}"\n{extra}\n[[show.slot]]\nid = "once"\nrepeat = "once"\n'
        f'date = {at.date().isoformat()}\nstart = "{at.strftime("%H:%M:%S")}"\n'
        f'duration = "{seconds}s"\n\n'
    )


@contextmanager
def start_rig(base: Path, demo_media: Path, **overrides: object) -> Iterator[Rig]:
    for program in ("liquidsoap", "icecast2", "ffmpeg"):
        require(program)
    data = base / "var"
    if not (data / "media").exists():
        shutil.copytree(demo_media, data / "media")
    settings = Settings(
        data_dir=data,
        http_port=free_port(),
        icecast_port=free_port(),
        harbor_port=free_port(),
        **overrides,  # type: ignore[arg-type]
    )
    services = build_services(settings)
    credentials = load_or_create(data)
    render_playlists(settings, services.db)
    icecast = write_icecast_config(
        data,
        bind="127.0.0.1",
        port=settings.icecast_port,
        source_password=credentials.icecast_source_password,
        admin_password=credentials.icecast_admin_password,
        station_name="Rig",
    )
    script = write_liquidsoap_script(settings, credentials)
    events: list[dict[str, str]] = []
    recorder = AsRunRecorder(services.db, services.grid.scheduled_at, settings.silence_timeout_s)
    recorder.listeners.append(events.append)
    supervisor = Supervisor()
    supervisor.start(icecast_child(icecast))
    settings.control_socket.unlink(missing_ok=True)
    supervisor.start(
        Child(
            "liquidsoap",
            ["liquidsoap", str(script)],
            on_line=recorder.handle_line,
            nice=LIQUIDSOAP_NICE,  # as radio run starts it
        )
    )
    episodes = Episodes()
    reconciler = Reconciler(
        LiquidsoapPlayout(services.liquidsoap),
        services.grid,
        episodes,
        services.stream_keys,
        settings,
    )
    publishers = engine_publishers(services)
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(0.25):
            try:
                recorder.mark_slot(datetime.now(UTC))
                reconciler.reconcile(datetime.now(UTC))
                settings.scheduler_heartbeat.touch()
            except LiquidsoapError as exc:  # Liquidsoap restarting; the next tick retries
                logging.getLogger(__name__).warning("reconcile: %s", exc)
            except Exception:
                logging.getLogger(__name__).exception("reconcile failed")
            # As the scheduler's jobs of their own do:
            publishers.live.publish(datetime.now(UTC))
            publishers.on_air.publish(datetime.now(UTC))

    def check_health() -> None:  # the scheduler's health job, every second
        while not stop.wait(1.0):
            publishers.health.publish(datetime.now(UTC))

    rig = Rig(settings, supervisor, reconciler, episodes, events, stop)
    ticker: threading.Thread | None = None
    checker: threading.Thread | None = None
    try:
        wait_for(settings.control_socket.exists, 30, "Liquidsoap's socket")
        services.liquidsoap.wait_ready()
        wait_for(lambda: any(e.get("event") == "track" for e in events), 20, "first track")
        # The first track can start before both outputs have connected to Icecast (on a busy
        # machine the MP3 encoder's output connects seconds after the Ogg one): a test
        # listening at once would get Icecast's 404.
        wait_for(lambda: mounts_up(settings), 30, "the MP3 and Ogg mounts on Icecast")
        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()
        checker = threading.Thread(target=check_health, daemon=True)
        checker.start()
        yield rig
    finally:
        stop.set()
        for thread in (ticker, checker):
            if thread is not None:
                thread.join(timeout=10)
        services.liquidsoap.close()
        supervisor.stop()
        services.db.dispose()


def dominant(
    samples: np.ndarray, rate: int, tones: list[int], window_s: float = 0.05
) -> list[float]:
    """For each ``window_s`` window, which of ``tones`` is sounding (else 0).

    A tone counts once its energy reaches a quarter of its own steady level, so its start is
    found even while what it replaced is still fading out over it.
    """
    n = int(rate * window_s)
    freqs = np.fft.rfftfreq(n, 1 / rate)
    rows, totals = [], []
    for i in range(0, len(samples) - n, n):
        power = np.abs(np.fft.rfft(samples[i : i + n].astype(np.float64) * np.hanning(n))) ** 2
        rows.append([power[np.abs(freqs - t) <= 25].sum() for t in tones])
        totals.append(power.sum())
    table = np.array(rows) if rows else np.zeros((0, len(tones)))
    # The tones share one amplitude: their level where one plays alone is the reference.
    best = table.max(axis=1) if len(table) else np.zeros(0)
    pure = best[best > 0.8 * np.array(totals)] if len(table) else best
    steady = float(np.median(pure)) if len(pure) else 1.0
    out = []
    for row in table:
        level = row / max(steady, 1e-9)
        best = int(np.argmax(level))
        out.append(float(tones[best]) if level[best] > 0.25 else 0.0)
    return out


def mounts_up(settings: Settings) -> bool:
    try:
        mounts = icecast_mounts("127.0.0.1", settings.icecast_port)
    except (OSError, ValueError):
        return False
    return all(mount in mounts for mount in MOUNTS)


def record(url: str, seconds: float, rate: int = 16000) -> tuple[float, np.ndarray]:
    """Decode ``seconds`` of the stream; returns (wall time of the first sample, samples).

    Icecast sends a burst of older audio on connect, then real time; so times are anchored
    on the last sample, which arrives as it is played.
    """
    proc = subprocess.Popen(pcm_command(url, seconds, rate), stdout=subprocess.PIPE)
    assert proc.stdout is not None
    with proc.stdout:
        data = proc.stdout.read()
    ended = time.time()
    code = proc.wait()
    assert code == 0, f"ffmpeg could not decode {url} (exit {code}; its message is above)"
    samples = np.frombuffer(data[: len(data) - len(data) % 2], dtype=np.int16)
    return ended - len(samples) / rate, samples
