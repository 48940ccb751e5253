"""Icecast relays: ``radio relay config`` on a real Icecast pulling the station's mounts.

The station's Icecast (its own configuration, as ``radio run`` writes it) gets a tone on each
mount from ffmpeg as source; a second Icecast runs the configuration ``radio relay config``
prints. A listener on the relay hears each mount's tone; when the station's Icecast restarts,
the relay picks the mounts up again by itself. The station's listen links put the relays
first and the station's own Icecast last.

A relay whose master cannot be reached (its station's Icecast down, or a wrong address) still
starts and stays up, answers a listener 404, and starts relaying by itself within its retry
interval once the master is up; the station's listener sampler counts on without it, and
says once, in the log and on ``/healthz``, that the relay is not answering or not carrying
the mounts. A ``--master`` address a relay cannot pull from is one sentence and exit 1.
"""

from __future__ import annotations

import dataclasses
import grp
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from radio.audience import Audience
from radio.bootstrap import build_services, open_database
from radio.config import Settings, load_settings
from radio.errors import ConfigError
from radio.playout.icecast import ICECAST_GROUP, ICECAST_USER, render_icecast
from radio.processes import RunAs, die_with_parent
from radio.relay import RETRY_S, parse_master
from tests.support import decode, free_port, port_open, require, stop, wait_for
from tests.web.listeners import make_listener_station
from web import create_app

RADIO = str(Path(sys.executable).with_name("radio"))
TONES = {"/stream.mp3": 660, "/stream.ogg": 880}
SOURCE_PASSWORD = "source-secret"


class Icecast:
    """An Icecast on ``config``, as Icecast's own user when the tests run as root."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, port: int) -> None:
        run_as = None
        if os.geteuid() == 0:  # Icecast refuses to run as root
            run_as = RunAs(pwd.getpwnam(ICECAST_USER).pw_uid, grp.getgrnam(ICECAST_GROUP).gr_gid)
        self.process = subprocess.Popen(
            [require("icecast2"), "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            preexec_fn=die_with_parent(run_as=run_as),
        )
        wait_for(lambda: port_open(port) or None, 20, f"Icecast on {port}")

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None


def folder_for_icecast() -> Path:
    """A folder Icecast's user can read and write (pytest's own are closed to it)."""
    folder = Path(tempfile.mkdtemp(prefix="radio-relay-test-"))
    (folder / "log").mkdir()
    if os.geteuid() == 0:
        uid, gid = pwd.getpwnam(ICECAST_USER).pw_uid, grp.getgrnam(ICECAST_GROUP).gr_gid
        for path in (folder, folder / "log"):
            os.chown(path, uid, gid)
    return folder


def sources(port: int) -> list[subprocess.Popen[bytes]]:
    """ffmpeg sending each mount its tone, as Liquidsoap would."""
    started = []
    for mount, freq in TONES.items():
        codec = ["-c:a", "libmp3lame", "-content_type", "audio/mpeg", "-f", "mp3"]
        if mount.endswith(".ogg"):
            codec = ["-c:a", "libvorbis", "-content_type", "application/ogg", "-f", "ogg"]
        started.append(subprocess.Popen(
            [require("ffmpeg"), "-nostdin", "-v", "error", "-re", "-f", "lavfi",
             "-i", f"sine=frequency={freq}:sample_rate=44100", *codec,
             f"icecast://source:{SOURCE_PASSWORD}@127.0.0.1:{port}{mount}"],
        ))  # fmt: skip
    return started


def pitch(url: str) -> float:
    """The loudest frequency in 2 s decoded from ``url``."""
    samples = np.array(decode(url, 2.0, 8000), dtype=np.float64)
    assert len(samples) > 8000, f"{url} gave {len(samples)} samples"
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / 8000)[int(np.argmax(spectrum))])


def hears(url: str, freq: int) -> bool:
    try:
        return abs(pitch(url) - freq) < 10
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, AssertionError):
        return False


class Pair:
    def __init__(self) -> None:
        self.folder = folder_for_icecast()
        self.master_port, self.relay_port = free_port(), free_port()
        master = self.folder / "master.xml"
        master.write_text(render_icecast(
            bind="127.0.0.1", port=self.master_port, source_password=SOURCE_PASSWORD,
            admin_password="admin-secret", logdir=self.folder / "log", station_name="Test FM",
        ))  # fmt: skip
        (self.folder / "relay-log").mkdir()
        shutil.chown(self.folder / "relay-log", *self._owner())
        relay = self.folder / "relay.xml"
        done = subprocess.run(
            [RADIO, "relay", "config", str(relay), "--master",
             f"http://127.0.0.1:{self.master_port}", "--port", str(self.relay_port),
             "--bind", "127.0.0.1", "--log-dir", str(self.folder / "relay-log")],
            capture_output=True, text=True, timeout=60,
            env={k: v for k, v in os.environ.items() if not k.startswith("RADIO_")},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"Wrote {relay} (its admin password is inside)")
        for path in (master, relay):
            shutil.chown(path, *self._owner())
        self.master, self.relay = Icecast(master), Icecast(relay)
        self.feeding: list[subprocess.Popen[bytes]] = []

    @staticmethod
    def _owner() -> tuple[str | None, str | None]:
        return (ICECAST_USER, ICECAST_GROUP) if os.geteuid() == 0 else (None, None)

    def start_master(self) -> None:
        self.master.start(self.master_port)
        self.feeding = sources(self.master_port)

    def stop_master(self) -> None:
        for source in self.feeding:
            source.kill()
            source.wait()
        self.master.stop()

    def close(self) -> None:
        self.stop_master()
        self.relay.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    made = Pair()
    try:
        made.start_master()
        made.relay.start(made.relay_port)
        yield made
    finally:
        made.close()


def test_a_listener_on_the_relay_hears_each_mount(pair: Pair) -> None:
    for mount, freq in TONES.items():
        url = f"http://127.0.0.1:{pair.relay_port}{mount}"
        wait_for(lambda u=url, f=freq: hears(u, f) or None, 60, f"the relay's {mount}")  # type: ignore[misc]


def test_the_relay_recovers_after_the_stations_icecast_restarts(pair: Pair) -> None:
    url = f"http://127.0.0.1:{pair.relay_port}/stream.mp3"
    wait_for(lambda: hears(url, 660) or None, 60, "the relay before the restart")
    pair.stop_master()
    pair.start_master()
    # It tries again every RETRY_S seconds (5); Icecast's default would be two minutes.
    wait_for(lambda: hears(url, 660) or None, 60, "the relay after the restart")


class Listener:
    """One listener: a connection to ``url`` that keeps reading the stream."""

    def __init__(self, url: str) -> None:
        self.reply = urllib.request.urlopen(url, timeout=10)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while not self.stop.is_set() and self.reply.read(4096):
            pass

    def close(self) -> None:
        self.stop.set()
        self.reply.close()


def test_listener_figures_count_the_station_and_the_relay(pair: Pair, tmp_path: Path) -> None:
    """3 listeners on the relay's MP3 and 2 on the station's Ogg: the station's Icecast also
    sees the relay's two pulls, which are not people."""
    relay = f"http://127.0.0.1:{pair.relay_port}"
    wait_for(lambda: hears(f"{relay}/stream.ogg", 880) or None, 60, "the relay's Ogg")
    station = f"http://127.0.0.1:{pair.master_port}"
    people = [Listener(f"{relay}/stream.mp3") for _ in range(3)]
    people += [Listener(f"{station}/stream.ogg") for _ in range(2)]
    settings = dataclasses.replace(
        Settings(data_dir=tmp_path / "var"), icecast_port=pair.master_port, relays=(relay,)
    )
    db = open_database(settings)
    try:
        audience = Audience(db, settings)
        counted = wait_for(
            lambda: (c := audience.sample()) == {"/stream.mp3": 3, "/stream.ogg": 2} and c,
            20,
            "Icecast to count the listeners",
        )
        assert counted
        assert audience.latest() == 5
    finally:
        for person in people:
            person.close()
        db.dispose()


def test_a_relay_whose_master_is_unreachable_waits_for_it(
    pair: Pair, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A second relay whose station's Icecast is not up yet. The sampler of ``pair``'s
    station lists three relays: ``pair``'s, this one and an address where nothing answers."""
    waiting = Pair()  # its master is not started: nothing listens on its port
    try:
        waiting.relay.start(waiting.relay_port)
        started = time.monotonic()
        relay = f"http://127.0.0.1:{waiting.relay_port}"
        nowhere = f"http://127.0.0.1:{free_port()}"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{relay}/stream.mp3", timeout=10)
        assert refused.value.code == 404
        assert "404 - The file you requested could not be found" in refused.value.read().decode()
        settings = dataclasses.replace(
            Settings(data_dir=tmp_path / "var"),
            icecast_port=pair.master_port,
            relays=(f"http://127.0.0.1:{pair.relay_port}", relay, nowhere),
        )
        services = build_services(settings)
        try:
            wait_for(lambda: hears(f"{settings.relays[0]}/stream.mp3", 660) or None, 60, "relay 1")
            caplog.set_level("INFO", logger="radio.audience")
            for _ in range(2):  # said once, not at every sample
                counted = services.audience.sample()
            assert counted is not None and set(counted) == {"/stream.mp3", "/stream.ogg"}
            warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
            problems = [
                f"the relay {relay} is not carrying /stream.mp3, /stream.ogg (can it reach the "
                "station's Icecast?)",
                f"the relay {nowhere} is not answering (Connection refused); its listeners are "
                "not counted",
            ]
            assert warned == [f"listener figures: {problem}" for problem in problems]
            assert services.health.engine().warnings == problems
            # It tried the master at least twice meanwhile, and is still up.
            time.sleep(max(0.0, started + RETRY_S + 1 - time.monotonic()))
            assert waiting.relay.process is not None and waiting.relay.process.poll() is None
            waiting.start_master()
            up = time.monotonic()
            wait_for(lambda: hears(f"{relay}/stream.mp3", 660) or None, 60, "the relay to relay")
            took = time.monotonic() - up
            print(f"the relay was heard {took:.1f} s after its master came up")
            assert took < RETRY_S + 20
            services.audience.sample()
            assert f"the relay {relay} carries the station again" in caplog.text
            assert services.health.engine().warnings == problems[1:]
        finally:
            services.db.dispose()
    finally:
        waiting.close()


@pytest.mark.parametrize("master", ["https://radio.example.org", "http://radio.example.org:99999"])
def test_radio_relay_config_with_a_bad_master_is_one_sentence(master: str, tmp_path: Path) -> None:
    target = tmp_path / "relay.xml"
    done = subprocess.run(
        [RADIO, "relay", "config", str(target), "--master", master],
        capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if not k.startswith("RADIO_")},
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith(f"radio: --master {master!r}")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert not target.exists()


@pytest.mark.parametrize(
    ("master", "message"),
    [
        ("https://radio.example.org", "Icecast relays pull over plain HTTP only"),
        ("radio.example.org:8000", "must be the station's Icecast address"),
        ("http://radio.example.org:8000/stream.mp3", "must be the station's Icecast address"),
    ],
)
def test_a_master_a_relay_cannot_pull_from_is_one_sentence(master: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_master(master)


def test_the_listen_links_put_the_relays_first(tmp_path: Path) -> None:
    station = make_listener_station(tmp_path)
    relays = ("https://relay1.example.org", "http://relay2.example.org:8000")
    settings = station.services.settings
    services = dataclasses.replace(
        station.services, settings=dataclasses.replace(settings, relays=relays)
    )
    app = create_app(services.settings, services)
    m3u = app.test_client().get("/listen.m3u").get_data(as_text=True)
    urls = [line for line in m3u.splitlines() if not line.startswith("#")]
    own = settings.stream_url
    assert urls == [
        "https://relay1.example.org/stream.mp3",
        "http://relay2.example.org:8000/stream.mp3",
        f"{own}/stream.mp3",
        "https://relay1.example.org/stream.ogg",
        "http://relay2.example.org:8000/stream.ogg",
        f"{own}/stream.ogg",
    ]
    home = app.test_client().get("/")
    page = home.get_data(as_text=True)
    assert page.index('src="https://relay1.example.org/stream.mp3"') < page.index(
        f'src="{own}/stream.mp3"'
    )
    policy = home.headers["Content-Security-Policy"]
    assert "media-src 'self' blob: http://127.0.0.1:" in policy
    assert "https://relay1.example.org http://relay2.example.org:8000" in policy
    station.services.db.dispose()


def test_relays_in_the_settings_are_checked(tmp_path: Path) -> None:
    cfg = tmp_path / "radio.toml"
    cfg.write_text('relays = ["https://relay1.example.org", "relay2"]\n')
    with pytest.raises(ConfigError, match="'relay2' must be a relay's address"):
        load_settings(cfg, environ={})
    loaded = load_settings(environ={"RADIO_RELAYS": "https://a.example.org, https://b.example.org"})
    assert loaded.relays == ("https://a.example.org", "https://b.example.org")
