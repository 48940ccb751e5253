"""The client's file name: kept as metadata only, and refused when it could mislead.

Nothing here ever becomes a path; stored files are named by their content hash. A name
that holds a path separator, ``..``, control characters or invisible and direction-changing
characters is still refused, because it would be shown to people (in the library, in the
as-run log) and could pretend to be something else there.
"""

from __future__ import annotations

import unicodedata

from radio.errors import MediaRejected

MAX_NAME_BYTES = 255
#: Characters drawn like path separators or like "..", which could pass for a path.
_LOOKALIKES = {
    **dict.fromkeys("\u2044\u2215\u29f8\uff0f", "a slash"),
    **dict.fromkeys("\u2216\u29f5\u29f9\uff3c", "a backslash"),
    **dict.fromkeys("\u2024\u2025", "dots"),
}

#: Unicode categories that have no business in a file name: controls, format characters
#: (bidi overrides, zero-width joiners…), private use, surrogates, unassigned, line breaks.
_REFUSED = {
    "Cc": "a control character",
    "Cf": "an invisible or direction-changing character",
    "Co": "a private-use character",
    "Cs": "a broken (surrogate) character",
    "Cn": "an unassigned character",
    "Zl": "a line break",
    "Zp": "a paragraph break",
}


def clean_filename(name: str) -> str:
    """The name as it will be shown (NFC); :class:`MediaRejected` with the reason if refused."""
    if not name or not name.strip():
        raise MediaRejected("The file has no name; give it one (for example show-2026-11-22.mp3).")
    for ch in name:
        kind = _REFUSED.get(unicodedata.category(ch))
        if kind:
            raise MediaRejected(
                f"The file name contains {kind} (U+{ord(ch):04X}); "
                "rename the file with plain letters, digits and punctuation."
            )
    if "/" in name or "\\" in name:
        raise MediaRejected(
            "The file name contains a path separator (/ or \\); "
            "rename the file to a plain name and send it again."
        )
    if ".." in name:
        raise MediaRejected(
            'The file name contains ".."; rename the file without two dots in a row.'
        )
    for ch in name:
        if ch in _LOOKALIKES:
            raise MediaRejected(
                f"The file name contains {unicodedata.name(ch).lower()} (U+{ord(ch):04X}), "
                f"which looks like {_LOOKALIKES[ch]}; rename the file to a plain name."
            )
    name = unicodedata.normalize("NFC", name.strip())
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise MediaRejected(
            f"The file name is longer than {MAX_NAME_BYTES} bytes; shorten it and send it again."
        )
    return name
