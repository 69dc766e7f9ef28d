"""Engines for SQLite files (and SQLAlchemy URLs), with the connection pragmas of the design."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool, QueuePool

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
BEGIN_OPTION = "sqlite_begin"  # execution option: "IMMEDIATE" for units of work that write


def is_url(target: str | os.PathLike[str]) -> bool:
    return "://" in str(target)


def file_url(path: Path, *, readonly: bool = False, immutable: bool = False, create: bool = True) -> str:
    """A pysqlite URL for a file; ``create=False`` opens read-write but never creates the file."""
    if readonly:
        params = "immutable=1" if immutable else "mode=ro"
    else:
        params = "mode=rwc" if create else "mode=rw"
    # Always the URI form, quoted for SQLite (a folder named like “备份#1” must not end the path)
    # and once more for SQLAlchemy, which unquotes the database part of a URL.
    return f"sqlite+pysqlite:///file:{quote(quote(str(path)))}?{params}&uri=true"


def _install_transaction_recipe(engine: Engine, *, pragmas: list[str]) -> None:
    """SQLAlchemy's pysqlite recipe: the driver never begins or commits on its own.

    Every unit of work is then one real ``BEGIN`` … ``COMMIT``, DDL included, so a failing
    migration or use case rolls back whole.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised via every test
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # A unit of work takes the write lock at once (BEGIN IMMEDIATE), so a busy database makes
        # it wait out busy_timeout; a deferred BEGIN that read first could not wait when it writes.
        connection.exec_driver_sql(f"BEGIN {connection.get_execution_options().get(BEGIN_OPTION, '')}".strip())


def make_engine(
    target: str | Path,
    *,
    readonly: bool = False,
    immutable: bool = False,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    foreign_keys: bool = True,
    probe: bool = False,
) -> Engine:
    """An engine for a SQLite file (or any SQLAlchemy URL) with the program's pragmas.

    ``probe``: only to look at an existing file — never creates it, never switches it to WAL.
    """
    if is_url(target):
        url = str(target)
        if not url.startswith("sqlite"):
            return create_engine(url, future=True)
    else:
        url = file_url(Path(target), readonly=readonly, immutable=immutable, create=not probe)
    pragmas = [
        f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}",
        f"PRAGMA busy_timeout={int(busy_timeout_ms)}",
    ]
    if not readonly and not probe:
        pragmas.append("PRAGMA journal_mode=WAL")
    # Pooled connections keep their pragmas and page cache between the ledger's many small reads
    # (a new connection costs 1–3 ms); Database.close() disposes of them before a restore.
    # Probes and migrations use NullPool: their connections must be gone when they are done.
    engine = create_engine(url, poolclass=NullPool if probe or not foreign_keys else QueuePool, future=True)
    _install_transaction_recipe(engine, pragmas=pragmas)
    return engine
