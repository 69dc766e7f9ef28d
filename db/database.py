"""Opening a database: checks, read-only mode, migrations on start, units of work."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from db import SCHEMA_HEAD, SCHEMA_REVISIONS
from db.engine import BEGIN_OPTION, BUSY_TIMEOUT_MS, SQLITE_HEADER, is_url, make_engine
from db.errors import (
    DatabaseError,
    DatabaseLockedError,
    NewerSchemaError,
    NotADatabaseError,
    ReadOnlyError,
    is_locked_error,
    is_not_database_error,
)

LOCKED_MESSAGE = "数据库正被其他程序占用（可能另开了一个本程序或正在备份），请稍后再试。本次操作未保存，数据未丢失。"
READONLY_WRITE_MESSAGE = "只读模式：此数据库文件只能查看，不能修改。"

BeforeMigrate = Callable[[Path, str | None], None]


@dataclass
class Database:
    """An open database: its engine and a factory of sessions, one per unit of work."""

    target: str
    path: Path | None
    engine: Engine
    readonly: bool = False
    revision: str | None = None
    migrated_from: str | None = field(default=None)
    _sessions: sessionmaker[Session] = field(init=False, repr=False)
    _write_sessions: sessionmaker[Session] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        writer = self.engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"}) if self.engine.url.get_backend_name() == "sqlite" else self.engine
        self._write_sessions = sessionmaker(writer, expire_on_commit=False)

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing it does is committed."""
        session = self._sessions()
        try:
            yield session
        except OperationalError as exc:
            raise _translate(exc) from exc
        finally:
            session.rollback()
            session.close()

    @contextlib.contextmanager
    def unit_of_work(self, name: str = "") -> Iterator[Session]:
        """One user action: commits once at the end or rolls back whole."""
        if self.readonly:
            raise ReadOnlyError(READONLY_WRITE_MESSAGE)
        session = self._write_sessions()
        session.info["action"] = name
        try:
            yield session
            session.commit()
        except OperationalError as exc:
            session.rollback()
            raise _translate(exc) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def close(self) -> None:
        """Let SQLite refresh its planner statistics (cheap; the ledger's plans depend on them), then close."""
        if not self.readonly and self.engine.url.get_backend_name() == "sqlite":
            try:
                with self.engine.begin() as connection:
                    connection.exec_driver_sql("PRAGMA optimize")
            except OperationalError:
                pass  # busy or locked: the statistics can wait for the next time
        self.engine.dispose()


def _translate(exc: DBAPIError) -> Exception:
    if is_locked_error(exc):
        return DatabaseLockedError(LOCKED_MESSAGE)
    if is_not_database_error(exc):
        return NotADatabaseError("文件已损坏或不是 SQLite 数据库，无法读取。")
    return exc


def check_sqlite_file(path: Path) -> None:
    """Refuse a file that is not an SQLite database before SQLite touches it."""
    try:
        with path.open("rb") as fh:
            header = fh.read(len(SQLITE_HEADER))
    except PermissionError as exc:
        raise DatabaseError(f"没有权限读取数据库文件：{path}") from exc
    except IsADirectoryError as exc:
        raise DatabaseError(f"这是一个文件夹，不是数据库文件：{path}") from exc
    if header and header != SQLITE_HEADER:
        raise NotADatabaseError(
            f"“{path.name}”不是本程序的数据库文件（不是 SQLite 格式）。文件未被改动；请选择正确的 .sqlite 文件。"
        )


def read_revision(engine: Engine) -> tuple[str | None, bool]:
    """The schema revision (one SELECT) and whether the database holds any table at all."""
    try:
        with engine.connect() as connection:
            try:
                row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
                return (row[0] if row else None), True
            except OperationalError as exc:
                if "no such table" not in str(exc):
                    raise
            has_tables = bool(inspect(connection).get_table_names())
            return None, has_tables
    except OperationalError as exc:
        raise _translate(exc) from exc
    except DBAPIError as exc:
        if is_not_database_error(exc):
            raise NotADatabaseError("文件已损坏或不是 SQLite 数据库，无法读取。文件未被改动。") from exc
        raise


def _writable(path: Path) -> tuple[bool, bool]:
    """(file writable, folder writable) as far as this process can tell."""
    folder = path.parent
    folder_ok = os.access(folder, os.W_OK)
    if path.exists():
        return os.access(path, os.W_OK) and folder_ok, folder_ok
    return folder_ok, folder_ok


def open_database(
    target: str | os.PathLike[str],
    *,
    readonly: bool | None = None,
    migrate: bool = True,
    before_migrate: BeforeMigrate | None = None,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
) -> Database:
    """Open (and create or migrate) the program's database.

    - a file that is not SQLite, or from a newer program version, is refused untouched;
    - a read-only file (or folder) opens read-only, and is refused if it needs migrating;
    - a database at an older revision is handed to ``before_migrate`` (the backup) and migrated.
    """
    target_str = str(target)
    path: Path | None = None
    immutable = False
    if not is_url(target_str):
        path = Path(target_str).expanduser().resolve()
        if path.exists():
            check_sqlite_file(path)
        elif not path.parent.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseError(f"无法创建数据库所在的文件夹：{path.parent}（{exc.strerror}）") from exc
        file_ok, folder_ok = _writable(path)
        if not path.exists() and not folder_ok:
            raise ReadOnlyError(f"无法在只读文件夹中新建数据库：{path.parent}")
        if readonly is None:
            readonly = not file_ok
        # A read-only file in a writable folder can open with mode=ro (SQLite may need to
        # create -shm there); where the folder is read-only too, only immutable=1 works.
        immutable = bool(readonly) and not folder_ok
    readonly = bool(readonly)

    # Look before touching: a probe reads the revision without switching the file to WAL (which
    # rewrites its header), so a refused file is left exactly as it was. A writable file is
    # probed read-write (mode=rw): a read-only connection could not remove the -wal/-shm files
    # of a WAL database when it closes.
    if path is None or path.exists():
        probe = make_engine(
            path if path is not None else target_str,
            readonly=readonly,
            immutable=immutable,
            busy_timeout_ms=busy_timeout_ms,
            probe=True,
        )
        try:
            revision, has_tables = read_revision(probe)
        finally:
            probe.dispose()
    else:
        revision, has_tables = None, False

    if revision is not None and revision not in SCHEMA_REVISIONS:
        raise NewerSchemaError(
            f"此数据库来自更新版本的本程序（数据库版本 {revision}），当前程序不认识它。"
            "文件未被改动；请安装新版本后再打开。"
        )
    if revision is None and has_tables:
        raise NotADatabaseError("这个 SQLite 文件不是本程序的数据库（缺少版本信息）。文件未被改动。")
    if readonly and revision != SCHEMA_HEAD:
        raise ReadOnlyError(
            "此数据库文件是只读的，且需要升级到当前版本才能打开。请复制到可写的文件夹后再打开。"
        )

    engine = make_engine(
        path if path is not None else target_str,
        readonly=readonly,
        immutable=immutable,
        busy_timeout_ms=busy_timeout_ms,
    )
    database = Database(target_str, path, engine, readonly=readonly, revision=revision)
    if revision == SCHEMA_HEAD or not migrate:
        return database

    if revision is not None and before_migrate is not None and path is not None:
        before_migrate(path, revision)
    from db.migrate import upgrade

    migration_engine = make_engine(
        path if path is not None else target_str, busy_timeout_ms=busy_timeout_ms, foreign_keys=False
    )
    try:
        upgrade(migration_engine)
    except OperationalError as exc:
        raise _translate(exc) from exc
    finally:
        migration_engine.dispose()
    database.migrated_from = revision
    database.revision = SCHEMA_HEAD
    return database


def sqlite_integrity_check(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` on a file, read-only; ``[]`` when it is sound."""
    check_sqlite_file(path)
    # mode=rw where allowed: a read-only connection to a WAL database leaves -wal/-shm behind.
    mode = "rw" if all(_writable(path)) else "ro"
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        conn.close()
    return [] if rows == ["ok"] else rows
