"""The one way values reach Liquidsoap: as quoted string literals.

Both the generated script and every control-socket command build their values here, so a
quote, a backslash or a newline in a title can never end a string or start a command.
"""

from __future__ import annotations

import unicodedata

#: Longest value passed on; Liquidsoap reads one command per line, so keep lines sane.
MAX_VALUE_CHARS = 2000

#: Icecast puts an MP3 mount's title into the stream as ``StreamTitle='…';`` without escaping,
#: and players end the title at the first ``';``. The script replaces this character in every
#: title it sends to Icecast (with :data:`ICY_QUOTE_STANDIN`), so a title cannot end early and
#: add fields of its own (``StreamUrl=…``).
ICY_QUOTE = "'"
ICY_QUOTE_STANDIN = "\u2019"  # ’, what typesetters print for an apostrophe anyway


def clean_value(value: object) -> str:
    """Text with control characters (newlines included) replaced by spaces and length capped."""
    text = str(value)
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)
    return cleaned[:MAX_VALUE_CHARS]


def quote(value: object) -> str:
    """A Liquidsoap double-quoted string literal holding ``value``, on one line.

    Control characters become spaces; ``\\`` and ``"`` are escaped. This is the form for
    the control socket (``annotate:`` values, command arguments). Liquidsoap would interpolate
    ``#{…}`` inside an ``annotate:`` value (and then drop the request), and no escape stops
    that there, so ``#{`` is sent as ``# {``.
    """
    return _escape(clean_value(value).replace("#{", "# {"))


def script_string(value: object) -> str:
    """A Liquidsoap script expression for the string ``value``.

    Like :func:`quote`, and also safe from ``#{…}`` interpolation, which Liquidsoap applies
    to script literals after escapes: ``#{`` is split into ``"#" ^ "{"``.
    """
    parts = clean_value(value).split("#{")
    if len(parts) > 1:
        return "(" + ' ^ "#" ^ "{" ^ '.join(_escape(p) for p in parts) + ")"
    return _escape(parts[0])


def _escape(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def annotate_uri(path: str, metadata: dict[str, object]) -> str:
    """An ``annotate:`` request URI: ``annotate:k="v",…:path`` with every value quoted."""
    for key in metadata:
        if not key.replace("_", "").isalnum() or not key.isascii():
            raise ValueError(f"metadata key {key!r} is not a plain name")
    pairs = ",".join(f"{key}={quote(value)}" for key, value in metadata.items())
    target = clean_value(path)
    return f"annotate:{pairs}:{target}" if pairs else target
