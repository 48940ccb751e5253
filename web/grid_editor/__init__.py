"""The grid editor (``/grid``, for volunteers) and the public change log (``/changes``).

========================  ===================================================================
``calendar``              the week view, and the slots of the next 14 days with no episode
``shows``                 new show (with its first slot), edit a show, its slots, presenters
``occurrences``           cancel, move or replace one occurrence, or undo that
``playlists``             the rotation and jingle playlists (``Settings.playlists_dir``)
``changes``               ``/changes``: every grid change, who made it, when and why
``week_data``             the calendar's JSON, and moving an airing by dragging it
``proposals``             open slots, and the show proposals volunteers decide on
``get_involved``          ``/get-involved``: the open slots, and the proposal form
========================  ===================================================================

Every edit goes through :class:`~radio.grid.service.GridService`, which refuses a clash
with :class:`~radio.errors.GridConflict` (naming the other show and the time) and saves
nothing; the page shows that sentence on the form. Every saved edit is recorded in the
:class:`~radio.changelog.ChangeLog`.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("grid_editor", __name__, url_prefix="/grid")
public = Blueprint("changes", __name__)
involved = Blueprint("involved", __name__)


def init_app(app: Flask) -> None:
    from web.grid_editor import (  # noqa: F401
        calendar,
        changes,
        get_involved,
        occurrences,
        playlists,
        proposals,
        shows,
        week_data,
    )
    from web.grid_editor.common import init_filters

    init_filters(app)
    app.register_blueprint(bp)
    app.register_blueprint(public)
    app.register_blueprint(involved)
