"""One occurrence: cancel it, move it, put another show in, or undo that."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from radio.errors import GridError
from radio.grid.model import Grid, Occurrence, SlotException, parse_occurrence_id
from radio.grid.recurrence import occurs_on
from web.auth import volunteer_required
from web.forms import OccurrenceForm, choices
from web.grid_editor import bp
from web.grid_editor.common import attempt, grid, record, refused, week_start


@bp.route("/occurrences/<occurrence_id>", methods=["GET", "POST"])
@volunteer_required
def occurrence(occurrence_id: str) -> ResponseReturnValue:
    parsed = parse_occurrence_id(occurrence_id)
    if parsed is None:
        abort(404)
    slug, slot_id, day = parsed
    g = grid().grid()
    show = g.show(slug)
    slot = show.slot(slot_id) if show else None
    if show is None or slot is None or not occurs_on(slot, day):
        abort(404)
    airing = grid().find_occurrence(occurrence_id)
    exception = g.by_occurrence.get(occurrence_id)
    form = OccurrenceForm()
    form.replacement.choices = choices(
        [(s.slug, s.title) for s in sorted(g.shows, key=lambda s: s.title) if s.slug != slug]
    )
    if request.method == "GET":
        _fill(form, exception, airing)
    if form.validate_on_submit():
        done = _apply(form, slug, slot_id, day, show.title, g)
        if done is not None:
            flash(done, "success")
            return redirect(url_for("grid_editor.week", week=week_start(day).isoformat()))
    status = 200
    if request.method == "POST":
        status = refused(form)
    return render_template(
        "grid/occurrence.html",
        form=form,
        show=show,
        day=day,
        occurrence_id=occurrence_id,
        airing=airing,
        exception=exception,
        usual_start=datetime.combine(day, slot.start),
        usual_length=slot.duration,
    ), status


def _fill(form: OccurrenceForm, exception: SlotException | None, airing: Occurrence | None) -> None:
    if exception is not None:
        form.action.data = exception.action
        if exception.replacement:
            form.replacement.data = exception.replacement
    if airing is not None:
        form.start.data = airing.local_start.replace(tzinfo=None)
        form.minutes.data = int(airing.duration.total_seconds() // 60)


def _apply(
    form: OccurrenceForm, slug: str, slot_id: str, day: date, title: str, g: Grid
) -> str | None:
    """Make the change; the sentence for the person, or None with the form's errors set."""
    action = form.action.data
    oid = f"{slug}.{slot_id}.{day.isoformat()}"
    label = f"{title} on {day:%A} {day.day} {day:%B %Y}"
    try:
        if action == "restore":
            if oid not in g.by_occurrence:
                form.form_errors.append("This occurrence airs as usual; there is nothing to undo.")
                return None
            what, change = f"Put {label} back as usual.", lambda: grid().remove_exception(oid)
        elif action == "cancel":
            exc = SlotException(slug, slot_id, day, "cancel")
            what, change = f"Cancelled {label}.", lambda: grid().add_exception(exc)
        elif action == "move":
            start = form.start.data.replace(second=0, microsecond=0) if form.start.data else None
            length = timedelta(minutes=form.minutes.data) if form.minutes.data else None
            exc = SlotException(slug, slot_id, day, "move", start=start, duration=length)
            what = move_words(label, start, form.minutes.data if length else None)
            change = lambda: grid().add_exception(exc)  # noqa: E731
        elif action == "replace":
            other = g.show(form.replacement.data or "")
            if other is None:
                raise GridError("Choose the show that airs instead.")
            exc = SlotException(slug, slot_id, day, "replace", replacement=other.slug)
            what = f"Put {other.title} in place of {label}."
            change = lambda: grid().add_exception(exc)  # noqa: E731
        else:
            raise GridError("Choose what to change.")
    except GridError as exc_:
        form.form_errors.append(str(exc_))
        return None
    if attempt(change, form.form_errors) is None:
        return None
    record(what, show=slug, reason=form.reason.data)
    return what


def move_words(label: str, start: datetime | None, minutes: int | None) -> str:
    """The change log's sentence for a move (made on the form or by dragging)."""
    moved = f" to {start:%a %d %b %H:%M}" if start else ""
    sized = f" ({minutes} minutes)" if minutes else ""
    return f"Moved {label}{moved}{sized}."
