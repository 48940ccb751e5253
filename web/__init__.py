"""The station's web site: a Flask application built by :func:`create_app`."""

from __future__ import annotations

import logging

from flask import Flask, current_app

from radio.bootstrap import Services, build_services
from radio.config import Settings, load_settings
from radio.credentials import load_or_create
from radio.grid.service import GridService

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    """Build the site. ``services`` is shared with ``radio run``; tests may pass their own."""
    if services is None:
        services = build_services(settings or load_settings())
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = None
    app.secret_key = load_or_create(services.settings.data_dir).web_secret_key
    app.extensions["radio"] = services

    from web import (
        address,
        admin,
        api,
        auth,
        dashboard,
        errors,
        grid_editor,
        headers,
        listen_again,
        listeners,
        logger,
        public,
        uploads,
        vendor,
    )

    address.init_app(app, services.settings)
    headers.init_app(app, services.settings)
    errors.init_app(app)
    auth.init_app(app, services)

    @app.context_processor
    def _station() -> dict[str, str]:
        return {"station_name": services.settings.station_name}

    for blueprint in (public.bp, api.bp):
        app.register_blueprint(blueprint)
    # Areas register their blueprints here (one line each).
    app.register_blueprint(uploads.bp)  # resumable uploads (media)
    public.init_app(app)  # the listeners' feeds and public API
    auth.csrf.exempt(api.bp)  # JSON, read-only, no cookies
    grid_editor.init_app(app)
    dashboard.init_app(app)
    app.register_blueprint(admin.bp)
    app.register_blueprint(listeners.bp)
    app.register_blueprint(vendor.bp)  # browser libraries from node_modules
    app.register_blueprint(logger.bp)  # the off-air logger
    app.register_blueprint(listen_again.bp)  # presenters' recordings of their live shows
    return app


def services() -> Services:
    """The station's services, as the running app was built with (in a request or app
    context)."""
    found = current_app.extensions["radio"]
    assert isinstance(found, Services)
    return found


def grid() -> GridService:
    """The station's grid service."""
    return services().grid
