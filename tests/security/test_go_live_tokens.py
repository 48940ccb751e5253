"""Probe: can the go-live page, or a co-presenter, put someone else on air?

The browser's go-live page gets a short-lived token instead of a stream key. What the probe
tries, and what must hold:

* the harbor's key check (run as the harbor runs it: ``python -I -S keycheck.py`` with the
  values in its environment) takes a token only for its presenter, its slot and until it
  expires; an edited token, one made for another slot, or one signed with another install's
  secret is refused;
* the page and the token endpoint never show a stream key; a presenter of another show gets
  403 and no token; outside the slot's window the answer is one sentence (problem details);
* each co-presenter has their own key: revoking one leaves the other's working, a presenter
  taken off the show is let in no more, and keys hold no look-alike characters; a show key
  of an older version becomes each presenter's key (the ``i14a_presenter_keys`` migration),
  so nobody is locked out by the upgrade.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from radio.accounts.passwords import Passwords, cheap_hasher
from radio.accounts.service import AccountService
from radio.db import Database
from radio.playout import keycheck
from radio.playout.keycheck import key_hash, key_pairs, make_token, token_key
from radio.playout.live import KEY_ALPHABET, StreamKeys, new_key
from tests.security.test_stream_keys import migrate_to
from tests.web.people import PASSWORD, Station, csrf, station_fixture  # noqa: F401

SECRET = "the install's web secret"
OCCURRENCE = "live-a.s1.2026-11-23"


def harbor_check(
    tmp_path: Path, password: str, pairs: str = "", occurrence: str = OCCURRENCE
) -> str:
    """What the harbor's key check answers, run the way Liquidsoap runs it."""
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'web_secret_key = "{SECRET}"\n')
    env = {
        keycheck.KEY_ENV: password,
        keycheck.HASHES_ENV: pairs,
        keycheck.OCCURRENCE_ENV: occurrence,
        keycheck.SECRETS_ENV: str(secrets),
    }
    done = subprocess.run(
        keycheck.command(), env=env, capture_output=True, text=True, timeout=30, check=True
    )
    return done.stdout.strip()


def test_a_token_works_for_its_presenter_and_slot_only(tmp_path: Path) -> None:
    key = token_key(SECRET)
    expires = int(time.time()) + 60
    token = make_token(key, 7, OCCURRENCE, expires)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,128}", token), "the harbor would not even look at it"
    assert harbor_check(tmp_path, token) == "7"
    assert harbor_check(tmp_path, token, occurrence="live-a.s1.2026-11-24") == "refuse"
    assert harbor_check(tmp_path, token.replace("7-", "8-", 1)) == "refuse"  # someone else
    later = token.replace(str(expires), str(expires + 3600), 1)
    assert harbor_check(tmp_path, later) == "refuse"  # stretched
    stale = make_token(key, 7, OCCURRENCE, int(time.time()) - 1)
    assert harbor_check(tmp_path, stale) == "refuse"
    forged = make_token(token_key("another install"), 7, OCCURRENCE, expires)
    assert harbor_check(tmp_path, forged) == "refuse"


def test_each_presenter_is_told_apart_by_their_own_key(tmp_path: Path) -> None:
    ada, bo = new_key(), new_key()
    pairs = key_pairs({3: key_hash(ada), 4: key_hash(bo)})
    assert harbor_check(tmp_path, ada, pairs) == "3"
    assert harbor_check(tmp_path, bo, pairs) == "4"
    assert harbor_check(tmp_path, key_hash(ada), pairs) == "refuse"  # the stored hash itself


def test_keys_have_no_look_alike_characters() -> None:
    assert not set("0O1lIo") & set(KEY_ALPHABET)
    keys = [new_key() for _ in range(200)]
    assert all(re.fullmatch(f"[{KEY_ALPHABET}]{{24}}", k) for k in keys)
    assert len(set(keys)) == len(keys)


def test_revoking_one_presenters_key_leaves_the_others(tmp_path: Path, database_url: str) -> None:
    db = Database(database_url or f"sqlite:///{tmp_path / 'radio.sqlite3'}")
    db.migrate()
    accounts = AccountService(db, passwords=Passwords(cheap_hasher()))
    ada = accounts.add("ada@example.org", "presenter", PASSWORD, ["phone-in"]).id
    bo = accounts.add("bo@example.org", "presenter", PASSWORD, ["phone-in"]).id
    keys = StreamKeys(db)
    ada_key, bo_key = keys.make("phone-in", ada), keys.make("phone-in", bo)
    assert keys.presenter_of("phone-in", ada_key) == ada
    assert keys.presenter_of("phone-in", bo_key) == bo
    keys.make("phone-in", bo)  # Bo lost theirs
    assert keys.check("phone-in", ada_key) and not keys.check("phone-in", bo_key)
    keys.revoke("phone-in", ada)
    assert not keys.check("phone-in", ada_key)
    assert set(keys.hashes("phone-in")) == {bo}
    # Taken off the show: Bo's key no longer opens the harbor (the scheduler hands over
    # only the keys of the show's presenters now).
    accounts.set_presenters("phone-in", [])
    assert keys.hashes("phone-in") == {}
    db.dispose()


def test_an_older_show_key_becomes_each_presenters_key(
    tmp_path: Path, empty_database: Callable[[], str]
) -> None:
    db = Database(empty_database() or f"sqlite:///{tmp_path / 'radio.sqlite3'}")
    migrate_to(db, "h13_outbox")
    shared = "Shared-show-key-from-before"
    made = datetime(2026, 1, 5, tzinfo=UTC)
    with db.engine.begin() as conn:
        for show in ("phone-in", "nobody-presents"):
            conn.execute(
                text("INSERT INTO stream_keys (show, key_hash, created_at) VALUES (:s, :h, :t)"),
                {"s": show, "h": key_hash(shared), "t": made},
            )
        for account in (3, 4):
            conn.execute(
                text(
                    "INSERT INTO accounts (id, email, role, name, password_hash, disabled, "
                    "epoch, created_at) VALUES (:i, :e, 'presenter', '', 'x', FALSE, 0, :t)"
                ),
                {"i": account, "e": f"p{account}@example.org", "t": made},
            )
            conn.execute(
                text("INSERT INTO account_shows (account_id, show_slug) VALUES (:i, 'phone-in')"),
                {"i": account},
            )
    db.migrate()
    keys = StreamKeys(db)
    assert set(keys.hashes("phone-in")) == {3, 4}
    assert keys.presenter_of("nobody-presents", shared) == 0  # the show's own key
    keys.make("phone-in", 3)
    assert keys.presenter_of("phone-in", shared) == 4, "the upgrade locked a presenter out"
    db.dispose()


def test_the_page_gets_a_token_never_a_key(station: Station) -> None:
    owner = station.client("presenter_a")
    ada = station.people["presenter_a"]
    key = StreamKeys(station.services.db).make("live-a", ada.id)
    page = owner.get("/dashboard/shows/live-a/live")
    assert page.status_code == 200
    assert key not in page.get_data(as_text=True)
    token_url = "/dashboard/shows/live-a/live/token"
    headers = {"X-CSRFToken": csrf(owner), "Accept": "application/json"}
    # Monday 09:00; the slot is at 20:00 and its key works from 19:55.
    early = owner.post(token_url, headers=headers)
    assert early.status_code == 409
    assert early.get_json()["detail"] == "You can go live from Mon 23 Nov, 19:55."
    station.clock[0] = station.clock[0].replace(hour=19, minute=58)
    answer = owner.post(token_url, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.get_json()
    assert key not in answer.get_data(as_text=True)
    port = station.services.settings.harbor_port
    assert body["url"] == f"ws://localhost:{port}/live" and body["user"] == "source"
    occurrence = station.services.grid.expand(
        station.clock[0], station.clock[0].replace(hour=21), show="live-a"
    )[0].id
    secret = str(station.app.secret_key)
    verdict = keycheck.presenter_for_token(
        token_key(secret), body["password"], occurrence, station.clock[0].timestamp()
    )
    assert verdict == ada.id
    thief = station.client("presenter_b")
    stolen = thief.post(
        token_url, headers={"X-CSRFToken": csrf(thief), "Accept": "application/json"}
    )
    assert stolen.status_code == 403 and "password" not in stolen.get_data(as_text=True)
    page_csp = owner.get("/dashboard/shows/live-a/live").headers["Content-Security-Policy"]
    assert f"connect-src 'self' ws://127.0.0.1:{port} ws://localhost:{port}" in page_csp
