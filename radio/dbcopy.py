"""``radio db copy``: move a station's database to another one (SQLite to PostgreSQL), all or
nothing.

The target must be a new, empty database: it is migrated to the newest schema, then every
table's rows are read from the station's database (in one read transaction, so the copy is
consistent) and written in foreign-key order in one write transaction. Any failure (a row
PostgreSQL refuses, the connection lost) rolls the whole copy back: the target keeps no rows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Table, func, inspect, select, text

import radio.models  # noqa: F401  (registers every table on Base.metadata)
from radio.db import Base, Database, first_line
from radio.errors import DatabaseError

log = logging.getLogger(__name__)

#: Rows read and written at a time.
BATCH = 1000
#: Tables whose rows the migrations themselves make (the grid's version counter): replaced
#: by the station's, and not a sign that the target is in use.
SEEDED = frozenset({"grid_state"})


@dataclass(frozen=True)
class CopyResult:
    tables: int
    rows: int
    target: str


def copy_database(source: Database, target: Database) -> CopyResult:
    """Copy every row of ``source`` (migrated to the newest schema) into ``target``."""
    if source.url == target.url:
        raise DatabaseError("The database to copy to is the station's own; name another one.")
    try:
        target.migrate()
    except DatabaseError:
        raise
    except Exception as exc:
        log.debug("preparing %s failed", target.where, exc_info=True)
        raise DatabaseError(
            f"The database {target.where} could not be given the station's tables "
            f"({first_line(exc)}); copy into a new, empty database."
        ) from exc
    tables = Base.metadata.sorted_tables  # parents before the tables pointing at them
    rows = 0
    try:
        with _snapshot(source) as read, target.write() as session:
            write = session.connection()
            _refuse_rows(write, tables, target.where)
            _refuse_unknown_tables(read)
            for table in tables:
                rows += _copy_table(read, write, table)
            if write.dialect.name == "postgresql":
                _follow_sequences(write, tables)
    except DatabaseError:
        raise
    except Exception as exc:
        log.debug("copying the database to %s failed", target.where, exc_info=True)
        raise DatabaseError(
            f"Copying the database to {target.where} failed ({first_line(exc)}); nothing was "
            "copied."
        ) from exc
    return CopyResult(len(tables), rows, target.where)


@contextmanager
def _snapshot(source: Database) -> Iterator[Connection]:
    """A connection reading ``source`` as of one moment: every table from the same state, even
    while the station writes (PostgreSQL: a repeatable-read transaction; SQLite: one read
    transaction, which sees no later commit)."""
    with source.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _refuse_rows(conn: Connection, tables: list[Table], where: str) -> None:
    """Refuse a target holding rows; clear what its migrations made."""
    for table in tables:
        if table.name in SEEDED:
            conn.execute(table.delete())
        elif conn.execute(select(func.count()).select_from(table)).scalar():
            raise DatabaseError(
                f"The database {where} is not empty (its table {table.name} has rows); copy "
                "into a new, empty database so that nothing in it is overwritten."
            )


def _refuse_unknown_tables(conn: Connection) -> None:
    known = set(Base.metadata.tables) | {"alembic_version"}
    unknown = sorted(set(inspect(conn).get_table_names()) - known)
    if unknown:
        raise DatabaseError(
            f"The station's database has tables this version does not know "
            f"({', '.join(unknown)}); copy it with the version that made them."
        )


def _copy_table(read: Connection, write: Connection, table: Table) -> int:
    copied = 0
    order = list(table.primary_key.columns)
    found = read.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for batch in found.partitions():
        write.execute(table.insert(), [row._asdict() for row in batch])
        copied += len(batch)
    return copied


def _follow_sequences(conn: Connection, tables: list[Table]) -> None:
    """Move each numbered key's sequence past the rows copied in with their numbers."""
    for table in tables:
        column = table.autoincrement_column
        if column is not None:
            conn.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f'coalesce(max("{column.name}"), 1), max("{column.name}") IS NOT NULL) '
                    f'FROM "{table.name}"'
                ),
                {"table": table.name, "column": column.name},
            )
