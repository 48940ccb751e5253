"""The type of a JSON value, for documents the station reads or writes as JSON.

``JSON`` is exactly what :func:`json.loads` gives and :func:`json.dumps` takes: objects with
text keys, arrays, text, numbers, booleans and null. A document whose shape is known gets a
``TypedDict`` or a dataclass of its own; this is for the rest (answers from other programs,
the OpenAPI document, LibreTime's answers).
"""

from __future__ import annotations

from typing import TypeAlias

JSON: TypeAlias = dict[str, "JSON"] | list["JSON"] | str | int | float | bool | None
