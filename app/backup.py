"""Backups of the database file: manual, daily (rotated), before a migration and before a restore.

Every copy goes through SQLite's online backup API, never a file copy: a live database in WAL
mode keeps recent commits in its ``-wal`` file, which a file copy would miss or tear. A copy is
a single self-contained file (``journal_mode=DELETE``), written under a temporary name and
renamed into place, named ``<stem>-YYYYMMDD-HHMMSS-<kind>[-v<revision>][-N].sqlite``.
"""

from __future__ import annotations

import os
import re
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from app.database import open_app_database
from app.errors import AppError
from app.paths import backup_dir_for
from db import SCHEMA_HEAD, SCHEMA_REVISIONS
from db.database import check_sqlite_file, sqlite_integrity_check
from db.engine import BUSY_TIMEOUT_MS
from db.errors import DatabaseError, NotADatabaseError, is_locked_error

Kind = Literal["manual", "daily", "premigration", "prerestore"]
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12
TIMEOUT = BUSY_TIMEOUT_MS / 1000
UNTOUCHED = "当前数据库未被改动。"

_NAME = re.compile(
    r"^.+-(?P<stamp>\d{8}-\d{6})-(?P<kind>manual|daily|premigration|prerestore)(?:-v\w+)?(?:-\d+)?\.sqlite$"
)


@dataclass
class BackupInfo:
    path: Path
    created: datetime
    kind: str
    size_bytes: int
    revision: str | None


@dataclass
class RestoreResult:
    message: str
    replaced_backup: Path | None
    migrated_from: str | None


def make_backup(
    db_path: Path,
    out: Path | None = None,
    *,
    kind: Kind = "manual",
    now: datetime | None = None,
    timeout: float = TIMEOUT,
) -> Path:
    """Copy the database to ``out`` (a file or a folder; default: the backup folder beside it).

    ``timeout`` is how many seconds to wait for another program's lock before giving up.
    """
    if not db_path.is_file():
        raise AppError(f"找不到数据库文件：{db_path}")
    try:
        check_sqlite_file(db_path)
    except DatabaseError as exc:
        raise AppError(str(exc)) from exc
    if out is None:
        out = _new_backup_path(db_path, kind, now or datetime.now())
    elif out.is_dir():
        out = out / _new_backup_path(db_path, kind, now or datetime.now()).name
    if out.resolve() == db_path.resolve():
        raise AppError("备份文件不能就是数据库文件本身，请另选一个位置。")

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        os.close(fd)
    except OSError as exc:
        raise AppError(f"无法写入备份位置“{out.parent}”（{exc.strerror}）。数据库未被改动。") from exc
    tmp = Path(tmp_name)
    try:
        # mode=rw: a read-only connection would leave -wal/-shm behind; rw never creates the file.
        with closing(_connect(db_path, timeout, "rw")) as src, closing(sqlite3.connect(tmp)) as dst:
            src.backup(dst, progress=_give_up_when_busy)
            dst.execute("PRAGMA journal_mode=DELETE")
        os.replace(tmp, out)
    except sqlite3.Error as exc:
        raise _sqlite_failure(exc, "备份") from exc
    except OSError as exc:
        raise AppError(f"无法写入备份文件“{out}”（{exc.strerror}）。数据库未被改动。") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return out


def backup_before_migration(db_path: Path, revision: str | None) -> Path:
    """The copy kept before a migration; its name says which revision it was."""
    return make_backup(db_path, _new_backup_path(db_path, "premigration", datetime.now(), revision))


def daily_backup_if_due(db_path: Path, *, now: datetime | None = None) -> Path | None:
    """Make today's automatic copy unless there is one, then rotate; ``None`` when not due."""
    now = now or datetime.now()
    folder = backup_dir_for(db_path)
    if any(kind == "daily" and created.date() == now.date() for created, kind, _ in _scan(folder)):
        return None
    made = make_backup(db_path, kind="daily", now=now)
    rotate(folder, today=now.date())
    return made


def rotate(backup_dir: Path, *, today: date) -> list[Path]:
    """Grandfather-father-son over the daily copies; returns the deleted files.

    Keeps the newest copy of each of the last 7 days, 4 ISO weeks and 12 months that have
    copies. Manual, pre-migration and pre-restore copies are the user's and never deleted, and
    neither are copies dated after ``today`` (a clock that was wrong is no reason to delete).
    """
    dailies = [
        (created, path) for created, kind, path in _scan(backup_dir) if kind == "daily" and created.date() <= today
    ]
    periods = (
        (KEEP_DAILY, lambda d: d),
        (KEEP_WEEKLY, lambda d: d.isocalendar()[:2]),
        (KEEP_MONTHLY, lambda d: (d.year, d.month)),
    )
    keep: set[Path] = set()
    for count, period in periods:
        seen: set[object] = set()
        for created, path in dailies:  # newest first: the first of a period is its newest
            key = period(created.date())
            if key not in seen and len(seen) < count:
                seen.add(key)
                keep.add(path)
    deleted = []
    for _, path in dailies:
        if path not in keep:
            try:
                path.unlink()
            except OSError:
                continue  # in use or protected: the next rotation tries again
            deleted.append(path)
    return deleted


def list_backups(db_path: Path) -> list[BackupInfo]:
    """The copies in the database's backup folder, newest first."""
    return [
        BackupInfo(path, created, kind, path.stat().st_size, _read_revision(path))
        for created, kind, path in _scan(backup_dir_for(db_path))
    ]


def check_backup_file(path: Path) -> str:
    """Refuse anything but a sound backup of this program; returns its schema revision."""
    if not path.is_file():
        raise AppError(f"找不到备份文件：{path}。{UNTOUCHED}")
    try:
        problems = sqlite_integrity_check(path)
    except DatabaseError as exc:
        raise AppError(f"{exc}{UNTOUCHED}") from exc
    if problems:
        raise AppError(f"备份文件“{path.name}”已损坏，不能用于恢复（{problems[0]}）。{UNTOUCHED}")
    revision = _read_revision(path)
    if revision is None:
        raise AppError(f"“{path.name}”不是本程序的备份（缺少版本信息）。{UNTOUCHED}")
    if revision not in SCHEMA_REVISIONS:
        raise AppError(
            f"备份“{path.name}”来自更新版本的本程序（数据库版本 {revision}），当前程序无法使用。"
            f"{UNTOUCHED}请安装新版本后再恢复。"
        )
    return revision


def restore(backup_file: Path, db_path: Path, *, timeout: float = TIMEOUT) -> RestoreResult:
    """Replace the database's contents with a backup; the replaced database is kept as a copy.

    Every other connection to the database must be closed (the GUI closes its own first);
    an older backup is migrated to the current revision afterwards.
    """
    if db_path.exists() and backup_file.resolve() == db_path.resolve():
        raise AppError(f"所选文件就是当前数据库，无需恢复。{UNTOUCHED}")
    check_backup_file(backup_file)
    replaced = _keep_current(db_path, timeout)
    _copy_contents(backup_file, db_path, timeout)

    database = open_app_database(db_path)
    database.close()
    message = f"已从“{backup_file}”恢复数据库。"
    if replaced is not None:
        message += f"原数据库已另存为“{replaced}”。"
    if database.migrated_from is not None:
        message += f"备份来自较早的版本（{database.migrated_from}），已升级到当前版本（{SCHEMA_HEAD}）。"
    return RestoreResult(message, replaced, database.migrated_from)


def _keep_current(db_path: Path, timeout: float) -> Path | None:
    """Back up the database about to be replaced; one that is not SQLite at all is moved aside."""
    if not db_path.exists():
        return None
    try:
        check_sqlite_file(db_path)
    except NotADatabaseError:
        # No SQLite connection can be using a file without the SQLite header: moving it is safe.
        aside = _new_backup_path(db_path, "prerestore", datetime.now())
        try:
            aside.parent.mkdir(parents=True, exist_ok=True)
            os.replace(db_path, aside)
        except OSError as exc:
            raise AppError(f"无法保留原数据库文件（{exc.strerror}），恢复已取消。{UNTOUCHED}") from exc
        return aside
    return make_backup(db_path, kind="prerestore", timeout=timeout)


def _copy_contents(source: Path, db_path: Path, timeout: float) -> None:
    """Write ``source`` into ``db_path`` through the backup API, holding the file exclusively.

    Leaving WAL mode first checkpoints and removes ``-wal``/``-shm``, and fails while any other
    connection is open; exclusive locking then keeps others out until the copy is complete. The
    copy is one transaction: if it fails, the database is as it was.
    """
    db_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with (
            closing(_connect(source, timeout, "ro")) as src,
            closing(sqlite3.connect(db_path, timeout=timeout, isolation_level=None)) as dst,
        ):
            dst.execute("PRAGMA journal_mode=DELETE")
            dst.execute("PRAGMA locking_mode=EXCLUSIVE")
            src.backup(dst, progress=_give_up_when_busy)
    except sqlite3.Error as exc:
        raise _sqlite_failure(exc, "恢复") from exc
    leftovers = [name for name in (f"{db_path.name}-wal", f"{db_path.name}-shm") if (db_path.parent / name).exists()]
    if leftovers:
        raise AppError(
            f"恢复后数据库旁仍有临时文件（{'、'.join(leftovers)}），可能有其他程序正在使用数据库。"
            "请关闭其他程序后重新恢复。"
        )


def _new_backup_path(db_path: Path, kind: Kind, now: datetime, revision: str | None = None) -> Path:
    folder = backup_dir_for(db_path)
    stem = f"{db_path.stem}-{now:%Y%m%d-%H%M%S}-{kind}" + (f"-v{revision}" if revision else "")
    path, n = folder / f"{stem}.sqlite", 2
    while path.exists():
        path, n = folder / f"{stem}-{n}.sqlite", n + 1
    return path


def _scan(folder: Path) -> list[tuple[datetime, str, Path]]:
    """(created, kind, path) of the backups in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match and path.is_file():
            created = datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S")
            found.append((created, path.stat().st_mtime_ns, match["kind"], path))
    found.sort(key=lambda row: row[:2], reverse=True)
    return [(created, kind, path) for created, _, kind, path in found]


def _read_revision(path: Path) -> str | None:
    """The ``alembic_version`` of a file, or ``None`` for anything else (corrupt, foreign, empty)."""
    try:
        with closing(_connect(path, TIMEOUT, "ro")) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _connect(path: Path, timeout: float, mode: Literal["ro", "rw"]) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=timeout)


def _give_up_when_busy(status: int, _remaining: int, _total: int) -> None:
    """Backup progress: SQLite already waited the busy timeout; stop rather than retry forever."""
    if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        raise sqlite3.OperationalError("database is locked")


def _sqlite_failure(exc: sqlite3.Error, action: str) -> AppError:
    if is_locked_error(exc):
        return AppError(f"数据库正被其他程序占用（可能另开了一个本程序），请稍后再试。{action}未完成，{UNTOUCHED}")
    return AppError(f"{action}失败（{exc}）。{UNTOUCHED}")
