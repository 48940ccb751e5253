"""``/changes``: the public log of every change to the programme grid."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from web.grid_editor import public
from web.grid_editor.common import changelog

PAGE = 50


@public.get("/changes")
def index() -> ResponseReturnValue:
    page = request.args.get("page", "1")
    number = int(page) if page.isdigit() and int(page) > 0 else 1
    log = changelog()
    total = log.count()
    return render_template(
        "grid/changes.html",
        changes=log.recent(PAGE, (number - 1) * PAGE),
        page=number,
        more=total > number * PAGE,
    )
