"""Rendered parts of pages, kept while what they show stays the same.

A part is stored under a key that names everything it depends on (for the schedule: the
grid's version, the week shown and the current minute), so a grid edit, by any of the
site's processes, shows at once: the key changes with the version stored in the database.
A whole page may be kept only for requests :func:`without_session` (nothing on it depends
on who asks). Only the newest :data:`SIZE` parts are kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import Flask, current_app, request
from markupsafe import Markup

SIZE = 64


class PartCache:
    """A small, thread-safe, least-recently-used store of rendered HTML."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self._parts: OrderedDict[Hashable, Markup] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, render: Callable[[], str]) -> Markup:
        """The part stored under ``key``, rendered (outside the lock) if there is none."""
        with self._lock:
            found = self._parts.get(key)
            if found is not None:
                self._parts.move_to_end(key)
                return found
        made = Markup(render())
        with self._lock:
            self._parts[key] = made
            while len(self._parts) > self.size:
                self._parts.popitem(last=False)
        return made


def without_session() -> bool:
    """Does the request carry no session? Then a page is the same for every such visitor:
    no one is logged in and there are no messages to flash."""
    return not request.cookies.get(current_app.config["SESSION_COOKIE_NAME"])


def init_app(app: Flask) -> None:
    app.extensions["radio.parts"] = PartCache()


def parts() -> PartCache:
    found = current_app.extensions["radio.parts"]
    assert isinstance(found, PartCache)
    return found
