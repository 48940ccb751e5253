"""The waveform a presenter sees: a small palette PNG drawn from the level envelope.

Written with zlib and struct (no imaging library). Heights are on a decibel scale (the
bottom is ``FLOOR_DB``), so a quiet phone recording is as readable as a loud master and a
pause shows as a gap. The part outside the cue points is grey: what will air is plain to see.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
from numpy.typing import NDArray

WIDTH = 800
HEIGHT = 120
FLOOR_DB = -60.0
_PALETTE = bytes([255, 255, 255, 31, 78, 121, 176, 176, 176, 200, 40, 40])  # bg, wave, cut, cue


def render(
    envelope: NDArray[np.float32],
    window_s: float,
    cue_in_s: float,
    cue_out_s: float,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> bytes:
    """PNG bytes of the peak envelope (one value per ``window_s``), cues marked."""
    n = len(envelope)
    pixels = np.zeros((height, width), np.uint8)
    if n:
        starts = np.arange(width) * n // width
        levels = _scale(np.maximum.reduceat(envelope, starts))
        half = height // 2
        bars = np.round(levels * (half - 1)).astype(int)
        rows = np.arange(height)[:, None]
        on = (np.abs(rows - half) <= bars[None, :]) & (levels[None, :] > 0)
        pixels[half, :] = 2  # the zero line, under the wave
        seconds = (starts + 0.5) * window_s
        inside = (seconds >= cue_in_s) & (seconds <= cue_out_s)
        pixels[on] = np.broadcast_to(np.where(inside, 1, 2), (height, width))[on]
        total = n * window_s
        for cue in (cue_in_s, cue_out_s):
            if 0.0 < cue < total:
                pixels[:, min(width - 1, int(cue / total * width))] = 3
    return _png(pixels, _PALETTE)


def peaks(envelope: NDArray[np.float32], count: int = 400) -> list[float]:
    """``count`` levels (0..1 on the same decibel scale, three decimals) across the file."""
    n = len(envelope)
    if not n:
        return []
    starts = np.arange(min(count, n)) * n // min(count, n)
    found = _scale(np.maximum.reduceat(envelope, starts))
    return [round(float(v), 3) for v in found]


def _scale(peaks: NDArray[np.float32]) -> NDArray[np.float64]:
    """Peak levels to 0..1 on a decibel scale from ``FLOOR_DB`` to full scale."""
    with np.errstate(divide="ignore"):
        db = 20.0 * np.log10(np.maximum(peaks.astype(np.float64), 1e-12))
    return np.clip((db - FLOOR_DB) / -FLOOR_DB, 0.0, 1.0)


def _png(pixels: NDArray[np.uint8], palette: bytes) -> bytes:
    height, width = pixels.shape
    raw = np.hstack([np.zeros((height, 1), np.uint8), pixels]).tobytes()  # filter 0 per row

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"PLTE", palette),
            chunk(b"IDAT", zlib.compress(raw, 9)),
            chunk(b"IEND", b""),
        ]
    )
