"""The off-air logger for volunteers and admins: find any moment, play it, hand it over.

``/logger`` lists the gaps of the last week and has two forms: "play from" (an hour from the
chosen local time, cut on the fly) and a range to download as one file (copied from the
logger's files, not re-encoded). A range outside the days kept, or with nothing recorded,
is refused with the engine's sentence; a range over a gap says so before the download.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from radio.errors import LoggerError
from radio.logger.export import Range, cut, gap_sentence, local_time, plan
from radio.logger.files import find_gaps, list_files, recording_since
from radio.media.files import temporary_dir
from radio.media.published import mime_type
from web import services
from web.auth import now, volunteer_required

bp = Blueprint("logger", __name__, url_prefix="/logger")
#: How much "play from" cuts.
PLAY_FOR = timedelta(hours=1)
#: Gaps listed on the page.
GAPS_SHOWN_FOR = timedelta(days=7)


def _checked(start_text: str, end_text: str | None) -> Range:
    settings = services().settings
    tz = settings.tz
    start = local_time("The start", start_text, tz)
    end = local_time("The end", end_text, tz) if end_text else start + PLAY_FOR
    return plan(
        settings.logger_dir, start, end,
        now=now(), keep_days=settings.logger_keep_days, tz=tz,
    )  # fmt: skip


def _export_url(args: dict[str, str]) -> str:
    return f"{url_for('logger.export_range')}?{urlencode(args)}"


def _local_text(at: datetime) -> str:
    return f"{at.astimezone(services().settings.tz):%Y-%m-%dT%H:%M:%S}"


@bp.get("")
@volunteer_required
def index() -> ResponseReturnValue:
    settings = services().settings
    tz = settings.tz
    error = ""
    player = None
    summary = None
    at, start_text, end_text = (request.args.get(k, "") for k in ("at", "from", "to"))
    try:
        if at:
            found = _checked(at, None)
            player = (found, _export_url({"from": at, "play": "1"}))
        elif start_text and end_text:
            found = _checked(start_text, end_text)
            link = _export_url({"from": start_text, "to": end_text})
            summary = (found, link, gap_sentence(found.gaps, tz))
    except LoggerError as exc:
        error = str(exc)
    folder = settings.logger_dir
    files = list_files(folder)
    moment = now()
    gaps = find_gaps(files, recording_since(folder), moment - GAPS_SHOWN_FOR, moment)
    page = render_template(
        "logger/index.html",
        error=error,
        player=player,
        summary=summary,
        gaps=gaps,
        oldest=files[0].start if files else None,
        keep_days=settings.logger_keep_days,
        default_at=_local_text(moment - PLAY_FOR),
        default_to=_local_text(moment),
        args={"at": at, "from": start_text, "to": end_text},
    )
    return page, 400 if error else 200


@bp.get("/export")
@volunteer_required
def export_range() -> ResponseReturnValue:
    """The range as one file: a download, or (``play=1``) for the page's player."""
    settings = services().settings
    start_text, end_text = request.args.get("from", ""), request.args.get("to")
    try:
        found = _checked(start_text, end_text)
    except LoggerError as exc:
        return render_template(
            "logger/index.html", error=str(exc), player=None, summary=None, gaps=[],
            oldest=None, keep_days=settings.logger_keep_days,
            default_at=_local_text(now() - PLAY_FOR), default_to=_local_text(now()),
            args={"at": "", "from": start_text, "to": end_text or ""},
        ), 400  # fmt: skip
    suffix = "." + settings.logger_format
    out: Path = temporary_dir(settings) / f"logger-{uuid.uuid4().hex}{suffix}"
    cut(found.parts, out, suffix)
    local = found.start.astimezone(settings.tz)
    name = f"{settings.station_name}-{local:%Y-%m-%d-%H%M%S}{suffix}".replace(" ", "-")
    play = request.args.get("play") == "1"
    response = send_file(
        out, mimetype=mime_type(out.name), as_attachment=not play, download_name=name,
        conditional=True, max_age=0,
    )  # fmt: skip
    response.call_on_close(lambda: out.unlink(missing_ok=True))
    response.headers["Cache-Control"] = "private, no-store"
    return response
