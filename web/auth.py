"""Logging in and out, invitation and reset links, and who may see what.

Sessions are Flask-Login's on Flask's signed cookie (HttpOnly, SameSite=Lax, Secure when
the site's address is https). The cookie names the account and its epoch (``"<id>.<epoch>"``),
checked against the database on every request; logging out, a password change, a role
change or disabling the account moves the epoch, so every copy of an older cookie, on any
device and in any of the site's processes, stops working at once. Every form carries a CSRF
token (Flask-WTF). Failed logins are throttled with HTTP 429 by address and client together,
with growing waits (:class:`~radio.accounts.throttle.LoginThrottle`): a stranger guessing a
presenter's password slows only themselves, and setting a password through a link lifts it.
"Forgot your password?" (``/forgot``) e-mails a reset link and answers the same, after the
same time, whether or not the address has an account; it is throttled too.
Views ask for a role with :func:`presenter_required`, :func:`volunteer_required` or
:func:`admin_required`; a person who is not logged in is sent to ``/login``, one without the
role gets 403.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import ParamSpec, cast

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from radio.accounts.model import Account, AccountError, TokenInvalid
from radio.accounts.service import AccountService, Purpose
from radio.bootstrap import Services
from radio.mail.links import request_reset
from web import services as station_services
from web.errors import _wants_json, problem
from web.forms import ConfirmForm, ForgotPasswordForm, LoginForm, SetPasswordForm

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()

P = ParamSpec("P")
#: A view, before and after a decorator that lets only some accounts in.
View = Callable[P, ResponseReturnValue]


class User(UserMixin):
    """The logged-in person as Flask-Login sees them."""

    def __init__(self, account: Account) -> None:
        self.account = account

    def get_id(self) -> str:
        return f"{self.account.id}.{self.account.epoch}"

    @property
    def is_active(self) -> bool:
        return self.account.active


def init_app(app: Flask, services: Services) -> None:
    secure = services.settings.site_url.startswith("https://")
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        # A presenter may keep the dashboard open through a long upload.
        WTF_CSRF_TIME_LIMIT=None,
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    app.register_blueprint(bp)

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> ResponseReturnValue:
        detail = "This form had expired or was sent from elsewhere; reload the page and try again."
        if _wants_json() or not request.accept_mimetypes.accept_html:
            return problem(400, "Bad Request", detail)
        return render_template(
            "error.html", status=400, title="Please try again", detail=detail
        ), 400


@login_manager.user_loader
def _load(user_id: str) -> User | None:
    ident, _, epoch = user_id.partition(".")
    if not ident.isdigit() or not epoch.isdigit():
        return None
    account = accounts().get(int(ident))
    if account is None or account.epoch != int(epoch) or not account.active:
        return None
    return User(account)


# Helpers for the other blueprints ----------------------------------------------------------


def accounts() -> AccountService:
    return station_services().accounts


def now() -> datetime:
    return station_services().clock()


def current_account() -> Account | None:
    if current_user.is_authenticated:
        return cast(User, current_user).account
    return None


def me() -> Account:
    """The logged-in account (inside a view that requires one)."""
    account = current_account()
    if account is None:
        abort(401)
    return account


def _requires(allowed: Callable[[Account], bool]) -> Callable[[View[P]], View[P]]:
    def decorate(view: View[P]) -> View[P]:
        @wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> ResponseReturnValue:
            account = current_account()
            if account is None:
                to_login: ResponseReturnValue = login_manager.unauthorized()
                return to_login
            if not allowed(account):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


presenter_required = _requires(lambda a: a.role == "presenter")
volunteer_required = _requires(lambda a: a.edits_grid)
admin_required = _requires(lambda a: a.is_admin)
login_required = _requires(lambda a: True)


def home_for(account: Account) -> str:
    if account.role == "presenter":
        return url_for("dashboard.index")
    return url_for("grid_editor.week")


def _safe_next(target: str | None) -> str | None:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


# Views ---------------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    account = current_account()
    if account is not None and request.method == "GET":
        return redirect(home_for(account))
    form = LoginForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("auth/login.html", form=form), status
    email = (form.email.data or "").strip().lower()
    client = request.remote_addr or "?"
    throttle = station_services().throttle
    tried = now()
    wait = throttle.take(email, client, tried)  # counted as failed until it succeeds
    if wait:
        form.form_errors.append(
            f"Too many failed attempts. Please wait {_how_long(wait)} and try again, or use "
            "“Forgot your password?” to set a new one."
        )
        response = Response(render_template("auth/login.html", form=form), status=429)
        response.headers["Retry-After"] = str(wait)
        return response
    found = accounts().authenticate(email, form.password.data or "")
    if found is None:
        log.info("failed login for %r from %s", email, client)
        form.form_errors.append("That e-mail address and password do not match an account.")
        return render_template("auth/login.html", form=form), 401
    throttle.succeeded(email, client, tried)
    _start_session(found)
    return redirect(_safe_next(request.args.get("next")) or home_for(found))


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> ResponseReturnValue:
    account = current_account()
    if account is None:
        return redirect(url_for("auth.login"))
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        # A copy of the cookie must not outlive the logout: the account's epoch moves on.
        accounts().end_sessions(account.id)
        logout_user()
        session.clear()
        flash("You are logged out.", "info")
        return redirect(url_for("public.home"))
    return render_template("auth/logout.html", form=form)


#: The "Forgot password?" page answers no sooner than this, account or not.
FORGOT_ANSWER_S = 0.5


@bp.route("/forgot", methods=["GET", "POST"])
def forgot() -> ResponseReturnValue:
    station = station_services()
    form = ForgotPasswordForm()
    if not station.mail.configured or not form.validate_on_submit():
        status = 400 if request.method == "POST" and station.mail.configured else 200
        return render_template(
            "auth/forgot.html", form=form, mail=station.mail.configured, sent=False
        ), status
    started = time.monotonic()
    email = (form.email.data or "").strip().lower()
    client = request.remote_addr or "?"
    wait = station.reset_throttle.take(email, client, now())  # counted if it goes ahead
    if wait:
        minutes = max(1, round(wait / 60))
        form.form_errors.append(
            f"Too many requests for a reset link. Please wait {minutes} "
            f"minute{'s' * (minutes > 1)}, then try again."
        )
        page = render_template("auth/forgot.html", form=form, mail=True, sent=False)
        response = Response(page, status=429)
        response.headers["Retry-After"] = str(wait)
        return response
    try:
        request_reset(station.accounts, station.mail, station.settings, email)
    except Exception:  # the answer must not tell an account from none, even by an error
        log.exception("a reset link for %r could not be queued", email)
    time.sleep(max(0.0, FORGOT_ANSWER_S - (time.monotonic() - started)))
    return render_template("auth/forgot.html", form=form, mail=True, sent=True)


@bp.route("/invite/<token>", methods=["GET", "POST"])
def invite(token: str) -> ResponseReturnValue:
    return _set_password(token, "invite")


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> ResponseReturnValue:
    return _set_password(token, "reset")


def _set_password(token: str, kind: Purpose) -> ResponseReturnValue:
    try:  # an invitation works only at /invite/, a reset only at /reset/
        account, _ = accounts().check_token(token, kind)
    except TokenInvalid as exc:
        return render_template(
            "error.html", status=404, title="This link does not work", detail=str(exc)
        ), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            account = accounts().redeem(token, form.password.data or "", kind)
        except AccountError as exc:
            form.form_errors.append(str(exc))
        else:
            station_services().throttle.cleared(account.email)  # the owner is back in
            _start_session(account)
            flash("Your password is set. Welcome!", "success")
            return redirect(home_for(account))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/set_password.html", form=form, account=account, kind=kind), status


def _how_long(seconds: int) -> str:
    """'30 seconds', '1 minute', '15 minutes'."""
    if seconds < 60:
        return f"{seconds} second{'s' * (seconds != 1)}"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' * (minutes != 1)}"


def _start_session(account: Account) -> None:
    session.clear()
    login_user(User(account))
