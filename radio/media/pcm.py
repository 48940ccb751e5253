"""One chunk of decoded audio as every meter reads it (planar float32, with history)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Samples = NDArray[np.float32]

#: True-peak rows: outputs per row, and the earlier samples each interpolated point needs.
ROW = 16
HISTORY = 11
#: Samples per true-peak tile (32 rows); also the resolution of the level envelope.
TILE = 512


class Planar:
    """One chunk of audio, channel after channel, each after 11 samples of history.

    Every measurement reads the same buffer, converted once from the decoder's
    interleaved float PCM. Each channel's segment is ``[5 spare][11 history][frames]`` and
    is 16 samples longer than the chunk, so rows of 16 samples (with their history) start
    every 16 samples across all channels: the true-peak rows are one strided view.
    """

    def __init__(self, channels: int, frames: int) -> None:
        assert frames % TILE == 0
        self.channels = channels
        self.frames = frames
        self.segment = frames + ROW
        self.flat = np.zeros(channels * self.segment + 2 * ROW, np.float32)

    def load(self, pcm: NDArray[np.float32] | NDArray[np.int16], scale: float = 1.0) -> None:
        """Keep the last samples as history, then convert ``pcm`` (times ``scale``) in,
        zero-padding a short one."""
        count = pcm.shape[0]
        for c in range(self.channels):
            seg = self.flat[c * self.segment : (c + 1) * self.segment]
            seg[ROW - HISTORY : ROW] = seg[-HISTORY:]
            np.multiply(pcm[:, c], scale, out=seg[ROW : ROW + count], casting="unsafe")
            seg[ROW + count :] = 0.0

    def channel(self, c: int) -> Samples:
        start = c * self.segment + ROW
        return self.flat[start : start + self.frames]
