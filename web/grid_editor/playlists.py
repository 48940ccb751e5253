"""The rotation and jingle playlists: ``.m3u8`` files in ``Settings.playlists_dir`` whose
entries are paths relative to the media folder. Volunteers tick the files to include."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from radio import playlists as m3u
from radio.media.files import edit_playlist, temporary_dir
from web import services
from web.auth import volunteer_required
from web.forms import PlaylistForm, choices
from web.grid_editor import bp
from web.grid_editor.common import record

AUDIO = {".ogg", ".oga", ".opus", ".mp3", ".flac", ".wav", ".m4a", ".aac"}
NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,40}")
MAX_FILES = 2000


@bp.get("/playlists")
@volunteer_required
def playlists() -> ResponseReturnValue:
    found = []
    for path in sorted(_folder().glob("*.m3u8")):
        if NAME.fullmatch(path.stem):
            found.append((path.stem, len(_read(path))))
    return render_template("grid/playlists.html", playlists=found)


@bp.route("/playlists/<name>", methods=["GET", "POST"])
@volunteer_required
def playlist(name: str) -> ResponseReturnValue:
    path = _folder() / f"{name}.m3u8"
    if not NAME.fullmatch(name) or not path.is_file():
        abort(404)
    entries = _read(path)
    files = media_files(services().settings.media_dir)
    missing = [e for e in entries if e not in set(files)]
    form = PlaylistForm()
    form.entries.choices = choices(
        [(f, f) for f in entries + [f for f in files if f not in entries]]
    )
    if request.method == "GET":
        form.entries.data = list(entries)
        form.shown.data = json.dumps(entries)
    if form.validate_on_submit():
        chosen = set(form.entries.data or [])
        known = set(files) | set(entries)
        shown = _shown(form.shown.data, entries)
        unticked = {e for e in shown if e not in chosen}
        ticked = sorted(f for f in chosen if f in known and f not in shown)  # newly ticked

        def change(current: list[str]) -> list[str]:
            # Applied to the file as it is now: an upload may have added to it since the
            # page was shown, or while this request ran.
            return [e for e in current if e not in unticked] + [
                f for f in ticked if f not in current
            ]

        before = edit_playlist(
            path.parent, name, change, lock_dir=temporary_dir(services().settings)
        )
        kept = change(before)
        added, removed = [f for f in kept if f not in before], [e for e in before if e not in kept]
        if added or removed:
            parts = ([f"added {', '.join(added)}"] if added else []) + (
                [f"removed {', '.join(removed)}"] if removed else []
            )
            record(f"Playlist {name}: {'; '.join(parts)}.", reason=form.reason.data)
        flash(f"The {name} playlist has {len(kept)} files.", "success")
        return redirect(url_for("grid_editor.playlist", name=name))
    return render_template(
        "grid/playlist.html", name=name, form=form, missing=set(missing), entries=entries
    ), (400 if request.method == "POST" else 200)


def media_files(media_dir: Path) -> list[str]:
    """Audio files in the media folder, as playlist entries (relative, '/' separated)."""
    found: list[str] = []
    if not media_dir.is_dir():
        return found
    for root, dirs, names in os.walk(media_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in sorted(names):
            if Path(file).suffix.lower() in AUDIO and not file.startswith("."):
                found.append((Path(root) / file).relative_to(media_dir).as_posix())
                if len(found) >= MAX_FILES:
                    return found
    return found


def _shown(field: str | None, entries: list[str]) -> list[str]:
    """The entries the page showed (its hidden field), or those of the file now."""
    try:
        shown = json.loads(field or "null")
    except ValueError:
        shown = None
    if isinstance(shown, list) and all(isinstance(e, str) for e in shown):
        return shown
    return entries


def _folder() -> Path:
    return services().settings.playlists_dir


def _read(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fp:
        return m3u.load(fp)
