"""Open slots (hours offered for new shows) and the show proposals volunteers decide on."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from radio.errors import GridConflict, GridError, NotFound
from radio.grid.validate import InvalidGrid
from radio.proposals.model import OpenSlot, ProposalError
from radio.proposals.service import ProposalService
from web import services
from web.auth import me, volunteer_required
from web.forms import (
    AcceptForm,
    CommentForm,
    DeclineForm,
    OpenSlotForm,
    RemoveForm,
    choices,
    slot_from_form,
    slot_words,
)
from web.grid_editor import bp
from web.grid_editor.common import record


def proposals() -> ProposalService:
    return services().proposals


@bp.route("/open-slots", methods=["GET", "POST"])
@volunteer_required
def open_slots() -> ResponseReturnValue:
    form = OpenSlotForm()
    if request.method == "GET":
        form.repeat.data, form.every.data = "weekly", "1"
    status = 200
    if form.validate_on_submit():
        try:
            slot = slot_from_form(form, "open")
            offer = proposals().offers.add(slot, form.wanted.data or "")
        except GridConflict as exc:
            form.form_errors.append(str(exc))
            status = 409
        except (GridError, InvalidGrid, ProposalError) as exc:
            form.form_errors.append(str(exc))
            status = 422
        else:
            words = slot_words(offer.slot)
            record(f"Opened a slot for new shows: {words}.", reason=form.reason.data)
            flash(f"Open for new shows: {words}.", "success")
            return redirect(url_for("grid_editor.open_slots"))
    elif request.method == "POST":
        status = 422
    return render_template(
        "grid/open_slots.html",
        form=form,
        offers=proposals().offers.offered(filled=True),
        remove=RemoveForm(prefix="remove"),
        slot_words=slot_words,
    ), status


@bp.post("/open-slots/<int:open_slot_id>/remove")
@volunteer_required
def remove_open_slot(open_slot_id: int) -> ResponseReturnValue:
    form = RemoveForm(prefix="remove")
    if not form.validate_on_submit():
        abort(400)
    try:
        gone = proposals().offers.remove(open_slot_id)
    except NotFound:
        abort(404)
    record(f"Closed the open slot {slot_words(gone.slot)}.", reason=form.reason.data)
    flash("The slot is no longer offered.", "success")
    return redirect(url_for("grid_editor.open_slots"))


@bp.get("/proposals")
@volunteer_required
def proposal_list() -> ResponseReturnValue:
    return render_template("grid/proposals.html", proposals=proposals().proposals())


@bp.get("/proposals/<int:proposal_id>")
@volunteer_required
def proposal(proposal_id: int) -> ResponseReturnValue:
    return _proposal_page(proposal_id)


@bp.post("/proposals/<int:proposal_id>/comment")
@volunteer_required
def comment(proposal_id: int) -> ResponseReturnValue:
    form = CommentForm(prefix="comment")
    if not form.validate_on_submit():
        return _proposal_page(proposal_id, comment_form=form, status=422)
    try:
        proposals().comment(proposal_id, me().public_name, form.text.data or "")
    except NotFound:
        abort(404)
    except ProposalError as exc:
        form.form_errors.append(str(exc))
        return _proposal_page(proposal_id, comment_form=form, status=422)
    flash("Comment added.", "success")
    return redirect(url_for("grid_editor.proposal", proposal_id=proposal_id))


@bp.post("/proposals/<int:proposal_id>/accept")
@volunteer_required
def accept(proposal_id: int) -> ResponseReturnValue:
    form = AcceptForm(prefix="accept")
    if not form.validate_on_submit():
        return _proposal_page(proposal_id, accept_form=form, status=422)
    chosen = tuple(int(v) for v in form.slots.data or [] if v.isdigit())
    try:
        done = proposals().accept(proposal_id, me().public_name, chosen)
    except NotFound:
        abort(404)
    except ProposalError as exc:
        form.form_errors.extend(exc.problems)
        return _proposal_page(proposal_id, accept_form=form, status=409)
    flash(f"{done.show.title} is in the grid.", "success")
    if done.link and not done.mailed:
        flash(
            f"The station sends no e-mail: pass this invitation link on to the proposer "
            f"yourself: {done.link}",
            "info",
        )
    elif done.mailed:
        flash("The proposer was told by e-mail, with their invitation link.", "info")
    return redirect(url_for("grid_editor.show", slug=done.show.slug))


@bp.post("/proposals/<int:proposal_id>/decline")
@volunteer_required
def decline(proposal_id: int) -> ResponseReturnValue:
    form = DeclineForm(prefix="decline")
    if not form.validate_on_submit():
        return _proposal_page(proposal_id, decline_form=form, status=422)
    try:
        proposals().decline(proposal_id, me().public_name, form.reason.data or "")
    except NotFound:
        abort(404)
    except ProposalError as exc:
        form.form_errors.extend(exc.problems)
        return _proposal_page(proposal_id, decline_form=form, status=409)
    flash("Declined; the proposer is told, and the reason is on the change log.", "success")
    return redirect(url_for("grid_editor.proposal_list"))


def _proposal_page(
    proposal_id: int,
    *,
    comment_form: CommentForm | None = None,
    accept_form: AcceptForm | None = None,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    found = proposals().get(proposal_id)
    if found is None:
        abort(404)
    offers: dict[int, OpenSlot] = {}
    for slot_id in found.slots:
        offer = proposals().offers.get(slot_id)
        if offer is not None:
            offers[slot_id] = offer
    accept_form = accept_form or AcceptForm(prefix="accept")
    still_open = [(i, o) for i, o in offers.items() if o.is_open]
    accept_form.slots.choices = choices([(str(i), slot_words(o.slot)) for i, o in still_open])
    if request.method == "GET" or not accept_form.slots.data:
        accept_form.slots.data = [str(i) for i, _ in still_open]
    return render_template(
        "grid/proposal.html",
        proposal=found,
        offers=offers,
        slot_words=slot_words,
        comment_form=comment_form or CommentForm(prefix="comment"),
        accept_form=accept_form,
        decline_form=decline_form or DeclineForm(prefix="decline"),
    ), status
