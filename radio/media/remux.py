"""A browser's recording, put in a container the playout reads to the end.

What MediaRecorder gives (Chromium and Firefox: WebM holding Opus) is a live stream written
to a file: no length, no index. ffmpeg reads it whole, but Liquidsoap 2.1's decoder stops
such a file after its first fraction of a second when it is queued for a slot (seen on this
project's rig: the tone aired for half a second, then silence until the slot's end). The
same Opus (or Vorbis) packets copied into Ogg, without decoding or re-encoding anything, play
through; so that is what is stored.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

from radio import processes
from radio.errors import MediaRejected
from radio.media.probe import Probe, missing_program

log = logging.getLogger(__name__)

#: Codecs that Ogg carries as they are.
_OGG_CODECS = {"opus", "vorbis"}


def needs_remux(found: Probe) -> bool:
    """Whether ``found`` is a WebM recording whose audio is better stored in Ogg."""
    return found.format == "WebM" and found.codec in _OGG_CODECS and not found.has_video


def remux_to_ogg(source: Path, target: Path) -> None:
    """Copy the first audio stream of ``source`` into the Ogg file ``target`` (a new file)."""
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-i", str(source), "-map", "0:a:0",
           "-c:a", "copy", "-f", "ogg", str(target)]  # fmt: skip
    try:
        done = processes.run(cmd, capture_output=True, timeout=600, check=False)
    except FileNotFoundError:
        raise missing_program("ffmpeg") from None
    except subprocess.TimeoutExpired:
        target.unlink(missing_ok=True)
        raise MediaRejected(
            "The recording could not be prepared for air in time; upload it again."
        ) from None
    if done.returncode != 0:
        target.unlink(missing_ok=True)
        log.warning("remuxing %s failed: %s", source, done.stderr.decode("utf-8", "replace")[-300:])
        raise MediaRejected(
            "The recording is damaged and cannot be prepared for air; record or export it again."
        )
