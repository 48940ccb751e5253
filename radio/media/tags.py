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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, overload, runtime_checkable

import mutagen
from mutagen.flac import Picture

if TYPE_CHECKING:  # typing.TypeIs comes with Python 3.13
    from typing_extensions import TypeIs

log = logging.getLogger(__name__)

MAX_TEXT = 200
MAX_ART_BYTES = 4 * 1024 * 1024
_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")
_DROP = {"Cc", "Cf", "Co", "Cs", "Cn"}


_ID3Text = Literal["TIT2", "TPE1", "TALB", "TSRC"]
_MP4Text = Literal["\xa9nam", "\xa9ART", "\xa9alb"]
_MP4Bytes = Literal["covr", "----:com.apple.iTunes:ISRC"]
#: The ID3 frame and the MP4 atom that hold each tag.
_ID3_FRAMES: tuple[tuple[str, _ID3Text], ...] = (
    ("title", "TIT2"), ("artist", "TPE1"), ("album", "TALB"), ("isrc", "TSRC"),
)  # fmt: skip
_MP4_ATOMS: tuple[tuple[str, _MP4Text], ...] = (
    ("title", "\xa9nam"), ("artist", "\xa9ART"), ("album", "\xa9alb"),
)  # fmt: skip


class _Picture(Protocol):
    """Embedded art: an ID3 ``APIC`` frame or a FLAC picture block."""

    data: bytes


class _TextFrame(Protocol):
    """An ID3 text frame; its first value is the tag's."""

    text: Sequence[str]


@runtime_checkable
class _ID3Tags(Protocol):
    """ID3 tags (MP3, and WAV/AIFF with an ID3 chunk): frames by their four-letter id."""

    @overload
    def getall(self, key: Literal["APIC"]) -> Sequence[_Picture]: ...
    @overload
    def getall(self, key: _ID3Text) -> Sequence[_TextFrame]: ...


class _MP4Tags(Protocol):
    """MP4 atoms: text atoms hold text; cover art and freeform atoms hold bytes."""

    @overload
    def get(self, key: _MP4Text) -> Sequence[str] | None: ...
    @overload
    def get(self, key: _MP4Bytes) -> Sequence[bytes] | None: ...
    @overload
    def __getitem__(self, key: _MP4Text) -> Sequence[str]: ...
    @overload
    def __getitem__(self, key: _MP4Bytes) -> Sequence[bytes]: ...


class _VorbisTags(Protocol):
    """Vorbis comments (Ogg Vorbis, Opus, FLAC): values by lower-case name."""

    def get(self, key: str) -> Sequence[str] | None: ...
    def __getitem__(self, key: str) -> Sequence[str]: ...


class _AudioFile(Protocol):
    """What ``mutagen.File`` opens (it gives None for a file it does not know)."""

    tags: _ID3Tags | _MP4Tags | _VorbisTags | None


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
        found: _AudioFile | None = mutagen.File(path)
    except (mutagen.MutagenError, ValueError, KeyError, IndexError, struct.error, OSError):
        log.warning("tags of %s cannot be read; importing without them", path, exc_info=True)
        return Tags()
    if found is None or found.tags is None:
        return Tags()
    tags = found.tags
    values: dict[str, object] = {}
    art: tuple[bytes, str | None] | None = None
    if isinstance(tags, _ID3Tags):  # it has getall: ID3 (MP3, and WAV/AIFF with an ID3 chunk)
        for key, frame in _ID3_FRAMES:
            frames = tags.getall(frame)
            if frames and frames[0].text:
                values[key] = frames[0].text[0]
        pictures = tags.getall("APIC")
        if pictures:
            art = (bytes(pictures[0].data), None)
    elif _is_mp4(tags):
        for key, atom in _MP4_ATOMS:
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


def _is_mp4(tags: object) -> TypeIs[_MP4Tags]:
    return type(tags).__name__ == "MP4Tags"


def _vorbis_art(found: _AudioFile, tags: _VorbisTags) -> tuple[bytes, str | None] | None:
    pictures: Sequence[_Picture] | None = getattr(found, "pictures", None)  # FLAC
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
