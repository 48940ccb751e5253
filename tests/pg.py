"""A real PostgreSQL 15 for the tests: ``initdb`` and ``pg_ctl`` in a temporary folder.

The server runs as the ``postgres`` user when the tests run as root (PostgreSQL refuses
root), listens on a free loopback port, and is tuned for throw-away data (no fsync). Each
test gets a database of its own, made from a template already migrated to the newest schema
(``CREATE DATABASE ... TEMPLATE`` copies files: much faster than migrating again).
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
import pytest

from radio.db import Database
from tests.support import free_port, require

BIN = Path("/usr/lib/postgresql/15/bin")
TEMPLATE = "radio_template"

#: For a test about something other than the database (media analysis, say), whose fixtures
#: take ``database_url``: SQLite only.
sqlite_only = pytest.mark.parametrize("database_url", [""], ids=["sqlite"])


class PostgresServer:
    """One PostgreSQL server; :meth:`new_database` hands out fresh databases."""

    def __init__(self) -> None:
        for program in ("initdb", "pg_ctl"):
            require(str(BIN / program))
        self.folder = Path(tempfile.mkdtemp(prefix="radio-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self._names = itertools.count(1)
        self._user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
        if self._user is not None:
            os.chown(self.folder, self._user.pw_uid, self._user.pw_gid)
        self._run(BIN / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust",
                  "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        self.start()
        try:
            self._admin(f"CREATE DATABASE {TEMPLATE}")
            template = Database(self.url(TEMPLATE))
            try:
                template.migrate()
            finally:
                template.dispose()
        except BaseException:
            self.close()  # no server left running behind a failed start
            raise

    def url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def new_database(self, *, migrated: bool = True) -> str:
        """The address of a new database: migrated to head, or empty (``migrated=False``)."""
        name = f"test_{next(self._names)}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE if migrated else 'template0'}")
        return self.url(name)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(BIN / "pg_ctl", "-D", self.data, "-l", self.folder / "log", "-w",
                  "-o", options, "start")  # fmt: skip

    def stop(self) -> None:
        self._run(BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql.encode())

    def _run(self, *command: str | Path) -> None:
        argv = [str(part) for part in command]
        if self._user is not None:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, check=True, capture_output=True, cwd=self.folder, timeout=60)
