"""The waveform's levels: a few hundred peaks across the file, stored with the item.

Levels are on a decibel scale (0 is ``FLOOR_DB``, 1 is full scale), so a quiet phone
recording is as readable as a loud master and a pause shows as a gap. Pages draw them
(the presenter's dashboard as an SVG, with the part outside the cue points in grey).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FLOOR_DB = -60.0


def peaks(envelope: NDArray[np.float32], count: int = 400) -> list[float]:
    """``count`` levels (0..1 on the decibel scale, three decimals) evenly across the file."""
    n = len(envelope)
    if not n:
        return []
    starts = np.arange(min(count, n)) * n // min(count, n)
    found = _scale(np.maximum.reduceat(envelope, starts))
    return [round(float(v), 3) for v in found]


def _scale(levels: NDArray[np.float32]) -> NDArray[np.float64]:
    """Peak levels to 0..1 on a decibel scale from ``FLOOR_DB`` to full scale."""
    with np.errstate(divide="ignore"):
        db = 20.0 * np.log10(np.maximum(levels.astype(np.float64), 1e-12))
    return np.clip((db - FLOOR_DB) / -FLOOR_DB, 0.0, 1.0)
