"""Render the Liquidsoap script from ``station.liq.in`` and the settings."""

from __future__ import annotations

import shlex
import string
from dataclasses import dataclass
from pathlib import Path

from radio.logger import writer
from radio.playout import keycheck
from radio.playout.quoting import ICY_QUOTE, ICY_QUOTE_STANDIN, clean_value, script_string

TEMPLATE = Path(__file__).with_name("station.liq.in")


@dataclass(frozen=True)
class ScriptInputs:
    """Everything the script needs; paths are absolute."""

    station_name: str
    socket_path: Path
    icecast_host: str
    icecast_port: int
    icecast_password: str
    harbor_host: str
    emergency_file: Path
    rotation_playlist: Path
    jingles_playlist: Path
    jingle_every: int
    harbor_port: int = 8005
    fade_s: float = 1.0
    silence_timeout_s: float = 15.0
    silence_level_db: float = -45.0
    #: The scheduled gates open this much early, to make up for Liquidsoap's selection
    #: latency (measured by bench/slot_timing.py).
    gate_lead_s: float = 0.0
    #: The command the harbor runs to check a presenter's stream key (radio.playout.keycheck).
    key_check: tuple[str, ...] = keycheck.command()
    #: The install's secrets (``secrets.toml``): the check derives the go-live token key.
    secrets_file: Path = Path("secrets.toml")
    #: The off-air logger's folder (None: a script without the logger), file format
    #: (``mp3`` or ``ogg``), bitrate (kbit/s) and seconds per file.
    logger_dir: Path | None = None
    logger_format: str = "mp3"
    logger_bitrate: int = 128
    logger_file_seconds: int = 3600
    #: The command Liquidsoap runs for each logger file (radio.logger.writer), less its folder.
    logger_writer: tuple[str, ...] = writer.command()
    #: Where ffmpeg writes the HLS stream's playlist (``live.m3u8``) and segments.
    hls_dir: Path = Path("public/hls")
    hls_segment_s: float = 4.0


def render_script(inputs: ScriptInputs) -> str:
    """The script text. Every value passes through :func:`script_string` or ``int``."""
    if inputs.jingle_every > 0:
        jingles = script_string(inputs.jingles_playlist)
        jingle_block = (
            f'jingles = measured("jingles", reloaded_on_change("jingles", {jingles},\n'
            f'  playlist(id="jingles", mode="randomize", reload_mode="never", {jingles})))\n'
            f'rotation = rotate(id="rotation_ids", weights=[1, {int(inputs.jingle_every)}], '
            "[jingles, music])"
        )
    else:
        jingle_block = "rotation = music"
    values = {
        "station_name_comment": clean_value(inputs.station_name),
        "station_name": script_string(inputs.station_name),
        "socket_path": script_string(inputs.socket_path),
        "icecast_host": script_string(inputs.icecast_host),
        "icecast_port": str(int(inputs.icecast_port)),
        "icecast_password": script_string(inputs.icecast_password),
        "harbor_host": script_string(inputs.harbor_host),
        "emergency_file": script_string(inputs.emergency_file),
        "rotation_playlist": script_string(inputs.rotation_playlist),
        "jingle_block": jingle_block,
        "harbor_port": str(int(inputs.harbor_port)),
        "fade": _float(inputs.fade_s),
        "silence_timeout": _float(inputs.silence_timeout_s),
        "silence_level": _float(inputs.silence_level_db),
        "gate_lead": _float(inputs.gate_lead_s),
        "key_check": script_string(shlex.join(inputs.key_check)),
        "secrets_file": script_string(inputs.secrets_file),
        "icy_quote": script_string(ICY_QUOTE),
        "icy_quote_standin": script_string(ICY_QUOTE_STANDIN),
        "hls_command": script_string(hls_shell_command(inputs.hls_dir, inputs.hls_segment_s)),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    if inputs.logger_dir is None:
        text = text[: text.index(LOGGER_SECTION)].rstrip("\n") + "\n"
    else:
        values.update(_logger_values(inputs, inputs.logger_dir))
    return string.Template(text).substitute(values)


#: Where the logger's part of the template starts.
LOGGER_SECTION = "# -- The off-air logger"
#: The MP3 stream's bitrate (kbit/s): a logger in MP3 at this rate copies the stream's own
#: encoding (``mp3_stream`` in the script) and costs Liquidsoap no encoding of its own.
STREAM_MP3_KBPS = 128
SHARED_MP3 = '%ffmpeg(format="mp3", id3v2_version=0, write_xing=0, %audio.copy)'
#: The logger's encoders otherwise, by ``logger_format``. LAME's quality 7 ("fast") instead
#: of the default 2 halves what such an encoding costs Liquidsoap (bench/logger.py).
LOGGER_ENCODERS = {
    "mp3": "%mp3(bitrate={kbps}, samplerate=44100, stereo=true, internal_quality=7)",
    "ogg": "%vorbis.cbr(samplerate=44100, channels=2, bitrate={kbps})",
}


def _logger_values(inputs: ScriptInputs, folder: Path) -> dict[str, str]:
    writer = (*inputs.logger_writer, str(folder))
    shared: dict[str, str] = {}
    if inputs.logger_format == "mp3" and int(inputs.logger_bitrate) == STREAM_MP3_KBPS:
        shared = {"logger_format": SHARED_MP3, "logger_source": "mp3_stream"}
    return {
        "logger_period": _float(inputs.logger_file_seconds),
        "logger_suffix": "." + inputs.logger_format,
        "logger_format": LOGGER_ENCODERS[inputs.logger_format].format(
            kbps=int(inputs.logger_bitrate)
        ),
        "logger_source": "radio",
        "logger_writer": script_string(shlex.join(writer)),
        **shared,
    }


#: The HLS stream's playlist, in ``hls_dir``.
HLS_PLAYLIST = "live.m3u8"
#: Segments listed in the playlist (the rest are removed, two spare for slow players).
HLS_LIST_SIZE = 6


def hls_command(folder: Path, segment_s: float) -> tuple[str, ...]:
    """ffmpeg cutting the MPEG-TS it reads on its input into HLS segments in ``folder``.

    Segments are ``live<number>.ts`` (Liquidsoap would read a ``%d`` in the command as the
    day of the month), numbered from the time they start (so a restarted ffmpeg never reuses a
    name a player has seen), written under a temporary name and renamed when complete; those
    that left the playlist are removed; the list has no end, so a restart is not an ending.
    """
    return (
        "ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error",
        "-analyzeduration", "500000", "-f", "mpegts", "-i", "pipe:0", "-c", "copy",
        "-f", "hls", "-hls_time", f"{float(segment_s):g}",
        "-hls_list_size", str(HLS_LIST_SIZE), "-hls_delete_threshold", "2",
        "-hls_start_number_source", "epoch",
        "-hls_flags", "delete_segments+temp_file+omit_endlist",
        str(folder / HLS_PLAYLIST),
    )  # fmt: skip


def hls_shell_command(folder: Path, segment_s: float) -> str:
    """:func:`hls_command` as Liquidsoap's ``output.external`` runs it (with ``/bin/sh -c``),
    under umask 022: the station's processes make their files private (umask 077), but Caddy,
    another user, serves these (0644, like the static API files)."""
    return "umask 022 && exec " + shlex.join(hls_command(folder, segment_s))


def _float(value: float) -> str:
    """A Liquidsoap float literal (always with a decimal point)."""
    return f"{float(value):.3f}"
