"""Loudness (ITU-R BS.1770 / EBU R128) over streamed chunks: K-weighting and gating.

K-weighting is an IIR filter, which numpy cannot run sample by sample, so it runs as
matrix products (BLAS): each block of ``_BLOCK`` samples gets its zero-state response from
one product, the filter state at every block start comes from a second product per group
of blocks, and only the group starts are chained, over a couple of terms (the filter's
memory fades within a group). The state uses a balanced realisation: the direct forms of
this filter cancel by thousands and lose float32's precision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from radio.media.pcm import Planar, Samples

_BLOCK = 64  # samples per level-1 block
_GROUP = 64  # blocks per level-2 group: 4096 samples, longer than the filter's memory
_ORDER = 4  # K-weighting is two biquads: a fourth-order filter
_TINY = 1e-20  # far below 16-bit resolution, far above float32 denormals


def k_coefficients(rate: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The K-weighting filter (pre-filter shelf, then RLB high-pass) for ``rate``, as ``b, a``.

    Derived from the analogue prototypes as libebur128 does, so it matches the standard's
    48 kHz table and works at any rate.
    """
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10.0 ** (gain_db / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf_b = [
        (vh + vb * k / q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
    ]
    shelf_a = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    hp_b = [1.0, -2.0, 1.0]
    hp_a = [
        1.0,
        2.0 * (k * k - 1.0) / (1.0 + k / q + k * k),
        (1.0 - k / q + k * k) / (1.0 + k / q + k * k),
    ]
    return np.convolve(shelf_b, hp_b), np.convolve(shelf_a, hp_a)


def _balanced(b: NDArray[np.float64], a: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
    """A balanced state-space form (A, B, C, D) of ``b/a``.

    The direct forms of this filter are badly conditioned (its high-pass has a double pole
    near 1, so history-based states cancel by thousands); balanced states are well scaled
    and keep float32 products accurate.
    """
    n = len(a) - 1
    a_mat = np.zeros((n, n))
    a_mat[0] = -a[1:]
    a_mat[1:, :-1] = np.eye(n - 1)
    b_vec = np.zeros((n, 1))
    b_vec[0, 0] = 1.0
    c_vec = (b[1:] - b[0] * a[1:]).reshape(1, n)
    kron = np.eye(n * n) - np.kron(a_mat, a_mat)
    wc = np.linalg.solve(kron, (b_vec @ b_vec.T).ravel()).reshape(n, n)
    wo = np.linalg.solve(np.eye(n * n) - np.kron(a_mat.T, a_mat.T), (c_vec.T @ c_vec).ravel())
    lc = np.linalg.cholesky((wc + wc.T) / 2)
    lo = np.linalg.cholesky((wo.reshape(n, n) + wo.reshape(n, n).T) / 2)
    u, sv, vt = np.linalg.svd(lo.T @ lc)
    t = lc @ vt.T / np.sqrt(sv)
    t_inv = (u.T @ lo.T) / np.sqrt(sv)[:, None]
    return t_inv @ a_mat @ t, t_inv @ b_vec, c_vec @ t, np.array([[b[0]]])


@dataclass(frozen=True)
class _KMatrices:
    zero_state: Samples  # (BLOCK, BLOCK): block inputs -> outputs from a zero state
    to_state: Samples  # (BLOCK, ORDER): block inputs -> state increment at the block end
    from_state: Samples  # (ORDER, BLOCK): outputs caused by the state at the block start
    within_group: Samples  # (GROUP*ORDER, GROUP*ORDER): increments -> block states
    group_start: Samples  # (ORDER, GROUP*ORDER): group's first state -> block states
    group_end: Samples  # (GROUP*ORDER, ORDER): increments -> next group's state
    #: Powers 0, 1, … of the group-to-group transition, until they no longer matter.
    carry: tuple[Samples, ...]


@lru_cache(maxsize=8)
def _k_matrices(rate: int) -> _KMatrices:
    a_mat, b_vec, c_vec, d = _balanced(*k_coefficients(rate))
    n, order, g = _BLOCK, _ORDER, _GROUP
    # Row-vector convention: state s (1, ORDER); s_next = s @ step + x_block @ to_state.
    powers_a = [np.eye(order)]
    for _ in range(n):
        powers_a.append(a_mat @ powers_a[-1])
    impulse = np.concatenate(
        [d.ravel(), [float((c_vec @ powers_a[j] @ b_vec)[0, 0]) for j in range(n - 1)]]
    )
    toeplitz = np.zeros((n, n))
    for i in range(n):
        toeplitz[i, i:] = impulse[: n - i]
    to_state = np.hstack([powers_a[n - 1 - i] @ b_vec for i in range(n)]).T  # (n, order)
    from_state = np.hstack([(c_vec @ powers_a[j]).T for j in range(n)])  # (order, n)
    step = powers_a[n].T
    powers = [np.eye(order)]
    for _ in range(g):
        powers.append(powers[-1] @ step)
    within = np.zeros((g * order, g * order))
    for i in range(g):
        for j in range(i + 1, g):
            within[i * order : (i + 1) * order, j * order : (j + 1) * order] = powers[j - 1 - i]
    carry = [np.eye(order)]
    while np.abs(carry[-1]).max() > 1e-12:
        carry.append(carry[-1] @ powers[g])
    return _KMatrices(
        zero_state=_single(toeplitz),
        to_state=_single(to_state),
        from_state=_single(from_state),
        within_group=_single(within),
        group_start=_single(np.hstack(powers[:g])),
        group_end=_single(np.vstack([powers[g - 1 - i] for i in range(g)])),
        carry=tuple(_single(c) for c in carry[:-1]),
    )


def _single(matrix: NDArray[np.float64]) -> Samples:
    """float32, with values too small to matter set to zero (denormals are very slow)."""
    return np.where(np.abs(matrix) < _TINY, 0.0, matrix).astype(np.float32)


class KWeighting:
    """Streams K-weighted energy (sum over channels of squared samples) per input frame.

    Every chunk has the same length (a multiple of :attr:`span`), so all the work buffers
    are allocated once: allocating them per chunk costs more in page faults than the maths.
    """

    span = _BLOCK * _GROUP

    def __init__(self, rate: int, channels: int, frames: int) -> None:
        assert frames % self.span == 0
        self._m = _k_matrices(rate)
        self._channels = channels
        self._groups = frames // self.span
        self._state = np.zeros((channels, _ORDER), np.float32)
        blocks = frames // _BLOCK
        self._z = np.empty((channels, blocks, _BLOCK), np.float32)
        self._w = np.empty((channels, blocks, _ORDER), np.float32)
        self._y = np.empty((channels * blocks, _BLOCK), np.float32)
        self._energy = np.empty(frames, np.float32)

    def energy(self, audio: Planar) -> Samples:
        """Per-frame energy of the chunk; the result is overwritten by the next call."""
        m, ch, order, groups = self._m, self._channels, _ORDER, self._groups
        for c in range(ch):
            blocks = audio.channel(c).reshape(-1, _BLOCK)
            np.matmul(blocks, m.zero_state, out=self._z[c])
            np.matmul(blocks, m.to_state, out=self._w[c])
        w = self._w.reshape(ch * groups, _GROUP * order)
        # State at each group start: the state this chunk began with, then the groups' ends
        # carried on; the carry fades below float precision within a few groups.
        ends = np.concatenate(
            [self._state[:, None], (w @ m.group_end).reshape(ch, groups, order)], axis=1
        )
        firsts = np.zeros_like(ends)
        for power, carry in enumerate(m.carry):
            firsts[:, power:] += ends[:, : groups + 1 - power] @ carry
        firsts[np.abs(firsts) < _TINY] = 0.0  # a silent stretch must not decay into denormals
        self._state = firsts[:, groups].copy()
        states = w @ m.within_group + firsts[:, :groups].reshape(-1, order) @ m.group_start
        y = np.matmul(states.reshape(-1, order), m.from_state, out=self._y)
        np.add(y, self._z.reshape(y.shape), out=y)
        np.multiply(y, y, out=y)
        per_channel = y.reshape(ch, -1)
        if ch == 1:
            first: Samples = per_channel[0]
            return first
        np.add(per_channel[0], per_channel[1], out=self._energy)
        for extra in per_channel[2:]:
            np.add(self._energy, extra, out=self._energy)
        return self._energy


def integrated_loudness(bins: NDArray[np.float64], hop: int) -> float | None:
    """Gated integrated loudness (LUFS) from per-100 ms energies; None when all is silence."""
    if len(bins) < 4:
        return None
    blocks = (bins[:-3] + bins[1:-2] + bins[2:-1] + bins[3:]) / (4 * hop)
    with np.errstate(divide="ignore"):
        levels = -0.691 + 10 * np.log10(blocks)
    kept = blocks[levels > -70.0]
    if kept.size == 0:
        return None
    relative = -0.691 + 10 * math.log10(float(kept.mean())) - 10.0
    kept = blocks[(levels > -70.0) & (levels > relative)]
    return -0.691 + 10 * math.log10(float(kept.mean()))
