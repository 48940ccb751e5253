"""Presenters' listen-again recordings: each live show as it aired, trimmed and published.

The recording is cut from the off-air logger once the slot has ended (the scheduler does
it); here its presenter hears it, trims its start and end (it is cut again) and publishes
it or keeps it private. Only the show's own presenters reach these pages.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue

from radio.errors import RadioError
from radio.grid.model import Occurrence
from radio.logger.listen_again import ListenAgainService
from radio.media.published import mime_type
from web import services
from web.auth import me, presenter_required
from web.forms import RecordingForm

bp = Blueprint("listen_again", __name__, url_prefix="/dashboard/slots")


def _service() -> ListenAgainService:
    svc = services()
    return ListenAgainService(svc.settings, svc.db, svc.grid, svc.library, svc.clock)


def _my_occurrence(occurrence_id: str) -> Occurrence:
    occ = services().grid.find_occurrence(occurrence_id)
    if occ is None:
        abort(404)
    if not me().presents(occ.show):
        abort(403)
    return occ


@bp.route("/<occurrence_id>/listen-again", methods=["GET", "POST"])
@presenter_required
def page(occurrence_id: str) -> ResponseReturnValue:
    occ = _my_occurrence(occurrence_id)
    again = _service()
    recording = again.get(occ.id)
    form = RecordingForm()
    if recording is not None and not form.is_submitted():
        form.trim_start.data = recording.trim_start_s
        form.trim_end.data = recording.trim_end_s
        form.published.data = recording.published
    if recording is not None and form.validate_on_submit():
        try:
            again.edit(
                occ.id,
                trim_start_s=float(form.trim_start.data or 0),
                trim_end_s=float(form.trim_end.data or 0),
                published=bool(form.published.data),
            )
        except RadioError as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Saved. A new trim is cut again within a minute.", "success")
            return redirect(url_for("listen_again.page", occurrence_id=occ.id))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "dashboard/listen_again.html", occ=occ, recording=recording, form=form
    ), status


@bp.get("/<occurrence_id>/listen-again/audio")
@presenter_required
def audio(occurrence_id: str) -> ResponseReturnValue:
    """The recording's audio, published or not, for its presenters."""
    occ = _my_occurrence(occurrence_id)
    item = services().library.episode_item(occ.id)
    if item is None or _service().get(occ.id) is None:
        abort(404, description="This slot has no recording yet.")
    path = services().settings.media_dir / item.path
    return send_file(path, mimetype=mime_type(item.path), conditional=True, max_age=0)
