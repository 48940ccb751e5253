"""One decode measures every format like ffmpeg's own EBU R128 meter does."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from radio.errors import ConfigError
from radio.media import analysis
from radio.media.analysis import analyse
from radio.media.probe import probe
from tests.media.make_fixtures import FORMATS


def ffmpeg_r128(path: Path, dual_mono: bool = False) -> tuple[float, float]:
    """Integrated loudness and true peak as ffmpeg's ebur128 filter reports them."""
    graph = f"ebur128=peak=true:framelog=verbose:dualmono={'true' if dual_mono else 'false'}"
    err = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-af", graph,
         "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    summary = err[err.rindex("Summary:") :]
    loudness = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))  # type: ignore[union-attr]
    return loudness, peak


def measure(path: Path, threshold: float = -50.0):  # type: ignore[no-untyped-def]
    found = probe(path)
    return analyse(path, sample_rate=found.sample_rate, channels=found.channels,
                   silence_threshold_db=threshold)  # fmt: skip


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_shows_true_duration_loudness_and_cues(media_files: Path, name: str) -> None:
    ext = FORMATS[name][1]
    path = media_files / f"programme-{name}.{ext}"
    result = measure(path)
    loudness, peak = ffmpeg_r128(path)
    assert result.duration_s == pytest.approx(7.5, abs=0.03)
    assert result.loudness_lufs == pytest.approx(loudness, abs=0.15)
    assert result.true_peak_dbtp == pytest.approx(peak, abs=0.3)
    # 1 s of leading silence and 2 s trailing, trimmed with a margin; the 1.5 s pause in
    # the middle is not silence to trim.
    assert result.cue_in_s == pytest.approx(0.75, abs=0.03)
    assert result.cue_out_s == pytest.approx(6.0, abs=0.03)
    assert not result.silent


def test_mono_speech_is_measured_as_it_airs_on_both_channels(media_files: Path) -> None:
    result = measure(media_files / "speech.wav")
    loudness, _ = ffmpeg_r128(media_files / "speech.wav", dual_mono=True)
    assert result.loudness_lufs == pytest.approx(loudness, abs=0.15)


def test_true_peak_sees_between_the_samples(media_files: Path) -> None:
    path = media_files / "loud.flac"
    result = measure(path)
    _, peak = ffmpeg_r128(path)
    assert result.true_peak_dbtp == pytest.approx(peak, abs=0.3)
    assert result.true_peak_dbtp is not None and result.true_peak_dbtp > -3.0  # samples: -3
    assert result.loudness_lufs is not None
    expected = min(-16.0 - result.loudness_lufs, -1.0 - result.true_peak_dbtp)
    assert result.gain_to(-16.0, -1.0) == pytest.approx(expected, abs=0.01)
    # A quiet file is limited by its true peak instead: gain = -1 dBTP - TP.
    assert result.gain_to(20.0, -1.0) == pytest.approx(-1.0 - result.true_peak_dbtp, abs=0.01)


def test_duration_comes_from_decoding_not_the_header(media_files: Path) -> None:
    path = media_files / "truncated.mp3"
    assert probe(path).declared_duration_s == pytest.approx(7.5, abs=0.1)
    assert measure(path).duration_s == pytest.approx(3.7, abs=0.2)


def test_threshold_is_configurable(media_files: Path) -> None:
    # The tone is at about -33 dBFS: with a -20 dBFS threshold it all counts as silence.
    assert measure(media_files / "programme-flac.flac", threshold=-20.0).silent


def test_a_silent_file_is_flagged(media_files: Path) -> None:
    result = measure(media_files / "silent.mp3")
    assert result.silent and result.loudness_lufs is None
    assert (result.cue_in_s, result.cue_out_s) == (0.0, result.duration_s)
    assert result.gain_to(-16.0, -1.0) == 0.0


def test_the_decoder_is_paused_when_it_runs_far_ahead(
    media_files: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No pipe means no back-pressure: a slow reader must not let the decoded audio pile up."""
    longer = tmp_path / "long.wav"
    subprocess.run(["sox", *[str(media_files / "master.wav")] * 30, str(longer)], check=True)
    normal = measure(longer)
    seen: list[analysis._Decoded] = []

    class Watched(analysis._Decoded):
        def __init__(self, *args: object) -> None:
            super().__init__(*args)  # type: ignore[arg-type]
            seen.append(self)

    slow_add = analysis._Meter.add

    def slowly(meter: analysis._Meter, *args: object) -> None:
        time.sleep(0.003)
        slow_add(meter, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(analysis, "MAX_AHEAD", 1 << 20)
    monkeypatch.setattr(analysis, "_Decoded", Watched)
    monkeypatch.setattr(analysis._Meter, "add", slowly)
    paced = measure(longer)
    assert (paced.duration_s, paced.loudness_lufs, paced.true_peak_dbtp) == (
        normal.duration_s,
        normal.loudness_lufs,
        normal.true_peak_dbtp,
    )
    total = int(paced.duration_s * 44100 * 4)  # 40 MB of 16-bit PCM
    # Paused at 1 MB ahead; a busy machine lets the decoder run on a little before it stops.
    assert seen and seen[0].most_ahead < 20 << 20 < total


def test_a_missing_ffmpeg_is_one_sentence(
    media_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(ConfigError, match=r"^ffprobe is not installed, so audio cannot be checked"):
        probe(media_files / "programme-mp3.mp3")
    with pytest.raises(ConfigError, match=r"^ffmpeg is not installed"):
        analyse(media_files / "programme-mp3.mp3", sample_rate=44100, channels=2,
                silence_threshold_db=-50.0)  # fmt: skip


def _float_wav(path: Path, graph: str) -> Path:
    """A 32-bit float WAV made by ffmpeg's lavfi (so levels above full scale survive)."""
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", graph,
         "-c:a", "pcm_f32le", str(path)],
        check=True,
    )  # fmt: skip
    return path


def test_silence_with_a_dc_offset_is_still_trimmed(tmp_path: Path) -> None:
    # 1.2 s of nothing but a small DC offset (-34 dBFS, as a cheap interface leaves), then a
    # tone riding on the same offset: the offset is not sound.
    graph = "aevalsrc='0.02+if(gte(t,1.2),0.25*sin(2*PI*440*t),0)':s=44100:d=4"
    result = measure(_float_wav(tmp_path / "dc.wav", graph))
    assert result.cue_in_s == pytest.approx(1.2 - analysis.LEAD_PAD_S, abs=0.03)
    assert not result.silent


def test_hot_files_are_measured_in_floating_point(tmp_path: Path) -> None:
    # The same tone at +15 dBFS and at 0 dBFS: loudness and true peak differ by exactly 15 dB
    # (a meter that clips, or reads the file through 16 bits, sees less on the hot one).
    hot = measure(_float_wav(tmp_path / "hot.wav", "aevalsrc='5.6234*sin(2*PI*997*t)':s=48000:d=5"))
    cold = measure(_float_wav(tmp_path / "cold.wav", "aevalsrc='sin(2*PI*997*t)':s=48000:d=5"))
    assert hot.loudness_lufs - cold.loudness_lufs == pytest.approx(15.0, abs=0.1)
    assert hot.true_peak_dbtp == pytest.approx(15.0, abs=0.3)
    assert cold.true_peak_dbtp == pytest.approx(0.0, abs=0.3)
