"""Who reaches what: every route in the URL map, for every kind of person.

``RULES`` names the audience of every endpoint. A route added without a rule fails
:func:`test_every_route_has_a_rule`; add it to the table with the audience it is for.
Requests that name a show or an occurrence name show A's, which presenter A looks after and
presenter B does not. What an upload may name (show × occurrence × playlist, every
combination, for every role) is probed in tests/security/test_upload_access.py.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.people import Station, csrf, make_station, offer_and_propose

ROLES = ("anonymous", "presenter_a", "presenter_b", "volunteer", "admin")

#: What each audience's members get; "ok" is anything but a refusal or an error.
AUDIENCES: dict[str, dict[str, str]] = {
    "everyone": dict.fromkeys(ROLES, "ok"),
    "signed-in": {"anonymous": "login"} | dict.fromkeys(ROLES[1:], "ok"),
    # An upload that does not exist: signed-in people are told so, others must sign in.
    "signed-in-missing": {"anonymous": "login"} | dict.fromkeys(ROLES[1:], "missing"),
    "presenter": {
        "anonymous": "login",
        "presenter_a": "ok",
        "presenter_b": "ok",
        "volunteer": "forbidden",
        "admin": "forbidden",
    },
    "own-show": {
        "anonymous": "login",
        "presenter_a": "ok",
        "presenter_b": "forbidden",
        "volunteer": "forbidden",
        "admin": "forbidden",
    },
    # A file of show A's that does not exist yet: the owner is told so, nobody else is.
    "own-show-file": {
        "anonymous": "login",
        "presenter_a": "missing",
        "presenter_b": "forbidden",
        "volunteer": "forbidden",
        "admin": "forbidden",
    },
    "volunteer": {
        "anonymous": "login",
        "presenter_a": "forbidden",
        "presenter_b": "forbidden",
        "volunteer": "ok",
        "admin": "ok",
    },
    "admin": {
        "anonymous": "login",
        "presenter_a": "forbidden",
        "presenter_b": "forbidden",
        "volunteer": "forbidden",
        "admin": "ok",
    },
    # Something public that does not exist yet (show A's episode before it airs).
    "everyone-not-yet": dict.fromkeys(ROLES, "missing"),
}

#: The audience of every endpoint (every method of it).
RULES: dict[str, str] = {
    "uploads.create": "signed-in",
    "uploads.upload": "signed-in-missing",
    "uploads.append": "signed-in-missing",
    "uploads.finish": "signed-in-missing",
    "uploads.cancel": "signed-in-missing",
    "static": "everyone",
    "vendor.vendor_file": "everyone",
    "public.home": "everyone",
    "public.schedule": "everyone",
    "public.shows": "everyone",
    "public.show": "everyone",
    "api.now": "everyone",
    "api.now_events": "everyone",
    # No station plays here, so no segment has been written yet (site.css is no HLS file).
    "api.hls": "everyone-not-yet",
    "api.healthz": "everyone",
    "api_public.schedule": "everyone",
    "api_public.shows": "everyone",
    "api_public.show": "everyone",
    "api_public.openapi": "everyone",
    "libretime.live_info_v2": "everyone",
    "libretime.week_info": "everyone",
    "feeds.schedule_ics": "everyone",
    "feeds.show_ics": "everyone",
    "feeds.podcast": "everyone",
    "feeds.listen_m3u": "everyone",
    "feeds.listen_pls": "everyone",
    "feeds.episode_audio": "everyone-not-yet",
    "changes.index": "everyone",
    "auth.login": "everyone",
    "auth.invite": "everyone",
    "auth.forgot": "everyone",
    "auth.reset": "everyone",
    "auth.logout": "signed-in",
    "dashboard.index": "presenter",
    "dashboard.slot": "own-show",
    "dashboard.regenerate_key": "own-show",
    "dashboard.go_live": "own-show",
    "dashboard.live_token": "own-show",
    "dashboard.live_status_json": "own-show",
    "listen_again.page": "own-show",
    "listen_again.audio": "own-show-file",
    "logger.index": "volunteer",
    "logger.export_range": "volunteer",
    "grid_editor.week": "volunteer",
    "grid_editor.missing": "volunteer",
    "grid_editor.occurrence": "volunteer",
    "grid_editor.playlists": "volunteer",
    "grid_editor.playlist": "volunteer",
    "grid_editor.new_show": "volunteer",
    "grid_editor.show": "volunteer",
    "grid_editor.remove_show": "volunteer",
    "grid_editor.new_slot": "volunteer",
    "grid_editor.slot": "volunteer",
    "grid_editor.remove_slot": "volunteer",
    "grid_editor.presenters": "volunteer",
    "grid_editor.calendar_json": "volunteer",
    "grid_editor.move": "volunteer",
    "grid_editor.open_slots": "volunteer",
    "grid_editor.remove_open_slot": "volunteer",
    "grid_editor.proposal_list": "volunteer",
    "grid_editor.proposal": "volunteer",
    "grid_editor.comment": "volunteer",
    "grid_editor.accept": "volunteer",
    "grid_editor.decline": "volunteer",
    "involved.get_involved": "everyone",
    "admin.accounts_page": "admin",
    "listeners.overview": "admin",
    "listeners.export": "admin",
    "listeners.mine": "presenter",
    "admin.invite": "admin",
    "admin.account": "admin",
    "admin.link": "admin",
    "admin.settings": "admin",
}

#: Requests that change or end things go last, in this order.
LAST = ("remove_slot", "remove_show", "auth.logout")


@pytest.fixture(scope="module")
def stations(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Station]]:
    made = {role: make_station(tmp_path_factory.mktemp(role)) for role in ROLES}
    for station in made.values():  # open slot 1, proposal 1 for it
        offer_and_propose(station)
    yield made
    for station in made.values():
        station.services.db.dispose()


def endpoints(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) for every route, GETs first and the destructive ones last."""
    found = [
        (rule.endpoint, method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]

    def order(item: tuple[str, str, str]) -> tuple[int, int, str]:
        last = next((i for i, word in enumerate(LAST) if word in item[0]), -1)
        return (last + 1, item[1] != "GET", item[0])

    return sorted(found, key=order)


def test_every_route_has_a_rule(stations: dict[str, Station]) -> None:
    names = {endpoint for endpoint, _, _ in endpoints(stations["anonymous"].app)}
    missing = sorted(names - set(RULES))
    assert not missing, f"routes without an access rule in tests/web/test_access.py: {missing}"
    assert set(RULES) <= names, f"rules for routes that are gone: {sorted(set(RULES) - names)}"


def url_for_test(station: Station, endpoint: str, rule: str) -> str:
    """The rule's path with its arguments filled in with show A's things."""
    values = {
        "slug": "show-a",
        "upload_id": "no-such-upload",
        "slot_id": "s1",
        "occurrence_id": station.occurrence("show-a"),
        "account_id": str(station.people["presenter_b"].id),
        "name": "rotation",
        "filename": "site.css",
        "file": "fullcalendar.js",
        "token": "",
        "open_slot_id": "1",
        "proposal_id": "1",
    }
    path = rule
    for key, value in values.items():
        if f"<{key}>" in path or f":{key}>" in path:
            if key == "token" and endpoint == "auth.reset":
                value = station.accounts.reset_link(station.people["presenter_b"].id)
            elif key == "token":
                _, value = station.accounts.invite(f"{endpoint}@example.org", "volunteer")
            path = path.replace(f"<{key}>", value).replace(f"<int:{key}>", value)
            path = path.replace(f"<path:{key}>", value)
    assert "<" not in path, f"tests/web/test_access.py cannot fill in {rule}; add a value"
    return path


def outcome(client: FlaskClient, method: str, path: str) -> str:
    if method == "GET":
        response = client.get(path)
    else:
        response = client.open(path, method=method, data={"csrf_token": csrf(client)})
    status = response.status_code
    response.close()
    if status in (301, 302, 303) and response.headers["Location"].startswith("/login"):
        return "login"
    if status == 401 and path.startswith("/api/"):
        return "login"  # the API says "sign in" without redirecting
    if status == 403:
        return "forbidden"
    if status == 404:
        return "missing"
    if status in (401, 405) or (status >= 500 and status != 503):
        return f"error {status}"
    return "ok"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_the_rules_say(stations: dict[str, Station], role: str) -> None:
    station = stations[role]
    client = station.client(None if role == "anonymous" else role)
    wrong = []
    for endpoint, method, rule in endpoints(station.app):
        if endpoint not in RULES:
            continue
        path = url_for_test(station, endpoint, rule)
        expected = AUDIENCES[RULES[endpoint]][role]
        got = outcome(client, method, path)
        if got != expected:
            wrong.append(f"{method} {path} ({endpoint}): expected {expected}, got {got}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_rules_cover_every_audience() -> None:
    assert set(RULES.values()) <= set(AUDIENCES)
    assert all(set(table) == set(ROLES) for table in AUDIENCES.values())
    assert len(list(itertools.chain(*AUDIENCES.values()))) == len(ROLES) * len(AUDIENCES)
