"""Measure a file in one decode: true duration, loudness, true peak, cues and an envelope.

One ``ffmpeg`` process decodes the audio once and writes 16-bit PCM at half level (6 dB of
headroom, so ordinary overshoots above full scale survive); a hot master whose peaks go above
+6 dBFS clips there, and is decoded once more as 32-bit float, so its loudness and true peak
are measured as they are. Python
reads it in fixed chunks and feeds every measurement from the same samples, so memory stays
flat however long the file is and the time is the decode plus a little: the numpy work runs on
the other core while ffmpeg decodes ahead.

Silence is judged on the sound with its DC offset removed (half each 512-sample tile's
peak-to-peak range), so the constant offset that a cheap interface leaves in "silence" is not
taken for sound; loudness has its own high-pass (K-weighting) and the true peak reads the
real samples.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import math
import os
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import numpy as np
from numpy.typing import NDArray
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped,unused-ignore]

from radio import processes
from radio.media.loudness import KWeighting, integrated_loudness
from radio.media.pcm import TILE, Planar
from radio.media.probe import missing_program
from radio.media.truepeak import TruePeak

log = logging.getLogger(__name__)

#: Kept before the first sound and after the last, so breaths and reverb tails survive.
LEAD_PAD_S = 0.25
TAIL_PAD_S = 0.5
_CHUNK_SPANS = 32  # chunk = 32 K-weighting spans (131072 frames, 3 s at 44.1 kHz)


@dataclass(frozen=True)
class _Pcm:
    """How ffmpeg hands the decoded audio over."""

    format: str
    dtype: np.dtype[np.int16] | np.dtype[np.float32]
    #: To full scale 1.0.
    scale: float
    filters: tuple[str, ...] = ()
    #: A sample this large means the decode clipped (None: it cannot).
    clips_at: int | None = None


#: 16-bit at half level (6 dB of headroom): half the bytes of float, fast enough for
#: bench/ingest.py's ratio. A file whose peaks go above +6 dBFS clips here, and is decoded
#: again as :data:`FLOAT` (measured as it is).
SHORT = _Pcm("s16le", np.dtype(np.int16), 2.0 / 32768, ("-af", "volume=0.5"), 32767)
FLOAT = _Pcm(
    "f32le", np.dtype(np.float32), 1.0
)  # chunk = 32 K-weighting spans (131072 frames, 3 s at 44.1 kHz)


@dataclass(frozen=True)
class Analysis:
    """What one decode measured. Levels are None for a file that is silent throughout."""

    duration_s: float
    loudness_lufs: float | None
    true_peak_dbtp: float | None
    cue_in_s: float
    cue_out_s: float
    silent: bool
    decode_errors: int
    #: Peak level (full scale 1.0) of each ``window_s`` of the decoded audio.
    envelope: NDArray[np.float32] = field(repr=False)
    window_s: float = 0.01

    def gain_to(self, target_lufs: float, true_peak_max_dbtp: float) -> float:
        """Gain (dB) that brings the loudness to target without the true peak passing its max."""
        if self.loudness_lufs is None or self.true_peak_dbtp is None:
            return 0.0
        gain = min(target_lufs - self.loudness_lufs, true_peak_max_dbtp - self.true_peak_dbtp)
        return round(gain, 2)


def analyse(
    path: Path,
    *,
    sample_rate: int,
    channels: int,
    silence_threshold_db: float,
    progress: Callable[[float], None] | None = None,
) -> Analysis:
    """Decode ``path`` once and measure it (a duration of 0 when nothing decodes).

    ``progress`` is told the seconds of audio measured so far, every few seconds of audio
    (the upload page shows it while a long file is checked).
    """
    rate = min(sample_rate, 48000)
    out_channels = 1 if channels == 1 else 2
    for pcm in (SHORT, FLOAT):
        meter = _Meter(rate, out_channels, silence_threshold_db)
        # ffmpeg needs the other core: BLAS must not spread its small products over both.
        with (
            threadpool_limits(1, user_api="blas"),
            _decoder(path, out_channels, rate, pcm) as decoded,
        ):
            _pump(decoded, meter, pcm, progress)
        if not meter.clipped:
            break
        log.info("%s peaks above +6 dBFS: measured again in floating point", path.name)
    code, errors = decoded.code, decoded.errors
    if meter.frames == 0:
        log.info("ffmpeg decoded nothing from %s (exit %s): %s", path, code, list(errors.lines))
    if code != 0:
        log.warning("ffmpeg exit %s on %s after %d frames: %s", code, path, meter.frames,
                    list(errors.lines))  # fmt: skip
    return meter.result(errors.count)


class _Decoded:
    """ffmpeg's PCM output as a stream: ``readinto`` blocks until bytes come or it ends.

    ffmpeg writes into an anonymous in-memory file (memfd) rather than a pipe: on this kind
    of machine that costs the decoder half the system time of a pipe, and the decoder's
    core is the one the whole analysis waits for. The reader follows the writer and frees
    what it has read (punching holes), so the memory in use stays a few megabytes.
    """

    def __init__(self, proc: subprocess.Popen[bytes], fd: int, errors: _Errors) -> None:
        self.proc = proc
        self.fd = fd
        self.errors = errors
        self.code = 0
        self.most_ahead = 0  # the most bytes ffmpeg was ahead of the reader (for tests)
        self._pos = 0
        self._freed = 0
        self._paused = False

    def _pace(self) -> None:
        """Without a pipe there is no back-pressure: pause ffmpeg when it runs far ahead
        (a slow or busy machine), so memory stays bounded, and let it go on later."""
        ahead = os.fstat(self.fd).st_size - self._pos
        self.most_ahead = max(self.most_ahead, ahead)
        if not self._paused and ahead > MAX_AHEAD:
            self._signal(signal.SIGSTOP)
        elif self._paused and ahead < MAX_AHEAD // 4:
            self._signal(signal.SIGCONT)

    def _signal(self, which: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(which)
        self._paused = which == signal.SIGSTOP

    def resume(self) -> None:
        if self._paused:
            self._signal(signal.SIGCONT)

    def readinto(self, view: memoryview) -> int:
        while True:
            got = os.preadv(self.fd, [view], self._pos)
            if got:
                self._pos += got
                if self._pos - self._freed >= _FREE_EVERY:
                    _punch_hole(self.fd, self._freed, self._pos - self._freed)
                    self._freed = self._pos
                self._pace()
                return got
            if self.proc.poll() is not None:
                got = os.preadv(self.fd, [view], self._pos)  # what came just before the end
                self._pos += got
                return got
            time.sleep(0.001)


@contextlib.contextmanager
def _decoder(path: Path, channels: int, rate: int, pcm: _Pcm) -> Iterator[_Decoded]:
    fd = os.memfd_create("radio-pcm", os.MFD_CLOEXEC)
    cmd = [
        "ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-i", str(path),
        "-map", "0:a:0", "-vn", "-sn", "-dn", *pcm.filters,
        "-ac", str(channels), "-ar", str(rate), "-f", pcm.format, "-y", f"/dev/fd/{fd}",
    ]  # fmt: skip
    try:
        try:
            proc = processes.popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, pass_fds=(fd,))  # fmt: skip
        except FileNotFoundError:
            raise missing_program("ffmpeg") from None
        with proc:
            assert proc.stderr is not None
            decoded = _Decoded(proc, fd, _drain(proc.stderr))
            try:
                yield decoded
            finally:
                decoded.resume()
                if proc.poll() is None:
                    proc.kill()
                decoded.code = proc.wait()
                decoded.errors.join()
    finally:
        os.close(fd)


_FREE_EVERY = 4 << 20
#: How far (bytes) ffmpeg may decode ahead of the meters before it is paused.
MAX_AHEAD = 32 << 20
_libc = ctypes.CDLL(None, use_errno=True)
_FALLOC_FL_KEEP_SIZE = 1
_FALLOC_FL_PUNCH_HOLE = 2


def _punch_hole(fd: int, offset: int, length: int) -> None:
    """Free the pages of ``fd`` in ``[offset, offset + length)`` (already read)."""
    mode = _FALLOC_FL_KEEP_SIZE | _FALLOC_FL_PUNCH_HOLE
    if _libc.fallocate(fd, mode, ctypes.c_long(offset), ctypes.c_long(length)) != 0:
        log.debug("fallocate: %s", os.strerror(ctypes.get_errno()))


class _Errors(threading.Thread):
    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__(daemon=True)
        self._stream = stream
        self.lines: deque[str] = deque(maxlen=20)
        self.count = 0

    def run(self) -> None:
        for raw in self._stream:
            self.count += 1
            self.lines.append(raw.decode("utf-8", "replace").rstrip())


def _drain(stream: IO[bytes]) -> _Errors:
    thread = _Errors(stream)
    thread.start()
    return thread


def _pump(
    stream: _Decoded, meter: _Meter, pcm: _Pcm, progress: Callable[[float], None] | None
) -> None:
    frame_bytes = pcm.dtype.itemsize * meter.channels
    chunk = np.empty(meter.chunk_frames * meter.channels, pcm.dtype)
    view = chunk.data.cast("B")
    while True:
        filled = 0
        while filled < len(view):
            got = stream.readinto(view[filled:])
            if not got:
                break
            filled += got
        frames = filled // frame_bytes
        if frames:
            meter.add(chunk[: frames * meter.channels].reshape(frames, meter.channels), pcm)
            if progress is not None:
                progress(meter.frames / meter.rate)
        if filled < len(view):
            return


class _Meter:
    """Every measurement over the same stream of float frames, in fixed-size chunks."""

    chunk_frames = KWeighting.span * _CHUNK_SPANS

    def __init__(self, rate: int, channels: int, threshold_db: float) -> None:
        self.rate = rate
        self.channels = channels
        self.frames = 0
        self._threshold = 10.0 ** (threshold_db / 20.0)
        self._audio = Planar(channels, self.chunk_frames)
        self._kweighting = KWeighting(rate, channels, self.chunk_frames)
        self._true_peak = TruePeak(self._audio)
        self._bins = _Bins(round(rate / 10))
        self._envelope: list[NDArray[np.float32]] = []
        self._sound: list[NDArray[np.float32]] = []
        #: The 16-bit decode reached full scale: a peak above +6 dBFS was cut off.
        self.clipped = False

    def add(
        self, samples: NDArray[np.float32] | NDArray[np.int16], pcm: _Pcm | None = None
    ) -> None:
        count = samples.shape[0]
        self.frames += count
        scale = 1.0 if pcm is None else pcm.scale
        if pcm is not None and pcm.clips_at is not None and not self.clipped:
            self.clipped = bool(np.abs(samples).max() >= pcm.clips_at)
        self._audio.load(samples, scale)
        self._true_peak.add()
        tiles = -(-count // TILE)
        self._envelope.append(self._true_peak.tile_peaks[:tiles].copy())
        self._sound.append(self._sound_peaks(tiles))
        self._bins.add(self._kweighting.energy(self._audio)[:count])

    def _sound_peaks(self, tiles: int) -> NDArray[np.float32]:
        """Each tile's peak with its DC offset removed (the loudest channel)."""
        peaks = np.zeros(tiles, np.float32)
        for c in range(self.channels):
            tile = self._audio.channel(c)[: tiles * TILE].reshape(tiles, TILE)
            # Half the tile's peak-to-peak range: a constant offset cancels out (two
            # reductions, no copy of the samples).
            np.maximum(peaks, (tile.max(axis=1) - tile.min(axis=1)) * 0.5, out=peaks)
        return peaks

    def result(self, decode_errors: int) -> Analysis:
        envelope = np.concatenate(self._envelope) if self._envelope else np.zeros(0, np.float32)
        sound = np.concatenate(self._sound) if self._sound else np.zeros(0, np.float32)
        duration = self.frames / self.rate
        bins = self._bins.values() * (2.0 if self.channels == 1 else 1.0)
        loudness = integrated_loudness(bins, self._bins.size)  # mono airs on both channels
        peak = self._true_peak.peak
        true_peak = 20 * math.log10(peak) if peak > 0 else None
        loud = np.flatnonzero(sound > self._threshold)
        window_s = TILE / self.rate
        if loud.size == 0:
            cue_in, cue_out, silent = 0.0, duration, True
        else:
            cue_in = max(0.0, loud[0] * window_s - LEAD_PAD_S)
            cue_out = min(duration, (loud[-1] + 1) * window_s + TAIL_PAD_S)
            silent = False
        return Analysis(
            duration_s=round(duration, 3),
            loudness_lufs=None if silent or loudness is None else round(loudness, 2),
            true_peak_dbtp=None if silent or true_peak is None else round(true_peak, 2),
            cue_in_s=round(cue_in, 3),
            cue_out_s=round(cue_out, 3),
            silent=silent,
            decode_errors=decode_errors,
            envelope=envelope,
            window_s=window_s,
        )


class _Bins:
    """Sums a stream of per-frame energies over consecutive runs of ``size`` frames (the
    100 ms bins of BS.1770); chunks need not line up with the runs."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._done: list[NDArray[np.float64]] = []
        self._partial = 0.0
        self._filled = 0

    def add(self, values: NDArray[np.float32]) -> None:
        pos = 0
        if self._filled:
            take = min(self.size - self._filled, len(values))
            self._partial += float(values[:take].sum(dtype=np.float64))
            self._filled += take
            pos = take
            if self._filled < self.size:
                return
            self._done.append(np.array([self._partial]))
            self._partial, self._filled = 0.0, 0
        whole = (len(values) - pos) // self.size * self.size
        if whole:
            runs = values[pos : pos + whole].reshape(-1, self.size)
            self._done.append(np.asarray(runs.sum(axis=1, dtype=np.float64), np.float64))
        if pos + whole < len(values):
            self._partial = float(values[pos + whole :].sum(dtype=np.float64))
            self._filled = len(values) - pos - whole

    def values(self) -> NDArray[np.float64]:
        """The complete bins (a last, partial one does not count, as in BS.1770)."""
        return np.concatenate(self._done) if self._done else np.zeros(0)
