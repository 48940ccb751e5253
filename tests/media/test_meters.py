"""The measurements themselves, on synthetic samples (no ffmpeg): K-weighting against a
direct recursion, true peak against full interpolation, loudness against EBU Tech 3341."""

from __future__ import annotations

import math

import numpy as np
import pytest

from radio.media.analysis import _Meter
from radio.media.loudness import KWeighting, integrated_loudness, k_coefficients
from radio.media.pcm import TILE, Planar
from radio.media.truepeak import TruePeak, _interpolator

SPAN = KWeighting.span


def reference_filter(x: np.ndarray, rate: int) -> np.ndarray:
    """The K-weighting recursion, sample by sample, in float64."""
    b, a = k_coefficients(rate)
    y = np.zeros_like(x, dtype=np.float64)
    for n in range(len(x)):
        acc = sum(b[k] * x[n - k] for k in range(5) if n - k >= 0)
        acc -= sum(a[k] * y[n - k] for k in range(1, 5) if n - k >= 0)
        y[n] = acc
    return y


def planar(x: np.ndarray, frames: int) -> list[Planar]:
    """Chunks of ``x`` (frames, channels) as the meter loads them (float, full scale 1.0)."""
    chunks = []
    audio = Planar(x.shape[1], frames)
    for start in range(0, len(x), frames):
        pcm = x[start : start + frames].astype(np.float32)
        audio.load(pcm)
        chunks.append(audio)
    return chunks


@pytest.mark.parametrize("rate", [8000, 44100, 48000])
def test_k_weighting_matches_the_recursion_across_chunks(rate: int) -> None:
    rng = np.random.default_rng(rate)
    t = np.arange(3 * SPAN) / rate
    bass = 0.4 * np.sin(2 * np.pi * 45 * t)  # near the high-pass corner: the hard case
    x = np.stack([bass + 0.1 * rng.standard_normal(len(t)), 0.3 * rng.standard_normal(len(t))], 1)
    x = np.round(x * 16384) / 16384
    kw = KWeighting(rate, 2, SPAN)
    audio = Planar(2, SPAN)
    got = []
    for start in range(0, len(x), SPAN):
        audio.load(x[start : start + SPAN].astype(np.float32))
        got.append(kw.energy(audio).copy())
    want = reference_filter(x[:, 0], rate) ** 2 + reference_filter(x[:, 1], rate) ** 2
    assert np.allclose(np.concatenate(got), want, rtol=1e-4, atol=1e-6)


def test_true_peak_equals_interpolating_everything() -> None:
    rng = np.random.default_rng(7)
    frames = 4 * TILE
    x = rng.standard_normal((frames * 3, 2)) * np.linspace(0.05, 0.4, frames * 3)[:, None]
    x[5000, 1], x[5001, 1] = 0.9, 0.9  # an inter-sample peak between two equal samples
    x = np.round(x * 16384) / 16384
    audio = Planar(2, frames)
    meter = TruePeak(audio)
    for start in range(0, len(x), frames):
        audio.load(x[start : start + frames].astype(np.float32))
        meter.add()
    matrix = _interpolator().matrix
    best = float(np.abs(x).max())
    for c in range(2):
        padded = np.concatenate([np.zeros(11), x[:, c]])
        rows = np.lib.stride_tricks.sliding_window_view(padded, 27)[::16]
        best = max(best, float(np.abs(rows @ matrix).max()))
    assert meter.peak == pytest.approx(best, rel=1e-5)
    assert meter.peak > 0.9  # above the sample peak


def test_ebu_3341_sine_at_minus_23_dbfs_reads_minus_23_lufs() -> None:
    rate = 48000
    t = np.arange(20 * rate) / rate
    level = 10 ** (-23 / 20)
    tone = level * np.sin(2 * np.pi * 1000 * t)
    pcm = np.stack([tone, tone], 1).astype(np.float32)
    meter = _Meter(rate, 2, -50.0)
    for start in range(0, len(pcm), meter.chunk_frames):
        meter.add(pcm[start : start + meter.chunk_frames])
    result = meter.result(0)
    assert result.loudness_lufs == pytest.approx(-23.0, abs=0.1)
    assert result.true_peak_dbtp == pytest.approx(-23.0, abs=0.1)
    assert result.duration_s == 20.0


def test_mono_counts_as_dual_mono() -> None:
    rate = 48000
    t = np.arange(10 * rate) / rate
    tone = (10 ** (-23 / 20)) * np.sin(2 * np.pi * 1000 * t)
    meter = _Meter(rate, 1, -50.0)
    pcm = tone[:, None].astype(np.float32)
    for start in range(0, len(pcm), meter.chunk_frames):
        meter.add(pcm[start : start + meter.chunk_frames])
    assert meter.result(0).loudness_lufs == pytest.approx(-23.0, abs=0.1)


def test_gating_ignores_silence_and_returns_none_for_all_silence() -> None:
    hop = 4800
    loud = np.full(50, 0.01 * hop)
    with_silence = np.concatenate([loud, np.zeros(200)])
    # The 47 all-loud blocks and the 3 that straddle the end (3/4, 1/2, 1/4 loud) pass the
    # gates; the silent ones do not.
    expected = -0.691 + 10 * math.log10(0.01 * (47 + 0.75 + 0.5 + 0.25) / 50)
    assert integrated_loudness(with_silence, hop) == pytest.approx(expected, abs=0.001)
    assert integrated_loudness(np.zeros(100), hop) is None
    assert -0.691 + 10 * math.log10(0.01) == pytest.approx(integrated_loudness(loud, hop))
