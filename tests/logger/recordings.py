"""Logger files made by hand for the tests that need no Liquidsoap: tones as MP3, named and
dated as the writer leaves them."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

from radio.logger.writer import file_name, since_marker
from tests.support import require


def recording(folder: Path, start: datetime, seconds: float, freq: int) -> Path:
    """A logger file of ``seconds`` of a ``freq`` Hz tone, as if written from ``start``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file_name(start.timestamp(), ".mp3")
    subprocess.run(
        [require("ffmpeg"), "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
         f"sine=frequency={freq}:sample_rate=44100:duration={seconds}", "-ac", "2",
         "-c:a", "libmp3lame", "-b:a", "128k", "-write_xing", "0", "-id3v2_version", "0",
         str(path)],
        check=True,
    )  # fmt: skip
    end = start.timestamp() + seconds
    os.utime(path, (end, end))
    marker = since_marker(folder)
    if not marker.exists():
        marker.write_text(path.name + "\n")
    return path
