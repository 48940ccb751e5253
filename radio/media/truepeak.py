"""True peak (ITU-R BS.1770 annex 2): the signal oversampled 4x with a 49-tap Hann-windowed
sinc (as libebur128 does), as matrix products over rows of 16 samples, and only where a
bound says a new maximum could hide."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from radio.media.pcm import HISTORY, ROW, TILE, Planar, Samples

_TAPS = 49  # interpolator length (phase 0 is the samples themselves)
_OVERSAMPLE = 4


@dataclass(frozen=True)
class _Interpolator:
    """Phases 1..3 of the 4x interpolator as a row matrix, and bounds on what it can yield.

    For any output, ``|y| <= gain * M`` where M is the largest input magnitude, and also
    ``|y| <= near * M + curve * D`` where D is the largest second difference: the inputs
    differ from the line through the two nearest samples by at most ``D * |k-5||k-6| / 2``.
    The second bound is tight on loud, smooth audio, where the first would interpolate
    nearly everything.
    """

    matrix: Samples  # (ROW + HISTORY, ROW * 3)
    gain: float
    near: float
    curve: float


@lru_cache(maxsize=1)
def _interpolator() -> _Interpolator:
    j = np.arange(_TAPS)
    m = j - (_TAPS - 1) / 2
    with np.errstate(invalid="ignore", divide="ignore"):
        sinc = np.where(m == 0, 1.0, np.sin(m * np.pi / _OVERSAMPLE) / (m * np.pi / _OVERSAMPLE))
    h = sinc * 0.5 * (1 - np.cos(2 * np.pi * j / (_TAPS - 1)))
    phases = [h[p::_OVERSAMPLE][:12] for p in range(1, _OVERSAMPLE)]
    matrix = np.zeros((ROW + HISTORY, ROW * len(phases)), np.float32)
    for mi in range(ROW):
        for pi, taps in enumerate(phases):
            for k, tap in enumerate(taps):
                matrix[mi + HISTORY - k, mi * len(phases) + pi] = tap
    taps = np.arange(12)
    near = max(abs(t.sum() - (t * (6 - taps)).sum()) + abs((t * (6 - taps)).sum()) for t in phases)
    curve = max((np.abs(t) * np.abs(taps - 5) * np.abs(taps - 6) / 2).sum() for t in phases)
    return _Interpolator(
        matrix=matrix,
        gain=max(float(np.abs(t).sum()) for t in phases) * 1.0001,
        near=float(near) * 1.0001,
        curve=float(curve) * 1.0001,
    )


class TruePeak:
    """Streams the maximum of the 4x-oversampled absolute signal (linear, full scale = 1).

    Interpolating everything would cost more than the decode, so it runs only where it
    could matter: each tile of 512 samples gets the cheap bound ``gain * peak``; tiles that
    pass get the tighter curvature bound (see :class:`_Interpolator`); tiles that pass both
    are interpolated, the loudest first so that the maximum rises early and rules out more.

    """

    def __init__(self, audio: Planar) -> None:
        self._ip = _interpolator()
        width = self._ip.matrix.shape[0]
        self.peak = 0.0
        #: Peak of each tile of the last chunk, loudest channel (the level envelope).
        self.tile_peaks = np.zeros(audio.frames // TILE, np.float32)
        self._audio = audio
        channels, frames = audio.channels, audio.frames
        self._rows = frames // ROW
        self._tiles = frames // TILE
        stride = audio.flat.strides[0]
        self._rows_view = np.lib.stride_tricks.as_strided(
            audio.flat[ROW - HISTORY :],
            shape=(channels * (self._rows + 1), width),
            strides=(ROW * stride, stride),
            writeable=False,
        )
        self._tail_peak = np.zeros(channels, np.float32)
        self._bend_useless = [False] * channels
        self._gathered = np.empty((channels * self._rows, width), np.float32)
        self._out = np.empty((channels * self._rows, self._ip.matrix.shape[1]), np.float32)

    def add(self) -> None:
        """Measure the chunk now in the buffer."""
        self.tile_peaks[:] = 0.0
        tiles = [self._candidate_tiles(c) for c in range(self._audio.channels)]
        bound = np.concatenate([b for _, b in tiles])
        where = np.concatenate([c * self._tiles + t for c, (t, _) in enumerate(tiles)])
        if where.size > 4:  # the loudest tiles first, so that the rest can be ruled out
            top = np.argpartition(bound, -4)[-4:]
            self._interpolate(where[top])
            keep = bound > self.peak
            keep[top] = False
            where = where[keep]
        if where.size:
            self._interpolate(where)

    def _candidate_tiles(self, c: int) -> tuple[NDArray[np.intp], NDArray[np.float32]]:
        """The tiles of one channel that may hold a new peak, and their bounds."""
        ip, audio = self._ip, self._audio
        seg = audio.flat[c * audio.segment : (c + 1) * audio.segment]
        tiles = seg[ROW:].reshape(self._tiles, TILE)
        own = np.maximum(tiles.max(axis=1), -tiles.min(axis=1))
        np.maximum(self.tile_peaks, own, out=self.tile_peaks)
        self.peak = max(self.peak, float(own.max()))
        reach = np.maximum(own, np.concatenate([self._tail_peak[c : c + 1], own[:-1]]))
        self._tail_peak[c] = own[-1]
        maybe = np.flatnonzero(reach * ip.gain > self.peak)
        if not maybe.size or self._bend_useless[c]:
            # Where the curvature bound kept nearly every tile last time (noisy, loud
            # audio) it is skipped once: it would cost time and save none.
            self._bend_useless[c] = False
            return maybe, reach[maybe] * ip.gain
        # Second differences over each tile's inputs (12 samples of history included).
        stride = seg.strides[0]
        windows = np.lib.stride_tricks.as_strided(
            seg[ROW - HISTORY - 1 :],
            shape=(self._tiles, TILE + HISTORY + 1),
            strides=(TILE * stride, stride),
            writeable=False,
        )[maybe]
        bend = np.diff(windows, n=2, axis=1)
        bent = np.maximum(bend.max(axis=1), -bend.min(axis=1))
        bound = np.minimum(reach[maybe] * ip.gain, reach[maybe] * ip.near + bent * ip.curve)
        keep = bound > self.peak
        self._bend_useless[c] = keep.sum() > 0.8 * self._tiles
        return maybe[keep], bound[keep]

    def _interpolate(self, tiles: NDArray[np.intp]) -> None:
        per_tile = TILE // ROW
        if tiles.size * 2 > self._audio.channels * self._tiles:  # dense: copy whole channels
            for c in range(self._audio.channels):
                first = c * (self._rows + 1)
                self._product(self._rows_view[first : first + self._rows], None)
            return
        channel, tile = np.divmod(tiles, self._tiles)
        first = channel * (self._rows + 1) + tile * per_tile
        self._product(self._rows_view, (first[:, None] + np.arange(per_tile)).ravel())

    def _product(self, rows: Samples, which: NDArray[np.intp] | None) -> None:
        n = len(rows) if which is None else which.size
        gathered = self._gathered[:n]
        if which is None:
            np.copyto(gathered, rows)
        else:
            np.take(rows, which, axis=0, out=gathered)
        out = np.matmul(gathered, self._ip.matrix, out=self._out[:n])
        self.peak = max(self.peak, float(out.max()), -float(out.min()))
