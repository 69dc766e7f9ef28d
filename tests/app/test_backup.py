"""Backups and restore on real files: WAL copies, naming, rotation, refusals, migration, CLI."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from app import backup
from app.database import open_app_database
from app.errors import AppError
from app.paths import backup_dir_for
from db import SCHEMA_HEAD
from db.engine import make_engine
from db.migrate import upgrade

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 22, 14, 30, 5)


def _sql(path: Path, statement: str, *params) -> list[tuple]:
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:  # closed: no connection lingers
        return conn.execute(statement, params).fetchall()


def _setting(path: Path, key: str = "probe") -> str | None:
    rows = _sql(path, "SELECT value FROM settings WHERE key = ?", key)
    return rows[0][0] if rows else None


def _set_setting(path: Path, value: str, key: str = "probe") -> None:
    _sql(path, "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", key, value)


def _revision(path: Path) -> str:
    return _sql(path, "SELECT version_num FROM alembic_version")[0][0]


def _sidecars(path: Path) -> list[Path]:
    return [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


# -- making backups ---------------------------------------------------------------------------


def test_backup_of_a_live_wal_database_holds_the_rows_still_in_the_wal(db_path, tmp_path):
    writer = sqlite3.connect(db_path, isolation_level=None)
    try:
        assert writer.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.executemany("INSERT INTO settings (key, value) VALUES (?, ?)", [("a", "1"), ("b", "2")])
        assert Path(f"{db_path}-wal").stat().st_size > 0  # the rows are not in the main file yet

        made = backup.make_backup(db_path, tmp_path / "copy.sqlite")
    finally:
        writer.close()

    assert made == tmp_path / "copy.sqlite"
    assert _sql(made, "SELECT key, value FROM settings ORDER BY key") == [("a", "1"), ("b", "2")]
    assert made.read_bytes()[18:20] == b"\x01\x01"  # journal_mode=DELETE: one self-contained file
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("copy")) == ["copy.sqlite"]


def test_default_destination_is_the_backup_folder_with_time_and_kind_in_the_name(db_path):
    first = backup.make_backup(db_path, now=NOW)
    second = backup.make_backup(db_path, now=NOW)
    daily = backup.make_backup(db_path, kind="daily", now=NOW)

    folder = backup_dir_for(db_path)
    assert first == folder / "dangjian-20261122-143005-manual.sqlite"
    assert second == folder / "dangjian-20261122-143005-manual-2.sqlite"  # never overwrites a copy
    assert daily == folder / "dangjian-20261122-143005-daily.sqlite"
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in (first, second, daily))


def test_out_may_name_a_folder(db_path, tmp_path):
    out = tmp_path / "elsewhere"
    out.mkdir()
    assert backup.make_backup(db_path, out, now=NOW) == out / "dangjian-20261122-143005-manual.sqlite"


def test_backup_before_migration_names_the_old_revision(db_path):
    made = backup.backup_before_migration(db_path, "0001")
    assert made.parent == backup_dir_for(db_path)
    assert made.name.endswith("-premigration-v0001.sqlite")
    assert [(b.kind, b.path) for b in backup.list_backups(db_path)] == [("premigration", made)]


def test_make_backup_refusals_in_chinese(db_path, tmp_path):
    with pytest.raises(AppError, match="找不到数据库文件"):
        backup.make_backup(tmp_path / "missing.sqlite")

    not_sqlite = tmp_path / "notes.sqlite"
    not_sqlite.write_bytes(b"just some text, not a database" * 10)
    with pytest.raises(AppError, match="不是 SQLite 格式"):
        backup.make_backup(not_sqlite)

    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with pytest.raises(AppError, match="无法写入备份位置"):
        backup.make_backup(db_path, a_file / "copy.sqlite")

    with pytest.raises(AppError, match="不能就是数据库文件本身"):
        backup.make_backup(db_path, db_path)


def test_a_locked_database_gives_up_quickly_with_a_chinese_message(db_path):
    _sql(db_path, "PRAGMA journal_mode=DELETE")  # in WAL mode an exclusive writer does not block readers
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        with pytest.raises(AppError, match="数据库正被其他程序占用.*请稍后再试"):
            backup.make_backup(db_path, timeout=0.1)
        assert time.monotonic() - started < 3
    finally:
        holder.close()
    assert list(backup_dir_for(db_path).iterdir()) == []  # no half-written or temporary file


# -- rotation -----------------------------------------------------------------------------------


def _touch(folder: Path, when: datetime, kind: str = "daily", extra: str = "") -> Path:
    path = folder / f"dangjian-{when:%Y%m%d-%H%M%S}-{kind}{extra}.sqlite"
    path.write_bytes(b"copy")
    return path


def test_rotation_keeps_7_daily_4_weekly_12_monthly_and_every_user_copy(tmp_path):
    folder = tmp_path / "dangjian-备份"
    folder.mkdir()
    holidays = {date(2026, 11, 19), date(2026, 11, 20), date(2026, 6, 28), date(2026, 6, 29), date(2026, 6, 30)}
    day = date(2025, 8, 1)
    while day <= date(2026, 11, 22):  # ~15 months of start-up copies at 03:00
        if day not in holidays:
            _touch(folder, datetime.combine(day, datetime.min.time()) + timedelta(hours=3))
        day += timedelta(days=1)
    evening = _touch(folder, datetime(2026, 11, 21, 20, 0))  # a second copy that day: the newer one counts
    future = _touch(folder, datetime(2026, 12, 5, 3, 0))  # a clock that was wrong: never deleted
    users = [
        _touch(folder, datetime(2025, 8, 15, 10, 0), "manual"),
        _touch(folder, datetime(2025, 9, 1, 9, 0), "premigration", "-v0001"),
        _touch(folder, datetime(2025, 10, 10, 9, 0), "prerestore"),
        folder / "说明.txt",
    ]
    users[-1].write_text("not a backup")
    before = set(folder.iterdir())

    deleted = backup.rotate(folder, today=date(2026, 11, 22))

    kept_days = [
        # the last 7 days that have copies (19th and 20th have none)
        "20261122-030000", "20261121-200000", "20261118-030000", "20261117-030000",
        "20261116-030000", "20261115-030000", "20261114-030000",
        # the newest of the last 4 ISO weeks (W47 and W46 are already kept above)
        "20261108-030000", "20261101-030000",
        # the newest of the last 12 months (November is kept above; June's last copy is the 27th)
        "20261031-030000", "20260930-030000", "20260831-030000", "20260731-030000", "20260627-030000",
        "20260531-030000", "20260430-030000", "20260331-030000", "20260228-030000", "20260131-030000",
        "20251231-030000",
    ]
    expected = {folder / f"dangjian-{stamp}-daily.sqlite" for stamp in kept_days} | {future, *users}
    assert evening in expected
    assert set(folder.iterdir()) == expected
    assert set(deleted) == before - expected
    assert len(deleted) == len(before) - 21 - len(users)
    assert backup.rotate(folder, today=date(2026, 11, 22)) == []


def test_daily_backup_is_made_once_a_day_then_rotated(db_path):
    folder = backup_dir_for(db_path)
    folder.mkdir()
    older = [_touch(folder, datetime(2026, 11, day, 3, 0)) for day in range(12, 22)]

    morning = backup.daily_backup_if_due(db_path, now=datetime(2026, 11, 22, 8, 0))
    assert morning == folder / "dangjian-20261122-080000-daily.sqlite"
    assert _revision(morning) == SCHEMA_HEAD
    assert backup.daily_backup_if_due(db_path, now=datetime(2026, 11, 22, 18, 0)) is None
    # kept: the last 7 days (16th-22nd) and the newest of ISO week 46 (the 15th)
    assert sorted(p for p in folder.iterdir()) == sorted([*older[3:], morning])

    tomorrow = backup.daily_backup_if_due(db_path, now=datetime(2026, 11, 23, 8, 0))
    assert tomorrow is not None and tomorrow.name == "dangjian-20261123-080000-daily.sqlite"


def test_list_backups_newest_first_and_survives_a_corrupt_file(db_path):
    manual = backup.make_backup(db_path, now=datetime(2026, 11, 20, 9, 0))
    daily = backup.make_backup(db_path, kind="daily", now=datetime(2026, 11, 21, 9, 0))
    folder = backup_dir_for(db_path)
    corrupt = folder / "dangjian-20261122-090000-manual.sqlite"
    corrupt.write_bytes(os.urandom(3000))
    (folder / "说明.txt").write_text("not a backup")

    listed = backup.list_backups(db_path)

    assert [(b.path, b.kind, b.revision) for b in listed] == [
        (corrupt, "manual", None),
        (daily, "daily", SCHEMA_HEAD),
        (manual, "manual", SCHEMA_HEAD),
    ]
    assert listed[1].created == datetime(2026, 11, 21, 9, 0)
    assert listed[2].size_bytes == manual.stat().st_size > 0


def test_list_backups_without_a_backup_folder_is_empty(db_path):
    assert backup.list_backups(db_path) == []


# -- restore ------------------------------------------------------------------------------------


def test_restore_round_trip_keeps_the_replaced_database(db_path, tmp_path):
    _set_setting(db_path, "before")
    made = backup.make_backup(db_path, tmp_path / "saved.sqlite")
    database = open_app_database(db_path)
    with database.unit_of_work("改动") as session:
        session.connection().exec_driver_sql("UPDATE settings SET value = 'after' WHERE key = 'probe'")
    database.close()

    result = backup.restore(made, db_path)

    assert _setting(db_path) == "before"
    assert result.replaced_backup is not None and "-prerestore" in result.replaced_backup.name
    assert result.replaced_backup.parent == backup_dir_for(db_path)
    assert _setting(result.replaced_backup) == "after"
    assert result.migrated_from is None
    assert result.message == f"已从“{made}”恢复数据库。原数据库已另存为“{result.replaced_backup}”。"
    assert _sidecars(db_path) == []


def test_restore_into_a_missing_database_creates_it(db_path, tmp_path):
    made = backup.make_backup(db_path, tmp_path / "saved.sqlite")
    target = tmp_path / "new" / "dangjian.sqlite"
    result = backup.restore(made, target)
    assert result.replaced_backup is None
    assert _revision(target) == SCHEMA_HEAD


def test_restore_over_a_database_that_is_not_sqlite_moves_it_aside(db_path, tmp_path):
    made = backup.make_backup(db_path, tmp_path / "saved.sqlite")
    garbage = os.urandom(5000)
    db_path.write_bytes(garbage)

    result = backup.restore(made, db_path)

    assert _revision(db_path) == SCHEMA_HEAD
    assert result.replaced_backup is not None and result.replaced_backup.read_bytes() == garbage


def _random_bytes(_db_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "random.sqlite"
    path.write_bytes(os.urandom(8192))
    return path


def _truncated_backup(db_path: Path, tmp_path: Path) -> Path:
    path = backup.make_backup(db_path, tmp_path / "truncated.sqlite")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _another_programs_file(_db_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "other.sqlite"
    _sql(path, "CREATE TABLE contacts (name TEXT)")
    return path


def _newer_revision(db_path: Path, tmp_path: Path) -> Path:
    path = backup.make_backup(db_path, tmp_path / "newer.sqlite")
    _sql(path, "UPDATE alembic_version SET version_num = '9999'")
    return path


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (_random_bytes, "不是 SQLite 格式"),
        (_truncated_backup, "已损坏"),
        (_another_programs_file, "不是本程序的备份"),
        (_newer_revision, "来自更新版本"),
    ],
)
def test_restore_refuses_a_bad_file_and_leaves_the_database_as_it_was(db_path, tmp_path, make_file, message):
    bad = make_file(db_path, tmp_path)
    _set_setting(db_path, "current")
    before = db_path.read_bytes()

    with pytest.raises(AppError, match=message) as refused:
        backup.restore(bad, db_path)

    assert "当前数据库未被改动" in str(refused.value)
    assert db_path.read_bytes() == before
    assert not backup_dir_for(db_path).exists()  # not even a pre-restore copy was made


def test_restore_refuses_while_another_connection_is_open(db_path, tmp_path):
    made = backup.make_backup(db_path, tmp_path / "saved.sqlite")
    _set_setting(db_path, "current")
    other = sqlite3.connect(db_path)
    try:
        assert other.execute("SELECT value FROM settings").fetchall() == [("current",)]
        with pytest.raises(AppError, match="数据库正被其他程序占用"):
            backup.restore(made, db_path, timeout=0.1)
    finally:
        other.close()
    assert _setting(db_path) == "current"


def test_restore_of_an_older_revision_is_migrated_to_head(db_path, tmp_path):
    old = tmp_path / "old.sqlite"
    upgrade(make_engine(old, foreign_keys=False), "0001")
    _sql(
        old,
        "INSERT INTO organizations (id, parent_id, name, kind, sort_order, dissolved_reason, created_at)"
        " VALUES (1, NULL, '幸福社区党委', 'committee', 0, '', '2026-01-01 00:00:00')",
    )
    saved = backup.make_backup(old, tmp_path / "old-backup.sqlite")
    assert backup.check_backup_file(saved) == "0001"

    result = backup.restore(saved, db_path)

    assert result.migrated_from == "0001"
    assert f"已升级到当前版本（{SCHEMA_HEAD}）" in result.message
    assert _revision(db_path) == SCHEMA_HEAD
    assert _sql(db_path, "SELECT id, name, place FROM organizations") == [(1, "幸福社区党委", "")]
    kinds = {b.kind: b for b in backup.list_backups(db_path)}
    assert kinds["premigration"].revision == "0001"
    assert kinds["prerestore"].revision == SCHEMA_HEAD


# -- command line -------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )


def test_cli_backup_and_restore(db_path, tmp_path):
    _set_setting(db_path, "before")
    out = tmp_path / "cli-backup.sqlite"

    made = _cli("backup", "--db", str(db_path), "--out", str(out))
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == f"已备份到：{out}"

    _set_setting(db_path, "after")
    restored = _cli("restore", str(out), "--db", str(db_path))
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.startswith(f"已从“{out}”恢复数据库。原数据库已另存为")
    assert _setting(db_path) == "before"


def test_cli_restore_of_a_bad_file_fails(db_path, tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(os.urandom(4096))
    before = db_path.read_bytes()

    refused = _cli("restore", str(bad), "--db", str(db_path))

    assert refused.returncode == 1
    assert refused.stderr.startswith("错误：")
    assert "当前数据库未被改动" in refused.stderr
    assert db_path.read_bytes() == before
