"""The database adapter: engine, sessions and migrations (SQLite by default, or PostgreSQL)."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, DateTime, Dialect, Engine, create_engine, event
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from radio.errors import DatabaseError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: What SQLAlchemy raises when the database does not answer (its server stopped, the network
#: to it gone; with SQLite, a file that cannot be opened or stays locked).
UNREACHABLE = (OperationalError, InterfaceError)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class UTCDateTime(TypeDecorator[datetime]):
    """An instant: stored in UTC, read back as an aware UTC datetime on every database.

    SQLite keeps no zone and hands back naive values; this type is the one place that says
    they are UTC. A naive value is refused on the way in (it would be a guess).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"an instant without a time zone cannot be stored: {value!r}")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: The PostgreSQL advisory lock every write transaction takes first (any fixed number does):
#: writers queue on it the way SQLite's ``BEGIN IMMEDIATE`` makes them queue.
WRITE_LOCK = 1_700_017


def is_postgresql(url: str) -> bool:
    return url.startswith(("postgresql", "postgres:"))


def make_engine(url: str) -> Engine:
    """An engine whose write transactions (``radio_write``) take one lock up front.

    SQLite: WAL mode, foreign keys, a busy timeout and ``BEGIN IMMEDIATE``. PostgreSQL
    (psycopg 3): connections checked before use, so the pool recovers by itself after the
    server restarts, and a transaction-wide advisory lock taken at the start of each write.
    """
    if is_postgresql(url):
        return _postgresql_engine(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # Let SQLAlchemy not emit BEGIN itself so that "BEGIN IMMEDIATE" below takes the
            # write lock up front: two processes editing the grid serialise instead of racing.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
            write = conn.get_execution_options().get("radio_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return create_engine(url)


def _postgresql_engine(url: str) -> Engine:
    if url.startswith("postgres:"):
        url = "postgresql" + url[len("postgres") :]
    if url.startswith("postgresql:"):  # the driver this project installs
        url = "postgresql+psycopg" + url[len("postgresql") :]
    engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})

    @event.listens_for(engine, "begin")
    def _postgresql_begin(conn):  # type: ignore[no-untyped-def]
        # READ COMMITTED (the default) takes a fresh snapshot per statement: once this
        # lock is held, every read sees what the writer before committed.
        if conn.get_execution_options().get("radio_write", False):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")

    return engine


class Outage:
    """Says once that the database stopped answering, and once that it answers again.

    Every part of a process that reads the database reports here (:meth:`failed` with what
    it caught, :meth:`answered` after a read that worked), so an outage is two lines in the
    log, not a traceback per job and per tick.
    """

    def __init__(self, where: str) -> None:
        self.where = where
        self.down = False
        self._lock = threading.Lock()

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            first, self.down = not self.down, True
        if first:
            log.warning(
                "the database %s is not answering (%s); the station plays on, and what needs "
                "the database waits until it answers again",
                self.where,
                first_line(exc),
            )
        else:
            log.debug("the database is still not answering: %s", first_line(exc))

    def answered(self) -> None:
        with self._lock:
            back, self.down = self.down, False
        if back:
            log.info("the database %s answers again", self.where)


class Database:
    """Owns the engine and hands out sessions."""

    def __init__(self, url: str, migrations_dir: Path = MIGRATIONS_DIR) -> None:
        self.url = url
        self.migrations_dir = migrations_dir
        self.engine = make_engine(url)
        #: This process's record of the database not answering (see :class:`Outage`).
        self.outage = Outage(self.where)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._writers = sessionmaker(
            self.engine.execution_options(radio_write=True), expire_on_commit=False
        )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read session (rolled back at the end unless committed)."""
        with self._sessions() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction that holds the database's write lock from its start.

        Commits on success, rolls back on any exception. With SQLite this is
        ``BEGIN IMMEDIATE``: a second writer waits, then sees the first one's result.
        """
        with self._writers() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def migrate(self) -> None:
        """Bring the schema to the newest migration.

        A database whose revision this code does not know (made by a newer version) is
        refused. One that is behind is first copied with SQLite's online backup API; should
        the upgrade fail, that copy is put back and the error says where it is. PostgreSQL
        needs no copy: it undoes the whole upgrade (its schema changes are transactional).
        """
        from alembic import command
        from alembic.config import Config
        from alembic.runtime.migration import MigrationContext
        from alembic.script import ScriptDirectory

        cfg = Config()
        cfg.set_main_option("script_location", str(self.migrations_dir))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        script = ScriptDirectory.from_config(cfg)
        heads = set(script.get_heads())
        copy: Path | None = None
        current: set[str] = set()
        try:
            # The write lock first, so two processes starting at once upgrade only once.
            with self.engine.execution_options(radio_write=True).begin() as conn:
                current = set(MigrationContext.configure(conn).get_current_heads())
                if current == heads:
                    return
                self._refuse_unknown(current, {r.revision for r in script.walk_revisions()})
                if current and self.path is not None:
                    copy = self._copy_before_upgrade(conn)
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "heads")
        except DatabaseError:
            raise
        except OperationalError as exc:
            if copy is not None or current:
                raise
            log.exception("cannot open the database %s", self.where)
            raise DatabaseError(
                f"The database {self.where} cannot be reached ({first_line(exc)}); check "
                "database_url and that the database server is running."
            ) from exc
        except Exception as exc:
            if copy is None and current and self.path is None:
                log.exception("upgrading the database %s failed", self.where)
                raise DatabaseError(
                    f"Upgrading the database {self.where} from schema revision "
                    f"{'+'.join(sorted(current))} failed ({first_line(exc)}); it was left as "
                    "it was."
                ) from exc
            if copy is None:
                raise
            log.exception("upgrading the database %s failed", self.path)
            self._put_back(copy)
            raise DatabaseError(
                f"Upgrading the database {self.path} from schema revision "
                f"{'+'.join(sorted(current))} failed ({type(exc).__name__}: {exc}), so it was "
                f"put back as it was; a copy taken before the upgrade is at {copy}."
            ) from exc
        if copy is not None:
            log.info("database %s upgraded; the copy taken before is at %s", self.path, copy)
        log.debug("database %s migrated", self.where)

    def _refuse_unknown(self, current: set[str], known: set[str]) -> None:
        unknown = sorted(current - known)
        if unknown:
            raise DatabaseError(
                f"The database {self.where} has schema revision "
                f"{'+'.join(unknown)}, which this version of the station does not know (a "
                "newer version made it); run that version, or restore a backup made by "
                "this one."
            )

    def _copy_before_upgrade(self, conn: Connection) -> Path:
        assert self.path is not None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        copy = self.path.with_name(f"{self.path.name}.before-upgrade-{stamp}")
        try:
            copy_sqlite(self.path, copy)
        except (sqlite3.Error, OSError) as exc:
            copy.unlink(missing_ok=True)
            raise DatabaseError(
                f"The database {self.path} needs an upgrade, but the copy to take first "
                f"could not be written to {copy} ({exc}); free some space there and start "
                "again."
            ) from exc
        return copy

    def _put_back(self, copy: Path) -> None:
        assert self.path is not None
        self.engine.dispose()
        copy_sqlite(copy, self.path)

    @property
    def path(self) -> Path | None:
        """The SQLite database file (None for another database or an in-memory one)."""
        name = self.engine.url.database
        if self.engine.url.get_backend_name() != "sqlite" or not name or name == ":memory:":
            return None
        return Path(name)

    @property
    def where(self) -> str:
        """The database for messages: the SQLite file, or the address without its password."""
        if self.path is not None:
            return str(self.path)
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def first_line(exc: BaseException) -> str:
    """What a database error says, without SQLAlchemy's statement and links."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy the SQLite database ``source`` into ``target`` with SQLite's online backup API.

    The copy is consistent (one read transaction) even while other processes write, and a
    write-ahead log not yet folded in is part of it. ``target`` is overwritten page by page
    through SQLite, so it may be a database others have open.
    """
    with (
        closing(sqlite3.connect(source, timeout=30)) as src,
        closing(sqlite3.connect(target, timeout=30)) as dst,
    ):
        src.backup(dst)
