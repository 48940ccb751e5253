"""Static copies of ``/api/v1/now`` and ``/api/v1/schedule``, for Caddy to serve directly.

A static file is read by Caddy (or any web server or CDN) without the site's Python: one
process of the site answers some thousands of requests a second, Caddy many times that. The
site writes the files in ``public_dir`` (``api/v1/now.json``, ``api/v1/schedule.json``) when
their content changes, replacing each whole (written aside, then renamed), and keeps
answering the same paths itself. ``now.json`` follows the on-air refresher (and each change
goes to the open event streams, :mod:`web.events`); ``schedule.json`` is the coming week from
the start of the current hour, worked out again every :data:`SCHEDULE_EVERY_S` seconds, so a
grid edit shows there within that time.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from datetime import timedelta
from pathlib import Path

from flask import Flask, json

from radio.bootstrap import Services
from radio.datadir import PUBLIC_FILE_MODE, make_public_folder
from radio.db import UNREACHABLE
from radio.onair import NowSnapshot
from web.events import NowEvents

log = logging.getLogger(__name__)

SCHEDULE_EVERY_S = 5.0
NOW_FILE = Path("api/v1/now.json")
SCHEDULE_FILE = Path("api/v1/schedule.json")


def write_file(path: Path, body: bytes) -> None:
    """Replace ``path`` whole with ``body`` (a reader never sees half a file), readable by
    anyone (0644, whatever the station's private umask): Caddy runs as its own user."""
    make_public_folder(path.parent)
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PUBLIC_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as fp:
            os.fchmod(fp.fileno(), PUBLIC_FILE_MODE)
            fp.write(body)
        os.replace(aside, path)
    except BaseException:
        aside.unlink(missing_ok=True)
        raise


class Publisher:
    """Writes the static files and tells the event streams, each only when it changed."""

    def __init__(self, app: Flask, services: Services, events: NowEvents | None = None) -> None:
        self.app = app
        self.services = services
        self.events = events
        self.folder = services.settings.public_dir_in_use
        self._now_etag = ""
        self._sent_etag = ""
        self._schedule = b""
        self._failed: set[str] = set()

    def now(self, snapshot: NowSnapshot) -> None:
        if snapshot.etag != self._sent_etag and self.events is not None:
            self.events.publish(snapshot)
        self._sent_etag = snapshot.etag
        if snapshot.etag != self._now_etag:
            self._now_etag = snapshot.etag
            self._write(NOW_FILE, snapshot.body)

    def schedule(self) -> None:
        from web.api_public import schedule_document

        at = self.services.clock()
        start = at.replace(minute=0, second=0, microsecond=0)
        with self.app.test_request_context("/", base_url=self.services.settings.site_url):
            data = schedule_document(start, start + timedelta(days=7), at)
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if body != self._schedule:
            self._schedule = body
            self._write(SCHEDULE_FILE, body)

    def _write(self, name: Path, body: bytes) -> None:
        try:
            write_file(self.folder / name, body)
        except OSError as exc:  # the site answers the same path itself; say so once
            if str(name) not in self._failed:
                log.warning("cannot write %s (%s); the site still answers it", name, exc.strerror)
            self._failed.add(str(name))
            if name == NOW_FILE:
                self._now_etag = ""  # try again next time
            else:
                self._schedule = b""
            return
        self._failed.discard(str(name))


def keep_published(publisher: Publisher, stop: threading.Event) -> threading.Thread:
    """Work out the schedule's file every :data:`SCHEDULE_EVERY_S` seconds."""

    def run() -> None:
        while True:
            try:
                publisher.schedule()
            except UNREACHABLE as exc:  # said once for the process; the site answers it
                publisher.services.db.outage.failed(exc)
            except Exception:  # never let a bad read stop the publisher
                log.exception("could not publish the schedule")
            if stop.wait(SCHEDULE_EVERY_S):
                return

    thread = threading.Thread(target=run, name="publish-schedule", daemon=True)
    thread.start()
    return thread
