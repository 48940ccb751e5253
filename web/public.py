"""The listeners' pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from web import services

bp = Blueprint("public", __name__)


@bp.get("/")
def home() -> str:
    svc = services()
    snap = svc.on_air.current()
    return render_template(
        "home.html",
        now=snap.data,
        stream_mp3=f"{svc.settings.stream_url}/stream.mp3",
        stream_ogg=f"{svc.settings.stream_url}/stream.ogg",
    )
