"""The presenter's dashboard: their next slots, uploading an episode to one, going live.

A presenter reaches only the shows they are linked to: every view that names a show or an
occurrence checks that the show airing is one of theirs (403 otherwise), whatever id is put
in the URL or the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from radio.accounts.model import Account
from radio.accounts.station import live_server
from radio.errors import NotFound
from radio.grid.model import Occurrence, Show
from radio.media.episodes import much_shorter
from radio.playout.live import StreamKeys
from radio.playout.plan import LIVE_MOUNTS, live_mount
from web import services
from web.auth import me, now, presenter_required
from web.dashboard.episodes import Episode, episodes
from web.forms import ConfirmForm, EpisodeForm
from web.grid_editor.common import grid

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
AHEAD = timedelta(days=42)
SLOTS_SHOWN = 6


class LiveCard(TypedDict):
    """How a presenter connects for their live show, and when their key works."""

    server: str
    port: int
    mount: str
    #: When the presenter made their own key (None: they have none).
    key_made: datetime | None
    #: From a few minutes before the next live slot to its end; None with no slot ahead.
    window: tuple[datetime, datetime] | None
    occurrence: Occurrence | None


@dataclass(frozen=True)
class SlotStatus:
    """What a slot has: ``ready``, ``short`` (ready, but much shorter than the slot),
    ``analysing``, ``repeat`` (no episode of its own: the show's latest one airs again),
    ``missing``, ``rejected``, ``live`` or ``music``, with the words shown to people."""

    key: str
    label: str


def episode_status(occ: Occurrence, episode: Episode | None = None) -> SlotStatus:
    if occ.kind == "live":
        return SlotStatus("live", "Live show")
    if occ.kind == "music":
        return SlotStatus("music", "Music from the rotation")
    found = episode if episode is not None else episodes().for_occurrence(occ.id)
    if found is None:
        show = grid().get_show(occ.show)
        if show is not None and show.repeat_latest and episodes().has_earlier(occ.show, occ.start):
            return SlotStatus("repeat", "Repeat planned")
        return SlotStatus("missing", "Episode missing")
    if found.state == "ready":
        if found.duration and much_shorter(occ, found.duration.total_seconds()):
            return SlotStatus("short", "Ready, but much shorter than the slot")
        return SlotStatus("ready", "Episode ready")
    if found.state == "rejected":
        return SlotStatus("rejected", "Upload could not be used")
    return SlotStatus("analysing", "Analysing")


@bp.get("")
@presenter_required
def index() -> ResponseReturnValue:
    account = me()
    cards = []
    for slug in sorted(account.shows):
        show = grid().get_show(slug)
        if show is None:
            continue
        upcoming = grid().expand(now(), now() + AHEAD, show=slug)[:SLOTS_SHOWN]
        cards.append(
            {
                "show": show,
                "slots": [(occ, episode_status(occ)) for occ in upcoming],
                "live": _live_card(show, upcoming, account) if show.kind == "live" else None,
            }
        )
    return render_template("dashboard/index.html", cards=cards, regenerate=ConfirmForm())


@bp.route("/slots/<occurrence_id>", methods=["GET", "POST"])
@presenter_required
def slot(occurrence_id: str) -> ResponseReturnValue:
    account = me()
    occ = _my_occurrence(account, occurrence_id)
    episode = episodes().for_occurrence(occ.id, occ.duration)
    form = EpisodeForm(obj=episode if request.method == "GET" else None)
    if form.validate_on_submit():
        if episode is None or episode.state != "ready":
            form.form_errors.append("Upload the episode first; then give it a title and notes.")
        else:
            try:
                episodes().describe(occ.id, form.title.data or "", form.notes.data or "")
            except NotFound as exc:
                form.form_errors.append(str(exc))
            else:
                flash("Saved the episode's title and notes.", "success")
                return redirect(url_for("dashboard.slot", occurrence_id=occurrence_id))
    status = 400 if request.method == "POST" else 200
    status_now = episode_status(occ, episode) if episode else episode_status(occ)
    return render_template(
        "dashboard/slot.html",
        occ=occ,
        show=grid().get_show(occ.show),
        status=status_now,
        episode=episode,
        form=form,
        upload=episodes().upload_info(occ),
        max_bytes=services().settings.max_upload_bytes,
    ), status


@bp.post("/shows/<slug>/key")
@presenter_required
def regenerate_key(slug: str) -> ResponseReturnValue:
    """Make a new stream key and show it this once (only its hash is kept)."""
    account = me()
    if not account.presents(slug):
        abort(403)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    show = grid().get_show(slug)
    if show is None:
        abort(404)
    key = _keys().make(slug, account.id)
    flash(
        "Your new stream key is below; your older key no longer works (your co-presenters' "
        "keys are not changed).",
        "success",
    )
    page = render_template("dashboard/key.html", show=show, key=key)
    return page, 200, {"Cache-Control": "no-store"}


def _my_occurrence(account: Account, occurrence_id: str) -> Occurrence:
    occ = grid().find_occurrence(occurrence_id)
    if occ is None:
        abort(404)
    if not account.presents(occ.show):
        abort(403)
    return occ


def _live_card(show: Show, upcoming: list[Occurrence], account: Account) -> LiveCard:
    svc = services()
    keys = _keys()
    nxt = next((o for o in upcoming if o.kind == "live"), None)
    window: tuple[datetime, datetime] | None = None
    mount = LIVE_MOUNTS[0]
    if nxt is not None:
        lead = timedelta(minutes=svc.settings.live_key_lead_min)
        window = (nxt.start - lead, nxt.end)
        # A slot right after another live show uses the other mount, so both can be connected.
        mount = live_mount(nxt, lead, grid().expand)
    return {
        "server": live_server(svc.settings, svc.station_settings.load()),
        "port": svc.settings.harbor_port,
        "mount": f"/{mount}",
        "key_made": keys.made_at(show.slug, account.id),
        "window": window,
        "occurrence": nxt,
    }


def _keys() -> StreamKeys:
    return services().stream_keys


def init_app(app: Flask) -> None:
    """Register the dashboard, with the go-live routes (``golive``) on its blueprint."""
    from web.dashboard import golive  # noqa: F401

    app.register_blueprint(bp)
