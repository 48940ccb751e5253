"""Going live from the browser, and where a live presenter stands.

* ``/dashboard/shows/<slug>/live``: the go-live page (pick the microphone, see its level,
  press "Go live"); its script (``static/golive.js``) streams to the harbor over WebSocket.
* ``…/live/token`` (POST): a go-live token for the presenter and the slot whose window is
  open, short-lived, which the harbor's key check accepts (:mod:`radio.playout.keycheck`).
  The page never sees a stream key.
* ``…/live/status``: where the presenter stands (:mod:`radio.playout.livestatus`), polled by
  the go-live page and the dashboard, whatever client the presenter streams with. The live
  mounts are read from the database, where the scheduler publishes them
  (:mod:`radio.playout.livemounts`): the site never asks Liquidsoap, so it can run on
  another machine than the station's engine.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import abort, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from radio.accounts.model import Account
from radio.config import Settings
from radio.grid.model import Occurrence, Show
from radio.playout.asrun import entries
from radio.playout.keycheck import make_token, token_key
from radio.playout.liquidsoap import LiveMount
from radio.playout.livestatus import LiveSlots, LiveStatus, live_status
from radio.playout.plan import live_mount
from radio.proxy import HARBOR_PREFIX
from web import services
from web.auth import me, now, presenter_required
from web.dashboard import bp
from web.errors import problem
from web.grid_editor.common import grid

log = logging.getLogger(__name__)

#: A go-live token opens one connection: it must be used this soon after it is made.
TOKEN_LIFETIME_S = 120


@bp.get("/shows/<slug>/live")
@presenter_required
def go_live(slug: str) -> ResponseReturnValue:
    show = _my_show(me(), slug)
    return render_template("dashboard/golive.html", show=show)


@bp.post("/shows/<slug>/live/token")
@presenter_required
def live_token(slug: str) -> ResponseReturnValue:
    account = me()
    show = _my_show(account, slug)
    at = now()
    slot = _slots(show, at).chosen(at, _lead())
    if slot is None or not slot.start - _lead() <= at < slot.end:
        when = _slots(show, at).upcoming
        detail = (
            f"You can go live from {(when.start - _lead()).astimezone(_tz()):%a %d %b, %H:%M}."
            if when is not None and show.kind == "live"
            else "There is no live slot of yours to go live in."
        )
        return problem(409, "Not now", detail)
    expires = min(int(at.timestamp()) + TOKEN_LIFETIME_S, int(slot.end.timestamp()))
    # The site's secret key is the install's web secret, which the harbor's check reads too.
    token = make_token(token_key(str(current_app.secret_key)), account.id, slot.id, expires)
    mount = live_mount(slot, _lead(), grid().expand)
    body = jsonify(
        url=harbor_socket_url(services().settings, request.host, mount),
        user="source",
        password=token,
        expires_in=expires - int(at.timestamp()),
    )
    body.headers["Cache-Control"] = "no-store"
    return body


@bp.get("/shows/<slug>/live/status")
@presenter_required
def live_status_json(slug: str) -> ResponseReturnValue:
    show = _my_show(me(), slug)
    body = jsonify(status_of(show, now()))
    body.headers["Cache-Control"] = "no-store"
    return body


def status_of(show: Show, at: datetime) -> LiveStatus:
    """Where the presenters of ``show`` stand at ``at``."""
    slot = _slots(show, at).chosen(at, _lead()) if show.kind == "live" else None
    mount: LiveMount | None = None
    known = True
    if slot is not None and slot.start - _lead() <= at < slot.end:
        published = services().live_mounts.snapshot()
        known = published.current(at)
        if not known:  # polled every 2 s by each open page; /healthz says the scheduler stopped
            log.debug("the live mounts were last published at %s", published.checked_at)
        found_mount = published.mount_for(slot.id)
        mount = found_mount.mount if found_mount is not None else None
    presenter = None
    if mount is not None and mount.connected and mount.presenter.isdigit():
        found = services().accounts.get(int(mount.presenter))
        presenter = found.display_name if found is not None else None
    aired = _aired_s(slot, at) if slot is not None and at >= slot.start else 0.0
    return live_status(slot, mount, aired, at, _lead(), _tz(), presenter, known)


def harbor_socket_url(settings: Settings, host: str, mount: str) -> str:
    """Where the browser streams to: through Caddy (``wss://``, same address as the site)
    when the site is public over HTTPS, else straight to the harbor's port."""
    public = urlsplit(settings.public_url)
    if public.scheme == "https":
        return f"wss://{public.netloc}{HARBOR_PREFIX}/{mount}"
    hostname = urlsplit(f"//{host}").hostname or "localhost"
    if ":" in hostname:
        hostname = f"[{hostname}]"
    return f"ws://{hostname}:{settings.harbor_port}/{mount}"


def _aired_s(slot: Occurrence, at: datetime) -> float:
    """How long a live presenter was on the output in ``slot``, by the as-run log."""
    total = 0.0
    for entry in entries(services().db, slot.start - timedelta(minutes=1), slot.end):
        if entry.source == "live" and entry.occurrence_id == slot.id:
            ended = min(entry.ended_at or at, slot.end)
            total += max(0.0, (ended - max(entry.started_at, slot.start)).total_seconds())
    return total


def _slots(show: Show, at: datetime) -> LiveSlots:
    found = grid().expand(at - timedelta(hours=2), at + timedelta(days=42), show=show.slug)
    return LiveSlots.around(list(found), at)


def _my_show(account: Account, slug: str) -> Show:
    if not account.presents(slug):
        abort(403)
    show = grid().get_show(slug)
    if show is None:
        abort(404)
    return show


def _lead() -> timedelta:
    return timedelta(minutes=services().settings.live_key_lead_min)


def _tz() -> ZoneInfo:
    return services().settings.tz
