"""The account service and the change log on a migrated database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from radio.accounts.model import AccountError, TokenInvalid
from radio.accounts.passwords import Passwords, cheap_hasher
from radio.accounts.service import AccountService
from radio.accounts.station import StationOverrides, StationSettingsStore, apply
from radio.changelog import ChangeLog
from radio.config import Settings
from radio.db import Database
from radio.errors import ConfigError, NotFound

T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)
PW = "a long enough password"


@pytest.fixture
def db(tmp_path: Path, database_url: str) -> Iterator[Database]:
    database = Database(database_url or f"sqlite:///{tmp_path / 'radio.sqlite3'}")
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def clock() -> list[datetime]:
    return [T0]


@pytest.fixture
def accounts(db: Database, clock: list[datetime]) -> AccountService:
    return AccountService(db, passwords=Passwords(cheap_hasher()), clock=lambda: clock[0])


def test_add_then_authenticate(accounts: AccountService) -> None:
    made = accounts.add("Sam@Example.org", "presenter", PW, ["show-a"], name="Sam")
    assert made.email == "sam@example.org" and made.shows == {"show-a"} and made.active
    assert accounts.authenticate("SAM@example.org", PW) == made
    assert accounts.authenticate("sam@example.org", "wrong password") is None
    assert accounts.authenticate("nobody@example.org", PW) is None
    with pytest.raises(AccountError, match="already an account"):
        accounts.add("sam@example.org", "volunteer", PW)


def test_invitation_works_once_and_replaces_an_earlier_one(accounts: AccountService) -> None:
    first, old = accounts.invite("kim@example.org", "volunteer")
    again, token = accounts.invite("kim@example.org", "admin", name="Kim")
    assert first.id == again.id and again.role == "admin" and not again.has_password
    with pytest.raises(TokenInvalid, match="already been used"):
        accounts.check_token(old)
    assert accounts.check_token(token)[1] == "invite"
    with pytest.raises(TokenInvalid):
        accounts.check_token(token, "reset")  # an invitation is not a reset link
    with pytest.raises(TokenInvalid):
        accounts.redeem(token, PW, "reset")
    done = accounts.redeem(token, PW)
    assert done.active and done.epoch == 1
    with pytest.raises(TokenInvalid):
        accounts.redeem(token, PW)
    with pytest.raises(AccountError, match="already has an account"):
        accounts.invite("kim@example.org", "admin")


def test_links_expire(accounts: AccountService, clock: list[datetime]) -> None:
    made = accounts.add("sam@example.org", "volunteer", PW)
    token = accounts.reset_link(made.id)
    clock[0] = T0 + timedelta(days=1, seconds=1)
    with pytest.raises(TokenInvalid, match="expired"):
        accounts.redeem(token, "another long password")


def test_disabled_accounts_cannot_log_in_or_use_links(accounts: AccountService) -> None:
    made = accounts.add("sam@example.org", "volunteer", PW)
    token = accounts.reset_link(made.id)
    changed = accounts.update(made.id, disabled=True)
    assert changed.epoch == made.epoch + 1
    assert accounts.authenticate("sam@example.org", PW) is None
    with pytest.raises(TokenInvalid, match="disabled"):
        accounts.redeem(token, "another long password")
    with pytest.raises(AccountError, match="disabled"):
        accounts.reset_link(made.id)


def test_role_change_drops_show_links(accounts: AccountService) -> None:
    made = accounts.add("sam@example.org", "presenter", PW, ["a", "b"])
    changed = accounts.update(made.id, role="volunteer")
    assert changed.shows == frozenset() and changed.epoch == made.epoch + 1


def test_set_presenters_of_a_show(accounts: AccountService) -> None:
    sam = accounts.add("sam@example.org", "presenter", PW, ["a"])
    kim = accounts.add("kim@example.org", "presenter", PW, ["b"])
    vol = accounts.add("v@example.org", "volunteer", PW)
    accounts.set_presenters("b", [sam.id, kim.id])
    assert {a.email for a in accounts.presenters_of("b")} == {"sam@example.org", "kim@example.org"}
    accounts.set_presenters("b", [sam.id])
    assert [a.email for a in accounts.presenters_of("b")] == ["sam@example.org"]
    assert accounts.require(sam.id).shows == {"a", "b"}
    with pytest.raises(AccountError, match="not a presenter"):
        accounts.set_presenters("b", [vol.id])
    with pytest.raises(NotFound):
        accounts.set_presenters("b", [999])


def test_change_log_newest_first(db: Database) -> None:
    log = ChangeLog(db)
    log.record(at=T0, who="Val", what="Added X.", reason=" why ", show="x")
    log.record(at=T0 + timedelta(minutes=1), who="Ari", what="Removed Y.")
    recent = log.recent()
    assert [c.what for c in recent] == ["Removed Y.", "Added X."]
    assert recent[1].reason == "why" and recent[1].at == T0 and log.count() == 2


def test_station_settings_override_and_check(db: Database) -> None:
    store = StationSettingsStore(db)
    settings = Settings(data_dir=Path("unused"))
    assert apply(settings, store.load()) == settings
    store.save(StationOverrides(station_name="Westway FM", live_server="live.example.org"))
    loaded = store.load()
    assert apply(settings, loaded).station_name == "Westway FM"
    assert loaded.live_server == "live.example.org"
    store.save(StationOverrides())
    assert store.load() == StationOverrides()
    with pytest.raises(ConfigError, match="not a time zone"):
        store.save(StationOverrides(timezone="Mars/Olympus"))
