"""Station audio made at init: the emergency file, and the demo station's music and IDs.

Nothing large is committed: every file is synthesised here with ffmpeg and espeak-ng, so a
newcomer hears something recognisable (spoken station IDs, distinct tunes) within a minute.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from radio import processes
from radio.errors import ConfigError
from radio.grid.model import Show

log = logging.getLogger(__name__)

#: Where the emergency file lives, relative to the media folder.
EMERGENCY = Path("station") / "emergency.ogg"
#: Where the demo shows' episodes are made, relative to the media folder.
EPISODES = Path("demo") / "episodes"


@dataclass(frozen=True)
class Tune:
    """A synthesised demo track: a plucked melody over a walking bass."""

    filename: str
    title: str
    base_hz: float
    notes_per_s: float
    step: int
    seconds: int


TUNES = (
    Tune("westway-morning.ogg", "Westway Morning", 220.0, 4.0, 7, 42),
    Tune("portobello-shuffle.ogg", "Portobello Shuffle", 261.6, 3.0, 5, 38),
    Tune("canal-path.ogg", "Canal Path", 196.0, 2.0, 3, 45),
    Tune("kitchen-table-waltz.ogg", "Kitchen Table Waltz", 293.7, 3.0, 4, 40),
    Tune("white-city-lights.ogg", "White City Lights", 329.6, 5.0, 7, 36),
    Tune("sunday-allotment.ogg", "Sunday Allotment", 174.6, 2.5, 2, 44),
)
DEMO_ARTIST = "The Demo Ensemble"

IDS = (
    ("station-id-1.ogg", "You're listening to {name}. Community radio, made by you."),
    ("station-id-2.ogg", "{name}. My space, your space, shared space."),
    ("station-id-3.ogg", "This is {name}, on air from home, with you."),
)


def ensure_emergency_file(media_dir: Path, station_name: str) -> Path:
    """The emergency file (a spoken apology over a soft tone), made once."""
    path = media_dir / EMERGENCY
    if not path.exists():
        text = (
            f"This is {station_name}. We will be back with you very shortly. Please stay with us."
        )
        _speech_over_tone(path, text, title=f"{station_name} will be back shortly", seconds=20)
    return path


def ensure_demo_audio(media_dir: Path, station_name: str) -> list[Path]:
    """The demo rotation and station IDs under ``media/demo/`` (files already there are kept)."""
    folder = media_dir / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    jobs: list[Callable[[], None]] = []
    for tune in TUNES:
        if not (folder / tune.filename).exists():
            jobs.append(partial(_tune, folder / tune.filename, tune))
    for filename, line in IDS:
        if not (folder / filename).exists():
            jobs.append(partial(_station_id, folder / filename, line.format(name=station_name)))
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()
    return sorted(folder.iterdir())


def ensure_demo_episode_audio(
    media_dir: Path, station_name: str, shows: Iterable[Show]
) -> dict[str, Path]:
    """A short spoken episode for each show (its introduction, then a tune), made once.

    The demo's prerecorded shows have something to air, so a newcomer hears the grid at work
    before anyone has uploaded a real episode.
    """
    folder = media_dir / EPISODES
    folder.mkdir(parents=True, exist_ok=True)
    paths = {show.slug: folder / f"{show.slug}.ogg" for show in shows}
    jobs = [
        partial(_episode, paths[show.slug], show, station_name)
        for show in shows
        if not paths[show.slug].exists()
    ]
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        for future in [pool.submit(job) for job in jobs]:
            future.result()
    return paths


def _episode(path: Path, show: Show, station_name: str) -> None:
    intro = f"This is {show.title}, on {station_name}."
    if show.presenters:
        intro += f" With {' and '.join(show.presenters)}."
    text = (
        f"{intro} {show.description} This is the demo episode. Presenters replace it by "
        "uploading their own from the dashboard. Now, some music."
    )
    tune = TUNES[sum(map(ord, show.slug)) % len(TUNES)]
    with tempfile.TemporaryDirectory(prefix="radio-demo-") as tmp:
        speech = Path(tmp) / "speech.wav"
        _run(["espeak-ng", "-v", "en-gb", "-s", "150", "-w", str(speech), text])
        bed = replace(tune, seconds=20)
        _ffmpeg(
            [
                "-i",
                str(speech),
                "-f",
                "lavfi",
                "-i",
                f"aevalsrc='{_tune_expression(bed)}':s=44100:d={bed.seconds}",
                "-filter_complex",
                f"[0]aresample=44100[s];[1]afade=t=out:st={bed.seconds - 2}:d=2[b];"
                "[s][b]concat=n=2:v=0:a=1,pan=stereo|c0=c0|c1=c0",
            ],
            path,
            title=f"{show.title} (demo episode)",
            artist=", ".join(show.presenters),
        )


def _tune_expression(tune: Tune) -> str:
    rate = tune.notes_per_s
    melody = (
        f"0.25*sin(2*PI*t*{tune.base_hz}*pow(2,mod(floor(t*{rate})*{tune.step},12)/12))"
        f"*exp(-4*mod(t,{1 / rate:.4f}))"
    )
    bass = f"0.12*sin(2*PI*t*{tune.base_hz / 2}*pow(2,mod(floor(t/2)*5,12)/12))"
    return f"{melody}+{bass}"


def _tune(path: Path, tune: Tune) -> None:
    expr = _tune_expression(tune)
    _ffmpeg(
        [
            "-f",
            "lavfi",
            "-i",
            f"aevalsrc='{expr}|{expr}':s=44100:d={tune.seconds}",
            "-af",
            f"afade=t=in:d=0.5,afade=t=out:st={tune.seconds - 1.5}:d=1.5",
        ],
        path,
        title=tune.title,
        artist=DEMO_ARTIST,
    )


def _station_id(path: Path, text: str) -> None:
    _speech_over_tone(path, text, title="Station ID", seconds=0)


def _speech_over_tone(path: Path, text: str, *, title: str, seconds: int) -> None:
    """Speech (espeak-ng) after a two-note chime, over a quiet pad when ``seconds`` > 0."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="radio-demo-") as tmp:
        speech = Path(tmp) / "speech.wav"
        _run(["espeak-ng", "-v", "en-gb", "-s", "150", "-w", str(speech), text])
        chime = "0.3*sin(2*PI*t*if(lt(t,0.35),660,880))*exp(-3*mod(t,0.35))"
        inputs = ["-i", str(speech), "-f", "lavfi", "-i", f"aevalsrc='{chime}':s=22050:d=0.7"]
        graph = "[1][0]concat=n=2:v=0:a=1,aresample=44100,pan=stereo|c0=c0|c1=c0"
        if seconds:
            pad = "0.05*sin(2*PI*t*220)+0.04*sin(2*PI*t*277)"
            inputs += ["-f", "lavfi", "-i", f"aevalsrc='{pad}':s=44100:d={seconds}"]
            graph = (
                f"{graph}[v];[2]pan=stereo|c0=c0|c1=c0[p];"
                "[v][p]amix=inputs=2:duration=longest:normalize=0"
            )
        _ffmpeg([*inputs, "-filter_complex", graph], path, title=title, artist="")


def _ffmpeg(args: list[str], path: Path, *, title: str, artist: str) -> None:
    tmp = path.with_name(f".{path.name}.part")
    meta = ["-metadata", f"title={title}"] + (["-metadata", f"artist={artist}"] if artist else [])
    _run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            *args,
            *meta,
            "-c:a",
            "libvorbis",
            "-q:a",
            "3",
            "-f",
            "ogg",
            str(tmp),
        ]
    )
    os.replace(tmp, path)


def _run(argv: list[str]) -> None:
    try:
        processes.run(argv, check=True, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise ConfigError(f"{argv[0]} is not installed; run 'make run' to install it.") from None
    except subprocess.CalledProcessError as exc:
        detail = exc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise ConfigError(f"Could not make station audio with {argv[0]}: {detail[0]}") from None
