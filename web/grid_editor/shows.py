"""Shows: create one (with its first slot), edit it, its slots and its presenters."""

from __future__ import annotations

import re
from dataclasses import replace

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm

from radio.accounts.model import AccountError
from radio.errors import GridError, NotFound
from radio.grid.edits import next_slot_id
from radio.grid.model import Show, Slot
from radio.mail.watch import opt_outs, set_reminders
from web import services
from web.auth import accounts, volunteer_required
from web.forms import (
    NewShowForm,
    PresentersForm,
    RemoveForm,
    ShowForm,
    SlotForm,
    choices,
    fill_slot_form,
    slot_from_form,
    slot_words,
)
from web.grid_editor import bp
from web.grid_editor.common import attempt, grid, record, refused, refused_status


@bp.route("/shows/new", methods=["GET", "POST"])
@volunteer_required
def new_show() -> ResponseReturnValue:
    form = NewShowForm()
    if request.method == "GET":
        form.repeat.data, form.every.data = "weekly", "1"
    if not form.validate_on_submit():
        return _page("grid/new_show.html", form, request.method == "POST", form=form)
    try:
        slug = (form.slug.data or "").strip() or slugify(form.title.data or "")
        slot = slot_from_form(form, "s1")
        show = _show_from_form(form, Show(slug, "x", "music"), (slot,))
    except GridError as exc:
        form.form_errors.append(str(exc))
        return render_template("grid/new_show.html", form=form), 422
    if attempt(lambda: grid().add_show(show), form.form_errors) is None:
        return render_template("grid/new_show.html", form=form), refused_status(form.form_errors)
    set_reminders(services().db, slug, bool(form.reminders.data))
    record(f"Added the show {show.title}: {slot_words(slot)}.", show=slug, reason=form.reason.data)
    flash(f"{show.title} is in the grid.", "success")
    return redirect(url_for("grid_editor.show", slug=slug))


@bp.route("/shows/<slug>", methods=["GET", "POST"])
@volunteer_required
def show(slug: str) -> ResponseReturnValue:
    current = _existing(slug)
    form = ShowForm(obj=None if request.method == "POST" else _ShowValues(current))
    if form.validate_on_submit():
        try:
            edited = _show_from_form(form, current, current.slots)
        except GridError as exc:
            form.form_errors.append(str(exc))
        else:
            if attempt(lambda: grid().save_details(edited), form.form_errors) is not None:
                set_reminders(services().db, slug, bool(form.reminders.data))
                record(
                    f"Changed the details of {edited.title}.", show=slug, reason=form.reason.data
                )
                flash("Saved.", "success")
                return redirect(url_for("grid_editor.show", slug=slug))
    status = 200 if request.method == "GET" else refused(form)
    return render_template(
        "grid/show.html",
        show=current,
        form=form,
        presenters=_presenters_form(slug),
        remove=RemoveForm(prefix="remove"),
        slot_words=slot_words,
    ), status


@bp.post("/shows/<slug>/remove")
@volunteer_required
def remove_show(slug: str) -> ResponseReturnValue:
    current = _existing(slug)
    form = RemoveForm(prefix="remove")
    if not form.validate_on_submit():
        abort(400)
    errors: list[str] = []
    if attempt(lambda: grid().remove_show(slug), errors) is None:
        flash(" ".join(errors), "error")
        return redirect(url_for("grid_editor.show", slug=slug))
    accounts().set_presenters(slug, [])
    set_reminders(services().db, slug, True)  # a new show of that name starts afresh
    record(f"Removed the show {current.title}.", show=slug, reason=form.reason.data)
    flash(f"{current.title} is no longer in the grid.", "success")
    return redirect(url_for("grid_editor.week"))


@bp.route("/shows/<slug>/slots/new", methods=["GET", "POST"])
@volunteer_required
def new_slot(slug: str) -> ResponseReturnValue:
    current = _existing(slug)
    form = SlotForm()
    if request.method == "GET":
        form.repeat.data, form.every.data = "weekly", "1"
    if form.validate_on_submit():
        try:
            slot = slot_from_form(form, next_slot_id(current))  # numbered again as it is added
        except GridError as exc:
            form.form_errors.append(str(exc))
        else:
            added = attempt(lambda: grid().add_new_slot(slug, slot), form.form_errors)
            if added is not None:
                record(
                    f"Added a slot to {current.title}: {slot_words(added[1])}.",
                    show=slug,
                    reason=form.reason.data,
                )
                flash("The new slot is in the grid.", "success")
                return redirect(url_for("grid_editor.show", slug=slug))
    return _page(
        "grid/slot.html", form, request.method == "POST", form=form, show=current, slot=None
    )


@bp.route("/shows/<slug>/slots/<slot_id>", methods=["GET", "POST"])
@volunteer_required
def slot(slug: str, slot_id: str) -> ResponseReturnValue:
    current = _existing(slug)
    old = current.slot(slot_id)
    if old is None:
        abort(404)
    form = SlotForm()
    if request.method == "GET":
        fill_slot_form(form, old)
    if form.validate_on_submit():
        try:
            new = slot_from_form(form, slot_id)
        except GridError as exc:
            form.form_errors.append(str(exc))
        else:
            if attempt(lambda: grid().change_slot(slug, new), form.form_errors) is not None:
                record(
                    f"Changed a slot of {current.title} from {slot_words(old)} "
                    f"to {slot_words(new)}.",
                    show=slug,
                    reason=form.reason.data,
                )
                flash("Slot saved.", "success")
                return redirect(url_for("grid_editor.show", slug=slug))
    return _page(
        "grid/slot.html",
        form,
        request.method == "POST",
        form=form,
        show=current,
        slot=old,
        remove=RemoveForm(prefix="remove"),
        slot_words=slot_words,
    )


@bp.post("/shows/<slug>/slots/<slot_id>/remove")
@volunteer_required
def remove_slot(slug: str, slot_id: str) -> ResponseReturnValue:
    current = _existing(slug)
    old = current.slot(slot_id)
    form = RemoveForm(prefix="remove")
    if old is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    errors: list[str] = []
    if attempt(lambda: grid().remove_slot(slug, slot_id), errors) is None:
        flash(" ".join(errors), "error")
    else:
        record(
            f"Removed a slot of {current.title}: {slot_words(old)}.",
            show=slug,
            reason=form.reason.data,
        )
        flash("Slot removed.", "success")
    return redirect(url_for("grid_editor.show", slug=slug))


@bp.post("/shows/<slug>/presenters")
@volunteer_required
def presenters(slug: str) -> ResponseReturnValue:
    current = _existing(slug)
    form = _presenters_form(slug)
    if not form.validate_on_submit():
        abort(400)
    wanted = [int(v) for v in form.accounts.data or [] if v.isdigit()]
    before = {a.id for a in accounts().presenters_of(slug)}
    try:
        chosen = accounts().set_presenters(slug, wanted)
    except (AccountError, NotFound) as exc:
        flash(str(exc), "error")
        return redirect(url_for("grid_editor.show", slug=slug))
    if set(wanted) != before:
        names = ", ".join(a.public_name for a in chosen) or "nobody"
        record(
            f"Presenters of {current.title} are now: {names}.", show=slug, reason=form.reason.data
        )
    flash("Presenters saved.", "success")
    return redirect(url_for("grid_editor.show", slug=slug))


# Inside ---------------------------------------------------------------------------------------


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-")
    if not slug:
        raise GridError("Give the show a web address name of letters and digits.")
    return slug


def _existing(slug: str) -> Show:
    found = grid().get_show(slug)
    if found is None:
        abort(404)
    return found


class _ShowValues:
    """A show's fields under the names the form uses."""

    def __init__(self, show: Show) -> None:
        self.title, self.slug, self.kind = show.title, show.slug, show.kind
        self.description, self.category = show.description, show.category
        self.presenters = ", ".join(show.presenters)
        self.colour, self.repeat_latest = show.colour, show.repeat_latest
        self.listen_again = show.listen_again
        self.reminders = show.slug not in opt_outs(services().db)
        self.reason = ""


def _show_from_form(form: ShowForm, base: Show, slots: tuple[Slot, ...]) -> Show:
    names = tuple(n.strip() for n in (form.presenters.data or "").split(",") if n.strip())
    kind = form.kind.data
    if kind not in ("prerecorded", "live", "music"):
        raise GridError("Choose what kind of show it is.")
    return replace(
        base,
        title=(form.title.data or "").strip(),
        kind=kind,
        description=(form.description.data or "").strip(),
        presenters=names,
        category=(form.category.data or "").strip(),
        colour=(form.colour.data or "").strip(),
        repeat_latest=bool(form.repeat_latest.data),
        listen_again=bool(form.listen_again.data),
        slots=slots,
    )


def _presenters_form(slug: str) -> PresentersForm:
    form = PresentersForm(prefix="presenters")
    people = [a for a in accounts().list_accounts() if a.role == "presenter"]
    form.accounts.choices = choices([(str(a.id), f"{a.display_name} ({a.email})") for a in people])
    if request.method == "GET":
        form.accounts.data = [str(a.id) for a in people if slug in a.shows]
    return form


def _page(
    template: str, the_form: FlaskForm, posted: bool, **context: object
) -> ResponseReturnValue:
    if not posted:
        return render_template(template, **context)
    status = refused(the_form)
    return render_template(template, **context), status
