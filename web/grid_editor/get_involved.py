"""``/get-involved``: the hours open for new shows, and the form to propose one.

No account and no captcha: a hidden field people never see (robots fill it in and are
thanked, and nothing is kept), at most a few proposals per visitor and address an hour, and
at most three waiting per address (:data:`radio.proposals.service.WAITING_PER_ADDRESS`).
"""

from __future__ import annotations

import logging

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue

from radio.proposals.model import OpenSlot, ProposalError, ProposalInput, SlotTaken
from web import services
from web.auth import now
from web.forms import ProposalForm, choices, slot_words
from web.grid_editor import involved

log = logging.getLogger(__name__)


@involved.route("/get-involved", methods=["GET", "POST"])
def get_involved() -> ResponseReturnValue:
    offers = services().proposals.offers.available()
    form = ProposalForm()
    form.slots.choices = choices([(str(o.id), slot_words(o.slot)) for o in offers])
    if request.method == "GET":
        return _page(form, offers)
    if not form.validate_on_submit():  # only the CSRF token can fail here
        return _page(form, offers, 400)
    if form.website.data:
        log.info("a proposal with the hidden field filled in was dropped")
        return _page(form, offers, sent=True)
    email = (form.email.data or "").strip().lower()
    client = request.remote_addr or "?"
    throttle = services().proposal_throttle  # counts proposals kept, not failures
    wait = throttle.retry_after(email, client, now())
    if wait:
        minutes = max(1, round(wait / 60))
        form.form_errors.append(
            f"We have had several proposals from you in the last hour. Please wait "
            f"{minutes} minute{'s' * (minutes > 1)} and send it again; nothing was lost."
        )
        response = Response(_render(form, offers), status=429)
        response.headers["Retry-After"] = str(wait)
        return response
    sent = ProposalInput(
        title=form.title.data or "",
        about=form.about.data or "",
        kind=form.kind.data or "",
        slots=tuple(int(v) for v in form.slots.data or [] if v.isdigit()),
        name=form.name.data or "",
        email=email,
        access_needs=form.access_needs.data or "",
    )
    try:
        services().proposals.propose(sent)
    except SlotTaken as exc:
        form.form_errors.extend(exc.problems)
        return _page(form, services().proposals.offers.available(), 409)
    except ProposalError as exc:
        form.form_errors.extend(exc.problems)
        return _page(form, offers, 422)
    throttle.failed(email, client, now())
    return _page(form, offers, sent=True)


def _render(form: ProposalForm, offers: list[OpenSlot], sent: bool = False) -> str:
    form.slots.choices = choices([(str(o.id), slot_words(o.slot)) for o in offers])
    return render_template(
        "get_involved.html", form=form, offers=offers, sent=sent, slot_words=slot_words
    )


def _page(
    form: ProposalForm, offers: list[OpenSlot], status: int = 200, *, sent: bool = False
) -> ResponseReturnValue:
    return _render(form, offers, sent), status
