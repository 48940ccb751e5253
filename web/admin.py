"""Admin pages: accounts (invite, change role and shows, disable, reset links) and the
station settings an admin may change.

With a mail server set, invitations and reset links go out by e-mail; without one, the
page shows the link for the admin to pass on."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from radio.accounts.model import Account, AccountError, check_role
from radio.accounts.service import Purpose
from radio.accounts.station import StationOverrides
from radio.backup.restic import Repository
from radio.backup.service import last_backup
from radio.changelog import presenter_changes
from radio.config import Settings
from radio.mail.links import link_for, queue_link
from web import services
from web.auth import accounts, admin_required, me
from web.forms import AccountForm, ConfirmForm, InviteForm, StationSettingsForm, choices
from web.grid_editor.common import grid, record

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("")
@admin_required
def accounts_page() -> ResponseReturnValue:
    return _accounts(InviteForm(formdata=None), link=None)


@bp.post("/invite")
@admin_required
def invite() -> ResponseReturnValue:
    form = InviteForm()
    form.shows.choices = choices(_show_choices())
    if not form.validate_on_submit():
        return _accounts(form, None, 400)
    try:
        account, token = accounts().invite(
            form.email.data or "",
            check_role(form.role.data or ""),
            form.shows.data or [],
            name=form.name.data or "",
        )
    except AccountError as exc:
        form.form_errors.append(str(exc))
        return _accounts(form, None, 422)
    _record_links(account, frozenset())
    if queue_link(services().mail, services().settings, account, "invite", token) is not None:
        flash(f"An invitation is on its way to {account.email} by e-mail.", "success")
        return _accounts(InviteForm(formdata=None), None)
    flash(f"Invitation made for {account.email}; send them the link below.", "success")
    return _accounts(InviteForm(formdata=None), (account, link_for(_settings(), "invite", token)))


@bp.route("/accounts/<int:account_id>", methods=["GET", "POST"])
@admin_required
def account(account_id: int) -> ResponseReturnValue:
    person = accounts().get(account_id)
    if person is None:
        abort(404)
    form = AccountForm(obj=None if request.method == "POST" else person)
    form.shows.choices = choices(_show_choices())
    if form.validate_on_submit():
        role = check_role(form.role.data or "")
        disabled = bool(form.disabled.data)
        if person.id == me().id and (role != "admin" or disabled):
            form.form_errors.append(
                "You cannot take away your own admin role or disable yourself; ask another admin."
            )
        else:
            try:
                changed = accounts().update(
                    person.id,
                    role=role,
                    shows=form.shows.data or [],
                    disabled=disabled,
                    name=form.name.data or "",
                )
            except AccountError as exc:
                form.form_errors.append(str(exc))
            else:
                _record_links(changed, person.shows)
                flash(f"Saved {changed.email}.", "success")
                return redirect(url_for("admin.account", account_id=person.id))
    status = 200 if request.method == "GET" else 422
    return render_template(
        "admin/account.html", person=person, form=form, link_form=ConfirmForm(prefix="link")
    ), status


@bp.post("/accounts/<int:account_id>/link")
@admin_required
def link(account_id: int) -> ResponseReturnValue:
    person = accounts().get(account_id)
    if person is None:
        abort(404)
    if not ConfirmForm(prefix="link").validate_on_submit():
        abort(400)
    try:
        token = accounts().reset_link(person.id)
    except AccountError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.account", account_id=person.id))
    kind: Purpose = "reset" if person.has_password else "invite"
    if queue_link(services().mail, _settings(), person, kind, token) is not None:
        what = "A password reset link" if kind == "reset" else "An invitation"
        flash(f"{what} is on its way to {person.email} by e-mail.", "success")
        return redirect(url_for("admin.account", account_id=person.id))
    return render_template(
        "admin/link.html", person=person, link=link_for(_settings(), kind, token), kind=kind
    )


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings() -> ResponseReturnValue:
    store = services().station_settings
    current = store.load()
    form = StationSettingsForm(obj=None if request.method == "POST" else current)
    if form.validate_on_submit():
        wanted = StationOverrides(
            **{name: (getattr(form, name).data or "").strip() for name in _SETTINGS}
        )
        problems = wanted.problems()
        for name, message in problems.items():  # every problem at once, by its field
            getattr(form, name).errors.append(message)
        if not problems:
            store.save(wanted)
            others = len(services().settings.web_upstreams) > 1
            flash(
                "Station settings saved; they take effect when the station next starts"
                + (" and in each other site process once it is restarted." if others else "."),
                "success",
            )
            return redirect(url_for("admin.settings"))
    status = 200 if request.method == "GET" else 422
    station = services().settings
    return render_template(
        "admin/settings.html",
        form=form,
        defaults=station,
        backup=last_backup(station.data_dir),
        backup_repository=Repository(station).configured,
    ), status


_SETTINGS = ("station_name", "timezone", "public_stream_url", "live_server")


def _accounts(
    form: InviteForm, link: tuple[Account, str] | None, status: int = 200
) -> ResponseReturnValue:
    form.shows.choices = choices(_show_choices())
    return render_template(
        "admin/accounts.html", people=accounts().list_accounts(), form=form, link=link
    ), status


def _show_choices() -> list[tuple[str, str]]:
    shows = sorted(grid().list_shows(), key=lambda s: s.title.lower())
    return [(s.slug, s.title) for s in shows]


def _settings() -> Settings:
    return services().settings


def _record_links(account: Account, before: frozenset[str]) -> None:
    """Linking a presenter to a show is a grid change the public log shows."""
    for slug, what in presenter_changes(account.public_name, account.shows, before, _title):
        record(what, show=slug)


def _title(slug: str) -> str:
    show = grid().get_show(slug)
    return show.title if show else slug
