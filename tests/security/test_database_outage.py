"""PostgreSQL stopped under a running site: one sentence and a 503, then recovery by itself.

The probe runs the site on a real PostgreSQL, stops the server with ``pg_ctl`` while the
site's connections are open, and asks for an API answer and for pages (as a visitor and as
a logged-in admin, whose menu needs the database too). What must hold: the API answers 503
with JSON problem details, pages answer 503 with a page, both saying in one sentence that
the database is not answering (no traceback, no 500), with ``Retry-After``. Then the server
is started again and the very next requests work, without restarting the site; also after
a restart of PostgreSQL that no request saw.
"""

from __future__ import annotations

from pathlib import Path

from tests.pg import PostgresServer
from tests.web.people import make_station
from web.errors import UNAVAILABLE


def test_the_site_says_503_while_postgresql_is_down_and_recovers_by_itself(
    tmp_path: Path, postgres: PostgresServer
) -> None:
    station = make_station(tmp_path, database_url=postgres.new_database())
    visitor, admin = station.client(), station.client("admin")
    try:
        assert visitor.get("/api/v1/shows").status_code == 200
        assert admin.get("/shows").status_code == 200
        postgres.stop()
        try:
            api = visitor.get("/api/v1/shows")
            assert api.status_code == 503
            assert api.mimetype == "application/problem+json"
            assert api.get_json()["detail"] == UNAVAILABLE
            assert api.headers["Retry-After"] == "30"
            for client in (visitor, admin):
                page = client.get("/shows")
                text = page.get_data(as_text=True)
                assert page.status_code == 503 and page.mimetype == "text/html"
                assert UNAVAILABLE.replace("'", "&#39;") in text, text
                assert "Traceback" not in text
        finally:
            postgres.start()
        assert visitor.get("/api/v1/shows").status_code == 200
        assert admin.get("/shows").status_code == 200
        # A restart nobody noticed: the pooled connections are dead, and are replaced
        # before use rather than failing the next request.
        postgres.stop()
        postgres.start()
        assert visitor.get("/api/v1/shows").status_code == 200
    finally:
        station.services.db.dispose()
