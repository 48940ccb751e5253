"""Throttles: failed logins slow down whoever fails, and requests for reset links are counted.

The counts live in the station database (tables ``login_failures`` and ``throttle_hits``), so
every web process on it, on one machine or several, counts together: failures sent to two
processes add up. The instant is passed in, so tests drive them with any clock.

:class:`LoginThrottle` counts failures by account **and** client together: someone who knows a
presenter's e-mail address and tries passwords from their own machine slows only
themselves (a few free tries, then waits that double after each failure), while the
presenter, logging in from home, is never kept out by them. A client trying many accounts
is stopped by a limit of its own. A successful login clears that client's count for the
address; a password set through an invitation or reset link clears every count for it.

:class:`RequestThrottle` allows so many requests per address and per client in a window (the
"Forgot your password?" page: it sends e-mail, and nobody is locked out by it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Index, Integer, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from radio.db import Base, Database, UTCDateTime


class LoginFailures(Base):
    """Failed logins for one address from one client: how many, and the last one's instant."""

    __tablename__ = "login_failures"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    client: Mapped[str] = mapped_column(String(100), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    last: Mapped[datetime] = mapped_column(UTCDateTime)


class ThrottleHit(Base):
    """One counted event (a failure, a request) of the throttle ``throttle`` for ``key``."""

    __tablename__ = "throttle_hits"
    __table_args__ = (Index("ix_throttle_hits_key", "throttle", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    throttle: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(300))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class LoginThrottle:
    """After ``free`` failures for one address from one client, each next try from that
    client waits ``first_wait``, doubled after every failure up to ``longest_wait``; the
    count is forgotten ``forget_after`` the last failure. A client alone gets ``per_client``
    failures in ``window``, whatever addresses it tries."""

    db: Database
    free: int = 5
    first_wait: timedelta = timedelta(seconds=30)
    longest_wait: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)
    per_client: int = 20
    window: timedelta = timedelta(minutes=15)

    def retry_after(self, email: str, client: str, now: datetime) -> int:
        """Seconds ``client`` must wait before trying ``email`` again (0: go ahead)."""
        with self.db.session() as session:
            return self._wait(session, email, client, now)

    def take(self, email: str, client: str, now: datetime) -> int:
        """Let ``client`` try a password for ``email`` if it need not wait (0), counting the
        try as failed until :meth:`succeeded` says otherwise; else the seconds to wait.

        Decided and counted in one write: tries sent at once (to one web process's threads
        or to several processes) cannot all pass before any is counted."""
        with self.db.write() as session:
            wait = self._wait(session, email, client, now)
            if not wait:
                self._count(session, email, client, now)
            return wait

    def failed(self, email: str, client: str, now: datetime) -> None:
        with self.db.write() as session:
            self._count(session, email, client, now)

    def succeeded(self, email: str, client: str, taken: datetime | None = None) -> None:
        """The right password from ``client``: its count for ``email`` starts again, and the
        try counted by :meth:`take` at ``taken`` no longer counts against the client."""
        with self.db.write() as session:
            session.execute(
                delete(LoginFailures).where(
                    LoginFailures.email == email, LoginFailures.client == client
                )
            )
            if taken is not None:
                hit = session.scalars(
                    select(ThrottleHit.id).where(ThrottleHit.throttle == "login",
                        ThrottleHit.key == client, ThrottleHit.at == taken).limit(1)
                ).first()  # fmt: skip
                if hit is not None:
                    session.execute(delete(ThrottleHit).where(ThrottleHit.id == hit))

    def _count(self, session: Session, email: str, client: str, now: datetime) -> None:
        session.execute(delete(LoginFailures).where(LoginFailures.last <= now - self.forget_after))
        _forget(session, "login", now - self.window)
        found = session.get(LoginFailures, (email, client))
        if found is None:
            session.add(LoginFailures(email=email, client=client, count=1, last=now))
        else:
            found.count, found.last = found.count + 1, now
        session.add(ThrottleHit(throttle="login", key=client, at=now))

    def cleared(self, email: str) -> None:
        """A new password was set through a link: no client waits for ``email`` any more."""
        with self.db.write() as session:
            session.execute(delete(LoginFailures).where(LoginFailures.email == email))

    def _wait(self, session: Session, email: str, client: str, now: datetime) -> int:
        found = session.get(LoginFailures, (email, client))
        pair = self._pair_wait(found, now)
        return max(pair, _window_wait(session, "login", client, self.per_client, self.window,
                                      now))  # fmt: skip

    def _pair_wait(self, found: LoginFailures | None, now: datetime) -> int:
        if found is None or now - found.last >= self.forget_after:
            return 0
        beyond = found.count - self.free
        if beyond < 0:
            return 0
        wait = min(self.first_wait * 2 ** min(beyond, 30), self.longest_wait)
        return _seconds_until(found.last + wait, now)


@dataclass(frozen=True)
class RequestThrottle:
    """At most ``per_email`` requests per address and ``per_client`` per client in ``window``;
    ``name`` keeps this throttle's counts apart from the others' in the database."""

    db: Database
    name: str
    per_email: int = 3
    per_client: int = 10
    window: timedelta = timedelta(hours=1)

    def retry_after(self, email: str, client: str, now: datetime) -> int:
        """Seconds to wait before asking again (0: go ahead)."""
        with self.db.session() as session:
            return self._wait(session, email, client, now)

    def take(self, email: str, client: str, now: datetime) -> int:
        """Count this request if it need not wait (0); else the seconds to wait. Decided and
        counted in one write, so requests sent at once cannot all pass the limit."""
        with self.db.write() as session:
            wait = self._wait(session, email, client, now)
            if not wait:
                self._count(session, email, client, now)
            return wait

    def failed(self, email: str, client: str, now: datetime) -> None:
        """Count one request (named like :meth:`LoginThrottle.failed`: each one counts)."""
        with self.db.write() as session:
            self._count(session, email, client, now)

    def _wait(self, session: Session, email: str, client: str, now: datetime) -> int:
        return max(
            _window_wait(session, self.name, f"e:{email}", self.per_email, self.window, now),
            _window_wait(session, self.name, f"c:{client}", self.per_client, self.window, now),
        )

    def _count(self, session: Session, email: str, client: str, now: datetime) -> None:
        _forget(session, self.name, now - self.window)
        for key in (f"e:{email}", f"c:{client}"):
            session.add(ThrottleHit(throttle=self.name, key=key, at=now))


def _forget(session: Session, throttle: str, before: datetime) -> None:
    session.execute(
        delete(ThrottleHit).where(ThrottleHit.throttle == throttle, ThrottleHit.at <= before)
    )


def _window_wait(
    session: Session, throttle: str, key: str, limit: int, window: timedelta, now: datetime
) -> int:
    times = list(
        session.scalars(
            select(ThrottleHit.at)
            .where(
                ThrottleHit.throttle == throttle,
                ThrottleHit.key == key,
                ThrottleHit.at > now - window,
            )
            .order_by(ThrottleHit.id)
        )
    )
    if len(times) < limit:
        return 0
    return _seconds_until(times[len(times) - limit] + window, now)


def _seconds_until(free_at: datetime, now: datetime) -> int:
    if free_at <= now:
        return 0
    return max(1, math.ceil((free_at - now).total_seconds()))
