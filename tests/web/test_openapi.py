"""The OpenAPI 3.1 document (written by hand in web/openapi.py) against the real routes.

Two guards keep the document and the code from drifting apart:

* the routes: every operation the document lists exists in Flask's URL map, and every route
  of the public API (under ``/api/``, and the ``api``, ``api_public`` and ``libretime``
  blueprints) is in the document, except those in :data:`OUTSIDE_THE_DOCUMENT`;
* the fields: every documented JSON answer is fetched from a seeded station
  (:data:`EXAMPLES`), and the keys of every object in it are exactly the properties the
  document lists for it: nothing answered that is not documented, nothing documented that
  no answer has.

Schemathesis then makes requests from the document (a few examples per operation, bounded)
and checks each answer: no server errors, status codes and bodies as documented, problem
details for errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from radio.onair import describe
from radio.playout.asrun import AsRunEntry
from radio.playout.liquidsoap import OnAir
from tests.web.listeners import NOW, ListenerStation, make_listener_station

#: Routes of the public API's blueprints or under /api/ that the document leaves out, and why
#: (an endpoint name, or a blueprint name for all of its routes).
OUTSIDE_THE_DOCUMENT = {
    "uploads": "presenters' resumable uploads: signed in, with a CSRF token, not public",
    "api.healthz": "the operators' health check (monitoring, not the listeners' API)",
    "api_public.openapi": "the document itself",
    "api.now_events": "/api/v1/now as Server-Sent Events (text/event-stream; README)",
    "api.hls": "the HLS stream's playlist and segments (audio, not the JSON API)",
}
PUBLIC_BLUEPRINTS = ("api", "api_public", "libretime")
METHODS = ("get", "put", "post", "delete", "patch")

#: Requests whose answers show every documented field: (path, method, status) -> URLs.
EXAMPLES: dict[tuple[str, str, str], list[str]] = {
    ("/api/v1/now", "get", "200"): ["/api/v1/now"],
    ("/api/v1/schedule", "get", "200"): ["/api/v1/schedule?start=2026-11-23&end=2026-12-01"],
    ("/api/v1/schedule", "get", "400"): ["/api/v1/schedule?start=tomorrow"],
    ("/api/v1/shows", "get", "200"): ["/api/v1/shows"],
    ("/api/v1/shows/{slug}", "get", "200"): [
        "/api/v1/shows/jazz-night", "/api/v1/shows/morning-show"],
    ("/api/v1/shows/{slug}", "get", "404"): ["/api/v1/shows/no-such-show"],
    ("/api/live-info-v2", "get", "200"): ["/api/live-info-v2?days=7&shows=20"],
    ("/api/live-info-v2", "get", "400"): ["/api/live-info-v2?callback=alert(1)"],
    ("/api/week-info", "get", "200"): ["/api/week-info"],
    ("/api/week-info", "get", "400"): ["/api/week-info?callback=alert(1)"],
}  # fmt: skip


@pytest.fixture(scope="module")
def listener_station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ListenerStation]:
    made = make_listener_station(Path(tmp_path_factory.mktemp("openapi")))
    yield made
    made.services.db.dispose()


@pytest.fixture(scope="module")
def api_schema(listener_station: ListenerStation) -> Any:
    return schemathesis.openapi.from_wsgi("/openapi.json", listener_station.app)


def test_document_is_openapi_3_1_and_names_every_public_route(
    listener_station: ListenerStation,
) -> None:
    response = listener_station.client().get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    doc = response.get_json()
    assert doc["openapi"] == "3.1.0"
    assert set(doc["paths"]) == {
        "/api/v1/now", "/api/v1/schedule", "/api/v1/shows", "/api/v1/shows/{slug}",
        "/api/live-info-v2", "/api/week-info",
    }  # fmt: skip
    now = doc["components"]["schemas"]["Now"]["properties"]
    assert set(now) == {"station", "on_air", "show", "status", "episode", "slot_start",
                        "slot_end", "next", "listeners"}  # fmt: skip
    assert now["status"]["enum"] == [
        "episode", "repeat", "missing", "fill", "live", "waiting", "music",
        "unscheduled"]  # fmt: skip


def test_api_answers_as_documented(api_schema: Any) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 6
    for operation in operations:

        @given(operation.as_strategy())
        @settings(
            max_examples=12,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def check(case: Any) -> None:
            # start and end are checked beyond what JSON Schema says (end after start,
            # at most 31 days, years 2000-2199): a 400 for those is documented, not a bug.
            lenient = [positive_data_acceptance] if case.path == "/api/v1/schedule" else []
            case.call_and_validate(excluded_checks=lenient)

        check()


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[ListenerStation]:
    """The listeners' station with something in every field: an episode on air as playout
    describes it (its slot, the next show), an item in the as-run log before it."""
    made = make_listener_station(tmp_path)
    grid = made.grid
    slot, following = grid.expand(NOW, NOW + timedelta(days=1))[:2]
    on_air = OnAir(
        source="scheduled", title="So What", artist="Miles Davis", filename="",
        started_at=(NOW - timedelta(minutes=2)).timestamp(),
        metadata={"radio_occurrence": slot.id, "radio_media_id": "7",
                  "radio_status": "episode", "liq_cue_out": "562"},
    )  # fmt: skip
    made.on_air.set(describe("Demo Community Radio", on_air, slot, following))
    with made.services.db.write() as session:
        session.add(AsRunEntry(
            started_at=datetime(2026, 11, 24, 19, 10, tzinfo=UTC),
            ended_at=datetime(2026, 11, 24, 19, 18, tzinfo=UTC), source="scheduled",
            status="episode", show="jazz-night", title="Blue in Green", artist="Bill Evans",
        ))  # fmt: skip
    yield made
    made.services.db.dispose()


def documented_operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(path, m) for path, item in doc["paths"].items() for m in item if m in METHODS}


def public_routes(app: Flask) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every route the document is meant to cover."""
    found = set()
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        if rule.endpoint in OUTSIDE_THE_DOCUMENT or blueprint in OUTSIDE_THE_DOCUMENT:
            continue
        if rule.rule.startswith("/api/") or blueprint in PUBLIC_BLUEPRINTS:
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            found |= {(path, m.lower()) for m in rule.methods or () if m.lower() in METHODS}
    return found


def test_every_public_route_is_documented_and_every_documented_one_exists(
    seeded: ListenerStation,
) -> None:
    doc = seeded.client().get("/openapi.json").get_json()
    documented, routes = documented_operations(doc), public_routes(seeded.app)
    assert sorted(routes - documented) == [], "routes missing from web/openapi.py"
    assert sorted(documented - routes) == [], "web/openapi.py documents routes that do not exist"


def test_every_answer_has_exactly_the_documented_fields(seeded: ListenerStation) -> None:
    doc = seeded.client().get("/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    documented: dict[str, set[str]] = {}
    seen: dict[str, set[str]] = {}
    problems: set[str] = set()
    examples = dict(EXAMPLES)
    for path, method in sorted(documented_operations(doc)):
        for status, response in doc["paths"][path][method]["responses"].items():
            json_types = [t for t in response.get("content", {}) if t.endswith("json")]
            if not json_types:
                continue
            schema = response["content"][json_types[0]]["schema"]
            where = f"{method.upper()} {path} {status}"
            urls = examples.pop((path, method, status), None)
            assert urls, f"{where}: add example requests for it to EXAMPLES"
            properties(schema, where, schemas, documented)
            for url in urls:
                answer = seeded.client().open(url, method=method.upper())
                assert answer.status_code == int(status), (url, answer.get_data(as_text=True))
                fields(schema, answer.get_json(), where, schemas, seen, problems)
    assert examples == {}, "EXAMPLES for answers the document does not have"
    for where, names in sorted(documented.items()):
        if unseen := names - seen.get(where, set()):
            problems.add(f"{where}: documented, in no answer: {sorted(unseen)}")
    assert sorted(problems) == []


def flatten(
    schema: dict[str, Any], where: str, schemas: dict[str, Any]
) -> tuple[dict[str, Any], str] | None:
    """The object (or array, or leaf) schema behind a $ref, an allOf or a nullable oneOf, and
    its name for messages: a named schema is one place however it is reached."""
    if "$ref" in schema:
        name = schema["$ref"].rpartition("/")[2]
        return flatten(schemas[name], name, schemas)
    if "allOf" in schema:
        merged: dict[str, Any] = {"type": "object", "properties": {}}
        for part in schema["allOf"]:
            found = flatten(part, where, schemas)
            assert found is not None
            merged["properties"] |= found[0].get("properties", {})
        return merged, where
    if choices := schema.get("oneOf") or schema.get("anyOf"):
        real = [c for c in choices if c != {"type": "null"}]
        assert len(real) <= 1, f"{where}: only nullable oneOf is understood here"
        return flatten(real[0], where, schemas) if real else None
    return schema, where


def properties(
    schema: dict[str, Any], where: str, schemas: dict[str, Any], out: dict[str, set[str]]
) -> None:
    """Every object the document describes under ``schema``: its place -> property names."""
    found = flatten(schema, where, schemas)
    if found is None:
        return
    schema, where = found
    if "properties" in schema and where not in out:
        out[where] = set(schema["properties"])
        for name, sub in schema["properties"].items():
            properties(sub, f"{where}.{name}", schemas, out)
    if "items" in schema:
        properties(schema["items"], f"{where}[]", schemas, out)


def fields(
    schema: dict[str, Any],
    value: Any,
    where: str,
    schemas: dict[str, Any],
    seen: dict[str, set[str]],
    problems: set[str],
) -> None:
    """Walk an answer beside its schema: note the keys of each object, report the
    undocumented ones."""
    found = flatten(schema, where, schemas) if value is not None else None
    if found is None:
        return
    schema, where = found
    if isinstance(value, dict):
        documented = schema.get("properties", {})
        if extra := sorted(set(value) - set(documented)):
            problems.add(f"{where}: answered, not documented: {extra}")
        seen.setdefault(where, set()).update(value)
        for name in set(value) & set(documented):
            fields(documented[name], value[name], f"{where}.{name}", schemas, seen, problems)
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            fields(schema["items"], item, f"{where}[]", schemas, seen, problems)
