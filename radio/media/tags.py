"""Tags through mutagen: title, artist, album, ISRC and embedded art, cleaned.

Tags come from whoever made the file, so every value is cleaned before it is stored or
shown: control and invisible characters removed (a newline in a title once broke another
station's playout), whitespace collapsed, lengths capped. A file whose tags mutagen cannot
read still imports; its tags are simply empty.
"""

from __future__ import annotations

import base64
import logging
import re
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen
from mutagen.flac import Picture

log = logging.getLogger(__name__)

MAX_TEXT = 200
MAX_ART_BYTES = 4 * 1024 * 1024
_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")
_DROP = {"Cc", "Cf", "Co", "Cs", "Cn"}


@dataclass(frozen=True)
class Tags:
    title: str | None = None
    artist: str | None = None
    album: str | None = None
    isrc: str | None = None
    art: bytes | None = None
    art_extension: str | None = None  # "jpg" or "png"


def clean_text(value: object, limit: int = MAX_TEXT) -> str | None:
    """One line of plain text, at most ``limit`` characters; None when nothing is left."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value))
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch in "\t\r\n" or category in ("Zl", "Zp"):
            kept.append(" ")
        elif category not in _DROP:
            kept.append(ch)
    cleaned = " ".join("".join(kept).split())[:limit].strip()
    return cleaned or None


def clean_isrc(value: object) -> str | None:
    """An ISRC in its 12-character form, or None when the value is not one."""
    text = clean_text(value, 40)
    if text is None:
        return None
    compact = re.sub(r"[\s-]", "", text).upper()
    return compact if _ISRC.match(compact) else None


def read_tags(path: Path) -> Tags:
    try:
        found: Any = mutagen.File(path)
    except (mutagen.MutagenError, ValueError, KeyError, IndexError, struct.error, OSError):
        log.warning("tags of %s cannot be read; importing without them", path, exc_info=True)
        return Tags()
    if found is None or found.tags is None:
        return Tags()
    tags = found.tags
    values: dict[str, object] = {}
    art: tuple[bytes, str | None] | None = None
    if hasattr(tags, "getall"):  # ID3 (MP3, and WAV/AIFF with an ID3 chunk)
        for key, frame in (("title", "TIT2"), ("artist", "TPE1"), ("album", "TALB"),
                           ("isrc", "TSRC")):  # fmt: skip
            frames = tags.getall(frame)
            if frames and frames[0].text:
                values[key] = frames[0].text[0]
        pictures = tags.getall("APIC")
        if pictures:
            art = (bytes(pictures[0].data), None)
    elif _is_mp4(tags):
        for key, atom in (("title", "\xa9nam"), ("artist", "\xa9ART"), ("album", "\xa9alb")):
            if tags.get(atom):
                values[key] = tags[atom][0]
        raw_isrc = tags.get("----:com.apple.iTunes:ISRC")
        if raw_isrc:
            values["isrc"] = bytes(raw_isrc[0]).decode("utf-8", "replace")
        if tags.get("covr"):
            art = (bytes(tags["covr"][0]), None)
    else:  # Vorbis comments (Ogg Vorbis, Opus, FLAC)
        for key in ("title", "artist", "album", "isrc"):
            if tags.get(key):
                values[key] = tags[key][0]
        art = _vorbis_art(found, tags)
    data, ext = _image(art[0]) if art else (None, None)
    return Tags(
        title=clean_text(values.get("title")),
        artist=clean_text(values.get("artist")),
        album=clean_text(values.get("album")),
        isrc=clean_isrc(values.get("isrc")),
        art=data,
        art_extension=ext,
    )


def _is_mp4(tags: Any) -> bool:
    return type(tags).__name__ == "MP4Tags"


def _vorbis_art(found: Any, tags: Any) -> tuple[bytes, str | None] | None:
    pictures = getattr(found, "pictures", None)
    if pictures:
        return bytes(pictures[0].data), None
    blocks = tags.get("metadata_block_picture") if hasattr(tags, "get") else None
    if blocks:
        try:
            picture = Picture(base64.b64decode(blocks[0]))  # type: ignore[no-untyped-call]
            return bytes(picture.data), None
        except (mutagen.MutagenError, ValueError, struct.error):
            return None
    return None


def _image(data: bytes) -> tuple[bytes | None, str | None]:
    """Keep only reasonably sized JPEG or PNG art, recognised by its bytes."""
    if len(data) > MAX_ART_BYTES:
        return None, None
    if data.startswith(b"\xff\xd8\xff"):
        return data, "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data, "png"
    return None, None
