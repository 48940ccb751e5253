"""The episode's waveform as the dashboard draws it: SVG shapes from the stored levels.

The analysis stores a few hundred levels (0..1, decibel scale) across the file
(:func:`radio.media.waveform.peaks`). :func:`outline` turns them into the path data of one
bar per level, split into what will air (between the cue points) and what is trimmed, plus
where the cue lines go; ``dashboard/slot.html`` draws them in an ``<svg>`` whose viewBox is
:data:`WIDTH` × :data:`HEIGHT`, stretched to the page's width (classes in ``site.css``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 800
HEIGHT = 120
MIDDLE = HEIGHT / 2


@dataclass(frozen=True)
class Waveform:
    """Path data (``d``) for the bars that air and the trimmed ones, the cue lines' x."""

    aired: str
    trimmed: str
    cues: tuple[float, ...]
    #: The text alternative: what is drawn, in words.
    description: str
    #: Where the file ends and the rest of a longer slot begins (None: the file fills it).
    rest_x: float | None = None
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def middle(self) -> float:
        return self.height / 2


def outline(
    levels: Sequence[float],
    duration_s: float,
    cue_in_s: float,
    cue_out_s: float,
    slot_s: float | None = None,
) -> Waveform | None:
    """The shapes for ``levels`` spread over ``duration_s``; None if there is nothing to draw.

    With ``slot_s`` (the slot's length) the drawing is to the slot's scale: a file shorter
    than its slot takes only its share of the width, and the rest is left empty.
    """
    if not levels or duration_s <= 0:
        return None
    span = max(duration_s, slot_s or 0.0)
    scale = WIDTH / span
    step = scale * duration_s / len(levels)
    aired: list[str] = []
    trimmed: list[str] = []
    for i, level in enumerate(levels):
        half = round(max(0.0, min(1.0, level)) * (MIDDLE - 1), 1)
        if half <= 0:
            continue
        seconds = (i + 0.5) / len(levels) * duration_s
        bars = aired if cue_in_s <= seconds <= cue_out_s else trimmed
        bars.append(f"M{_num(i * step)} {_num(MIDDLE - half)}h{_num(step)}v{_num(2 * half)}"
                    f"h{_num(-step)}z")  # fmt: skip
    cues = tuple(round(cue * scale, 2) for cue in (cue_in_s, cue_out_s) if 0 < cue < duration_s)
    described = _describe(duration_s, cue_in_s, cue_out_s)
    rest = round(duration_s * scale, 2) if span > duration_s else None
    if rest is not None:
        described += (
            f" Drawn to the slot's length, {_clock(span)}: the empty part on the right, "
            f"{_clock(span - duration_s)}, is left to music from the rotation."
        )
    return Waveform("".join(aired), "".join(trimmed), cues, described, rest_x=rest)


def _describe(duration_s: float, cue_in_s: float, cue_out_s: float) -> str:
    trimmed = [
        where
        for where, cut in (("start", cue_in_s >= 0.5), ("end", duration_s - cue_out_s >= 0.5))
        if cut
    ]
    said = (
        f"Drawn in blue: what will air, from {_clock(cue_in_s)} to {_clock(cue_out_s)} "
        f"of the file's {_clock(duration_s)}"
    )
    if not trimmed:
        return said + "; nothing is trimmed."
    return (
        f"{said} (red lines mark the cue points). In grey: the silence trimmed at the "
        f"{' and at the '.join(trimmed)}."
    )


def _clock(seconds: float) -> str:
    """'0:05', '58:40', '1:02:03'."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _num(value: float) -> str:
    """Short SVG numbers: two decimals at most, no trailing zeros."""
    return f"{round(value, 2):g}"
