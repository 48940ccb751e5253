"""Browser libraries the pages use, served from the project's ``node_modules``.

``make install`` puts them there with ``npm ci`` (``package.json`` and its lock pin each
version), so the site never fetches script from another origin and the CSP stays
``script-src 'self'``. Only the files named in :data:`FILES` are served, under
``/vendor/<name>``; anything else in ``node_modules`` stays out of reach.
"""

from __future__ import annotations

import functools
import hashlib
import io
from pathlib import Path

from flask import Blueprint, Response, abort, send_file

from radio.config import PROJECT_DIR

NODE_MODULES = PROJECT_DIR / "node_modules"

#: The public name of each file, and where npm put it.
FILES: dict[str, Path] = {
    # FullCalendar 7 (MIT), its all-in-one browser build: the volunteers' week calendar.
    "fullcalendar.js": NODE_MODULES / "fullcalendar" / "all" / "global.js",
    "fullcalendar.css": NODE_MODULES / "fullcalendar" / "skeleton.css",
    # Its "classic" theme (a plugin, and its style sheets: lines, sizes, the event colours).
    "fullcalendar-theme.js": NODE_MODULES / "fullcalendar" / "themes" / "classic" / "global.js",
    "fullcalendar-theme.css": NODE_MODULES / "fullcalendar" / "themes" / "classic" / "theme.css",
    "fullcalendar-palette.css": NODE_MODULES
    / "fullcalendar"
    / "themes"
    / "classic"
    / "palette.css",
    # Temporal for the browsers that lack it (FullCalendar 7 needs it).
    "temporal-polyfill.js": NODE_MODULES / "temporal-polyfill" / "global.js",
}

bp = Blueprint("vendor", __name__, url_prefix="/vendor")


@bp.get("/<file>")
def vendor_file(file: str) -> Response:
    path = FILES.get(file)
    if path is None or not path.is_file():
        abort(404)
    # From memory, not an open file: a browser that leaves mid-download left the file open.
    data = _read(path)
    return send_file(
        io.BytesIO(data),
        download_name=file,  # its type (JavaScript or CSS) from the name
        max_age=3600,
        etag=hashlib.sha256(data).hexdigest()[:20],
        last_modified=path.stat().st_mtime,
    )


@functools.lru_cache(maxsize=len(FILES))
def _read(path: Path) -> bytes:
    return path.read_bytes()
