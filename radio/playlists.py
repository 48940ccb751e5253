"""Station playlists: ``.m3u8`` files whose entries are paths relative to the media folder.

Liquidsoap reads a rendered copy in the data folder with absolute paths; missing files are
left out (and logged) so a typo never reaches the air.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from radio.playout.quoting import annotate_uri

log = logging.getLogger(__name__)

#: The playlists the station airs: the rotation and its station IDs.
STATION_PLAYLISTS = ("rotation", "jingles")


def load(fp: TextIO) -> list[str]:
    """The entries of an ``.m3u8`` text stream (comments and blank lines dropped)."""
    return [line.strip() for line in fp if line.strip() and not line.lstrip().startswith("#")]


def rewrite(text: str, entries: Sequence[str]) -> str:
    """The playlist ``text`` with ``entries`` as its entries, every comment line kept.

    Entries already there keep their place and the lines around them; an entry left out
    takes with it the ``#EXT…`` directives just above it (its ``#EXTINF``); new entries go
    at the end. Plain comments (``# …``) and blank lines always stay where they were.
    """
    left = Counter(entries)
    out: list[str] = []
    held: list[str] = []  # directives waiting for the entry they describe
    for line in text.splitlines():
        bare = line.strip()
        if bare.startswith("#EXT") and bare != "#EXTM3U":
            held.append(line)
        elif bare and not bare.startswith("#"):
            if left[bare] > 0:
                left[bare] -= 1
                out += [*held, line]
            held = []
        else:
            out += [*held, line]
            held = []
    out += held
    for entry in entries:
        if left[entry] > 0:
            left[entry] -= 1
            out.append(entry)
    if not out or out[0].strip() != "#EXTM3U":
        out.insert(0, "#EXTM3U")
    return "".join(f"{line}\n" for line in out)


def resolve(entries: Iterable[str], media_dir: Path) -> Iterator[Path]:
    """Absolute paths of the entries that exist inside the media folder."""
    root = media_dir.resolve()
    for entry in entries:
        path = (root / entry).resolve()
        if not path.is_relative_to(root):
            log.warning("playlist entry %r points outside the media folder; left out", entry)
        elif not path.is_file():
            log.warning("playlist entry %r is missing from %s; left out", entry, root)
        else:
            yield path


def render(
    source: Path,
    media_dir: Path,
    target: Path,
    annotations: Mapping[str, Mapping[str, object]] | None = None,
) -> int:
    """Write ``target`` with the absolute paths of ``source``'s entries; return how many.

    ``annotations`` (absolute path → metadata) carries what media analysis measured for a
    file (``liq_cue_in``, ``liq_cue_out``, ``liq_amplify``): its line becomes an
    ``annotate:`` request, so playout applies the cues and gain without measuring again.
    Writes only when the content changes (Liquidsoap watches the file), atomically.
    """
    try:
        with source.open(encoding="utf-8") as fp:
            entries = load(fp)
    except OSError:
        entries = []
        log.warning("playlist %s cannot be read; it is treated as empty", source)
    paths = [str(p) for p in resolve(entries, media_dir)]
    known = annotations or {}
    lines = [annotate_uri(p, dict(known[p])) if p in known else p for p in paths]
    text = "#EXTM3U\n" + "".join(f"{line}\n" for line in lines)
    if target.exists() and target.read_text(encoding="utf-8") == text:
        return len(paths)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return len(paths)
