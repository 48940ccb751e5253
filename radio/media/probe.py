"""What a file really is, from its content: a quick look at its first bytes, then ffprobe.

The extension is never trusted: an MP3 named ``.wav`` is an MP3, and a web page named
``.mp3`` is a web page. Each kind of wrong file gets its own sentence.
"""

from __future__ import annotations

import json
import logging
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

from radio import processes
from radio.errors import ConfigError, MediaRejected

log = logging.getLogger(__name__)

FORMATS_HINT = "MP3, Ogg Vorbis, Opus, FLAC, WAV, AIFF or M4A"
_IMAGE_CODECS = {"png", "mjpeg", "gif", "bmp", "webp", "tiff", "svg", "jpeg2000", "apng"}
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c",
                  b"\x1f\x8b", b"\xfd7zXZ\x00", b"BZh")  # fmt: skip
_AUDIO_MAGIC = (b"ID3", b"fLaC", b"OggS", b"RIFF", b"FORM", b"\x1aE\xdf\xa3")


class _Stream(TypedDict, total=False):
    """One stream of ffprobe's ``-show_streams`` (the keys read here)."""

    codec_type: str
    codec_name: str
    sample_rate: str  # ffprobe writes it as text
    channels: int
    disposition: dict[str, int]


class _Format(TypedDict, total=False):
    """ffprobe's ``-show_format`` (the keys read here)."""

    format_name: str
    duration: str  # seconds, as text; "N/A" when unknown


class _FFprobe(TypedDict, total=False):
    """ffprobe's JSON answer (``-print_format json -show_format -show_streams``)."""

    streams: list[_Stream]
    format: _Format


@dataclass(frozen=True)
class Probe:
    """An audio file as ffprobe sees it."""

    format: str  # what people call it: "MP3", "Opus", …
    extension: str  # what the stored file is named with
    codec: str
    sample_rate: int
    channels: int
    declared_duration_s: float | None
    has_video: bool


def sniff(head: bytes) -> str | None:
    """A sentence for well-known files that are not audio, from their first bytes."""
    if head.startswith(_AUDIO_MAGIC) or head[4:8] == b"ftyp" or _mpeg_sync(head):
        return None
    if head.startswith(_ARCHIVE_MAGIC) or head[257:262] == b"ustar":
        return (
            "The file is an archive (ZIP, RAR, 7z, tar or gzip), not audio; "
            "unpack it and send the audio files inside."
        )
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")) or (
        head.startswith(b"RIFF") and head[8:12] == b"WEBP"
    ):
        return _IMAGE
    if head.startswith(b"%PDF-"):
        return (
            "The file is a PDF document, not audio, whatever its name says; "
            "send the recording itself."
        )
    text = _as_text(head)
    if text is not None:
        lowered = text.lstrip("\ufeff \t\r\n").lower()
        if lowered.startswith(("<!doctype html", "<html")) or "<html" in lowered[:1024]:
            return (
                "The file is a web page (HTML), not audio, whatever its name says; "
                "download the recording itself, not the page that links to it."
            )
        if "<svg" in lowered[:1024]:
            return _IMAGE
        return (
            "The file is a text document, not audio, whatever its name says; "
            "send the recording itself."
        )
    return None


_IMAGE = "The file is an image, not audio, whatever its name says; send the recording itself."
_NOT_AUDIO = f"The file is not in a sound format the station can read; send {FORMATS_HINT}."


def _mpeg_sync(head: bytes) -> bool:
    return len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0


def _as_text(head: bytes) -> str | None:
    if not head or b"\x00" in head:
        return None
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut at the end of the sample
            return head[: exc.start].decode("utf-8")
        return None


def probe(path: Path) -> Probe:
    """Identify ``path`` or raise :class:`MediaRejected` saying what it is instead."""
    with path.open("rb") as fp:
        head = fp.read(4096)
    refusal = sniff(head)
    if refusal:
        raise MediaRejected(refusal)
    info = _ffprobe(path)
    streams = info.get("streams", [])
    fmt = info.get("format", {})
    audio = [s for s in streams if s.get("codec_type") == "audio"]
    video = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not s.get("disposition", {}).get("attached_pic")
    ]
    if not audio:
        if video and all(s.get("codec_name") in _IMAGE_CODECS for s in video):
            raise MediaRejected(_IMAGE)
        if video:
            raise MediaRejected(
                "The file is a video without any sound; export the audio from your "
                "editing program and send that."
            )
        if fmt.get("format_name") in (None, "tty", "txt"):
            raise MediaRejected(_NOT_AUDIO)
        raise MediaRejected(
            "The file has the header of a sound file but holds no audio; "
            "export the recording again."
        )
    stream = audio[0]
    name, extension = _kind(str(fmt.get("format_name", "")), str(stream.get("codec_name", "")))
    rate = int(stream.get("sample_rate") or 0)
    channels = int(stream.get("channels") or 0)
    if rate <= 0 or channels <= 0:
        raise MediaRejected(
            "The file says it holds audio but none of it decodes; export it again "
            "from the recording program and upload the new file."
        )
    duration = fmt.get("duration")
    return Probe(
        format=name,
        extension="mp4" if video and extension == "m4a" else extension,
        codec=str(stream.get("codec_name", "")),
        sample_rate=rate,
        channels=channels,
        declared_duration_s=float(duration) if duration not in (None, "N/A") else None,
        has_video=bool(video),
    )


def _kind(format_name: str, codec: str) -> tuple[str, str]:
    if format_name == "mp3":
        return "MP3", "mp3"
    if format_name == "ogg":
        return {"opus": ("Opus", "opus"), "flac": ("Ogg FLAC", "oga")}.get(
            codec, ("Ogg Vorbis", "ogg")
        )
    if format_name == "flac":
        return "FLAC", "flac"
    if format_name == "wav":
        return "WAV", "wav"
    if format_name == "aiff":
        return "AIFF", "aiff"
    if format_name.startswith("mov,mp4"):
        return "M4A", "m4a"
    if format_name == "aac":
        return "AAC", "aac"  # raw AAC (ADTS), as some recorders and phones write it
    if format_name.startswith("matroska"):
        return "WebM", "webm"
    raise MediaRejected(_NOT_AUDIO)


def missing_program(name: str) -> ConfigError:
    return ConfigError(
        f"{name} is not installed, so audio cannot be checked; install the Debian package "
        "ffmpeg (`make install` does) and try again."
    )


def _ffprobe(path: Path) -> _FFprobe:
    cmd = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
           str(path)]  # fmt: skip
    try:
        done = processes.run(cmd, capture_output=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        raise MediaRejected(_NOT_AUDIO) from None
    except FileNotFoundError:
        raise missing_program("ffprobe") from None
    if done.returncode != 0:
        log.info("ffprobe refused %s: %s", path, done.stderr.decode("utf-8", "replace")[-300:])
        raise MediaRejected(_NOT_AUDIO)
    try:
        found: _FFprobe = json.loads(done.stdout or b"{}")
    except ValueError:
        raise MediaRejected(_NOT_AUDIO) from None
    return found if isinstance(found, dict) else {}
