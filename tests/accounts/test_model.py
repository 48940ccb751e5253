"""Accounts' rules (pure, no database) and the throttles (counting in a station database)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from radio.accounts.model import (
    Account,
    AccountError,
    check_links,
    check_password,
    check_role,
    normalise_email,
)
from radio.accounts.passwords import Passwords, cheap_hasher
from radio.accounts.throttle import LoginThrottle, RequestThrottle
from radio.bootstrap import open_database
from radio.config import Settings
from radio.db import Database

T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(Settings(data_dir=tmp_path / "var"))
    yield database
    database.dispose()


def test_presenters_reach_their_own_shows_only() -> None:
    sam = Account(1, "sam@example.org", "presenter", shows=frozenset({"a"}), has_password=True)
    assert sam.presents("a") and not sam.presents("b") and not sam.edits_grid
    vol = Account(2, "v@example.org", "volunteer", has_password=True)
    assert vol.edits_grid and not vol.is_admin and not vol.presents("a")
    admin = Account(3, "x@example.org", "admin", has_password=True)
    assert admin.edits_grid and admin.is_admin


def test_disabled_or_invited_accounts_reach_nothing() -> None:
    off = Account(1, "s@example.org", "admin", shows=frozenset(), disabled=True, has_password=True)
    invited = Account(2, "i@example.org", "presenter", shows=frozenset({"a"}))
    assert not off.is_admin and not off.edits_grid
    assert not invited.presents("a")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: normalise_email("not an address"), "is not an e-mail address"),
        (lambda: check_role("dj"), "must be presenter, volunteer or admin"),
        (lambda: check_password("short"), "at least 10 characters"),
        (lambda: check_links("volunteer", frozenset({"a"})), "Only presenters"),
    ],
)
def test_mistakes_are_one_sentence(call: object, message: str) -> None:
    with pytest.raises(AccountError, match=message):
        call()  # type: ignore[operator]


def test_email_is_trimmed_and_lower_case() -> None:
    assert normalise_email("  Sam@Example.ORG ") == "sam@example.org"


def test_passwords_are_argon2id_and_verify() -> None:
    passwords = Passwords(cheap_hasher())
    stored = passwords.hash("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "correct horse battery")
    assert not passwords.verify(stored, "wrong")
    assert not passwords.verify(None, "anything")
    assert not passwords.verify("not a hash", "anything")


def test_throttle_slows_an_address_from_one_client_with_growing_waits(db: Database) -> None:
    throttle = LoginThrottle(db, free=3, first_wait=timedelta(seconds=30))
    at = T0
    for _ in range(3):
        assert throttle.retry_after("sam", "1.2.3.4", at) == 0
        throttle.failed("sam", "1.2.3.4", at)
    waits = []
    for _ in range(4):
        wait = throttle.retry_after("sam", "1.2.3.4", at)
        waits.append(wait)
        at += timedelta(seconds=wait)
        assert throttle.retry_after("sam", "1.2.3.4", at) == 0
        throttle.failed("sam", "1.2.3.4", at)
    assert waits == [30, 60, 120, 240]
    # Another client (the account's owner) is not slowed; another address neither.
    assert throttle.retry_after("sam", "5.6.7.8", at) == 0
    assert throttle.retry_after("kim", "1.2.3.4", at) == 0
    # The waits stop growing at the longest, and all is forgotten an hour after.
    for _ in range(10):
        throttle.failed("sam", "1.2.3.4", at)
    assert throttle.retry_after("sam", "1.2.3.4", at) == 15 * 60
    assert throttle.retry_after("sam", "1.2.3.4", at + timedelta(hours=1)) == 0


def test_throttle_counts_failures_per_client_across_addresses(db: Database) -> None:
    throttle = LoginThrottle(db, per_client=4)
    for i in range(4):
        throttle.failed(f"user{i}", "9.9.9.9", T0)
    assert throttle.retry_after("someone-else", "9.9.9.9", T0) > 0
    assert throttle.retry_after("someone-else", "8.8.8.8", T0) == 0


def test_a_success_clears_its_client_and_a_new_password_clears_every_client(db: Database) -> None:
    throttle = LoginThrottle(db, free=2)
    for client in ("1.1.1.1", "2.2.2.2"):
        throttle.failed("sam", client, T0)
        throttle.failed("sam", client, T0)
    throttle.succeeded("sam", "1.1.1.1")
    assert throttle.retry_after("sam", "1.1.1.1", T0) == 0
    assert throttle.retry_after("sam", "2.2.2.2", T0) > 0
    throttle.cleared("sam")
    assert throttle.retry_after("sam", "2.2.2.2", T0) == 0


def at_once(take: Callable[[], int], tries: int) -> list[int]:
    """``tries`` calls of ``take`` started together; their answers."""
    together = threading.Barrier(tries)
    answers: list[int] = []

    def one() -> None:
        together.wait()
        answers.append(take())

    threads = [threading.Thread(target=one) for _ in range(tries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_tries_sent_at_once_get_no_more_than_the_free_ones(db: Database) -> None:
    """A burst of guesses (to one process's threads, or to several processes): each try is
    decided and counted in one write, so only the free ones go ahead."""
    logins = LoginThrottle(db, free=5)
    answers = at_once(lambda: logins.take("sam", "6.6.6.6", T0), 12)
    assert sorted(answers)[:6] == [0] * 5 + [30]
    resets = RequestThrottle(db, "reset", per_email=3, per_client=100)
    assert sum(wait == 0 for wait in at_once(lambda: resets.take("sam", "6.6.6.6", T0), 10)) == 3


def test_a_try_that_succeeds_does_not_count(db: Database) -> None:
    throttle = LoginThrottle(db, free=2, per_client=3)
    for _ in range(3):
        assert throttle.take("sam", "1.1.1.1", T0) == 0
        throttle.succeeded("sam", "1.1.1.1", T0)
    assert throttle.retry_after("kim", "1.1.1.1", T0) == 0  # the client's limit is untouched
    assert throttle.take("sam", "1.1.1.1", T0) == 0  # a wrong password: it stays counted
    assert throttle.take("sam", "1.1.1.1", T0) == 0
    assert throttle.retry_after("sam", "1.1.1.1", T0) > 0


def test_reset_requests_are_counted_per_address_in_a_window(db: Database) -> None:
    throttle = RequestThrottle(
        db, "reset", per_email=3, per_client=100, window=timedelta(minutes=15)
    )
    for i in range(3):
        assert throttle.retry_after("sam", "1.2.3.4", T0 + timedelta(seconds=i)) == 0
        throttle.failed("sam", "1.2.3.4", T0 + timedelta(seconds=i))
    assert throttle.retry_after("sam", "1.2.3.4", T0 + timedelta(seconds=3)) == 15 * 60 - 3
    assert throttle.retry_after("kim", "1.2.3.4", T0) == 0
    assert throttle.retry_after("sam", "1.2.3.4", T0 + timedelta(minutes=15, seconds=1)) == 0
