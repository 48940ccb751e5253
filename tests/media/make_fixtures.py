"""Generate the media test fixtures with ffmpeg, sox and espeak-ng (nothing is committed).

Run ``python -m tests.media.make_fixtures [FOLDER]``; the tests call :func:`make_fixtures`
themselves (into ``tests/fixtures/generated/media`` by default, reused while up to date).

Every audio fixture is a few seconds long. The "programme" ones share one master: 1 s of
silence, 1.5 s of tone, a 1.5 s pause (speech pauses are not silence), 1.5 s of tone, then
2 s of silence; so every format should show ~7.5 s, cue-in ~0.75 s and cue-out ~6.0 s.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

VERSION = "6"
DEFAULT_FOLDER = Path(__file__).resolve().parents[1] / "fixtures" / "generated" / "media"

#: name -> (ffmpeg output options, extension) for the programme master in every format.
FORMATS: dict[str, tuple[list[str], str]] = {
    "mp3": (["-c:a", "libmp3lame", "-b:a", "128k"], "mp3"),
    "vorbis": (["-c:a", "libvorbis", "-q:a", "4"], "ogg"),
    "opus": (["-c:a", "libopus", "-b:a", "96k"], "opus"),
    "flac": (["-c:a", "flac"], "flac"),
    "wav": (["-c:a", "pcm_s16le"], "wav"),
    "aiff": (["-c:a", "pcm_s16be"], "aiff"),
    "m4a": (["-c:a", "aac", "-b:a", "128k"], "m4a"),
    "aac": (["-c:a", "aac", "-b:a", "128k", "-f", "adts"], "aac"),  # raw AAC (ADTS)
}
MASTER_SECONDS = 7.5
TONE = "sine=frequency=440:sample_rate=44100"


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def make_fixtures(folder: Path = DEFAULT_FOLDER) -> Path:
    stamp = folder / ".version"
    if stamp.exists() and stamp.read_text() == VERSION:
        return folder
    for program in ("ffmpeg", "sox", "espeak-ng"):
        if shutil.which(program) is None:
            raise SystemExit(f"{program} is not installed; `make install` installs it")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    _audio(folder)
    _bad(folder)
    stamp.write_text(VERSION)
    return folder


def _audio(d: Path) -> None:
    # The master: silence, tone, pause, tone, silence (stereo, 44.1 kHz, about -12 dBFS).
    parts = "[0]atrim=0:1[a];[1]atrim=0:1.5[b];[0]atrim=0:1.5[c];[1]atrim=0:1.5[e];[0]atrim=0:2[f]"
    ffmpeg(
        "-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo",
        "-f", "lavfi", "-i", f"{TONE},volume=0.25,aformat=channel_layouts=stereo",
        "-filter_complex", f"{parts};[a][b][c][e][f]concat=n=5:v=0:a=1",
        "-c:a", "pcm_s16le", str(d / "master.wav"),
    )  # fmt: skip
    for name, (options, ext) in FORMATS.items():
        ffmpeg("-i", str(d / "master.wav"), *options, str(d / f"programme-{name}.{ext}"))
    # Tags and art on the MP3 (control characters and a long title to clean).
    ffmpeg("-f", "lavfi", "-i", "color=c=red:s=32x32:d=1", "-frames:v", "1", str(d / "art.png"))
    ffmpeg(
        "-i", str(d / "master.wav"), "-i", str(d / "art.png"), "-map", "0:a", "-map", "1:v",
        "-c:a", "libmp3lame", "-b:a", "128k", "-c:v", "png", "-id3v2_version", "3",
        "-metadata:s:v", "title=Cover", "-metadata:s:v", "comment=Cover (front)",
        "-metadata", "title=Morning\nShow\x07 " + "x" * 300,
        "-metadata", "artist=Ada\u202e Lovelace",
        "-metadata", "album=Community Hour", "-metadata", "TSRC=gb-aye-06-01498",
        str(d / "tagged.mp3"),
    )  # fmt: skip
    shutil.copy(d / "programme-mp3.mp3", d / "mp3-named.wav")  # content, not extension
    # Speech (mono, 22.05 kHz) from espeak-ng, as a presenter's voice track.
    subprocess.run(
        ["espeak-ng", "-w", str(d / "speech.wav"), "Good evening, and welcome to the show."],
        check=True,
    )
    ffmpeg("-i", str(d / "speech.wav"), "-c:a", "libmp3lame", "-b:a", "64k", str(d / "speech.mp3"))
    # A whole-silent file, a half-second one, and a WAV cut in half (header says 7.5 s).
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=44100:cl=stereo", "-t", "3", str(d / "silent.mp3"))
    ffmpeg("-f", "lavfi", "-i", TONE, "-t", "0.5", "-c:a", "libmp3lame", str(d / "short.mp3"))
    data = (d / "master.wav").read_bytes()
    (d / "truncated.wav").write_bytes(data[: len(data) // 4 * 2])
    # A VBR MP3 whose Xing header declares 7.5 s, cut after about half of its frames.
    ffmpeg("-i", str(d / "master.wav"), "-c:a", "libmp3lame", "-q:a", "4", str(d / "vbr.mp3"))
    vbr = (d / "vbr.mp3").read_bytes()
    (d / "truncated.mp3").write_bytes(vbr[: len(vbr) // 2])
    # sox makes the loud one: a square wave near full scale (true peak above the samples).
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "2", str(d / "loud.flac"), "synth", "3", "square",
         "997", "gain", "-3"],
        check=True,
    )  # fmt: skip


def _bad(d: Path) -> None:
    (d / "empty.mp3").write_bytes(b"")
    (d / "notes.mp3").write_text("Running order for Saturday:\n1. News\n2. Weather\n")
    (d / "page.mp3").write_text(
        "<!DOCTYPE html>\n<html><head><title>Download</title></head><body>Episode</body></html>\n"
    )
    shutil.copy(d / "art.png", d / "picture.mp3")
    ffmpeg("-f", "lavfi", "-i", "color=c=blue:s=64x64:d=1", "-frames:v", "1", str(d / "photo.jpg"))
    shutil.copy(d / "photo.jpg", d / "photo.wav")
    with zipfile.ZipFile(d / "archive.mp3", "w") as zf:
        zf.writestr("episode.txt", "not audio")
    # A FLAC header (so ffprobe says audio) followed by garbage that never decodes.
    flac = (d / "programme-flac.flac").read_bytes()
    header_end = flac.index(b"\xff\xf8")  # the first frame's sync code
    (d / "undecodable.flac").write_bytes(flac[:header_end] + bytes(range(256)) * 200)
    # A complete WAV header whose data chunk is empty: a sound file holding no audio.
    wav = (d / "master.wav").read_bytes()
    data_at = wav.index(b"data")
    (d / "headeronly.wav").write_bytes(wav[: data_at + 4] + b"\x00\x00\x00\x00")
    # A video without a sound track, named like audio.
    ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "2", "-c:v", "libx264",
           "-pix_fmt", "yuv420p", "-f", "mp4", str(d / "video.mp3"))  # fmt: skip


if __name__ == "__main__":
    where = make_fixtures(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FOLDER)
    print(where)
