"""Opening databases: pragmas, refusals that leave the file untouched, read-only, locks."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from db import SCHEMA_HEAD
from db.database import open_database, sqlite_integrity_check
from db.errors import DatabaseLockedError, NewerSchemaError, NotADatabaseError, ReadOnlyError
from db.models import Setting

ROOT = Path(__file__).resolve().parents[2]
running_as_root = hasattr(os, "geteuid") and os.geteuid() == 0


def test_new_database_is_created_at_head_with_pragmas(tmp_path):
    database = open_database(tmp_path / "sub" / "new.sqlite")
    with database.read() as session:
        assert session.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_HEAD
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    database.close()
    assert sqlite_integrity_check(tmp_path / "sub" / "new.sqlite") == []


def test_unit_of_work_commits_once_or_rolls_back_whole(database):
    with database.unit_of_work("ok") as session:
        session.add(Setting(key="a", value="1"))
    with pytest.raises(RuntimeError), database.unit_of_work("fails") as session:
        session.add(Setting(key="b", value="2"))
        session.flush()
        raise RuntimeError("boom")
    with database.read() as session:
        assert {s.key for s in session.query(Setting)} == {"a"}


def test_not_sqlite_file_is_refused_untouched(tmp_path):
    path = tmp_path / "members.xlsx.sqlite"
    path.write_bytes(b"PK\x03\x04 this is an Excel file, not a database" * 20)
    before = path.read_bytes()
    with pytest.raises(NotADatabaseError, match="不是本程序的数据库文件"):
        open_database(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_sqlite_file_of_another_program_is_refused(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NotADatabaseError, match="不是本程序的数据库"):
        open_database(path)
    assert path.read_bytes() == before


def test_newer_database_is_refused_untouched(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(NewerSchemaError, match="更新版本"):
        open_database(db_path)
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


def test_refusing_a_newer_wal_database_leaves_no_files_beside_it(db_path):
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    with pytest.raises(NewerSchemaError):
        open_database(db_path)
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


def test_integrity_check_of_a_path_with_uri_characters(tmp_path):
    folder = tmp_path / "备份#1 %20"
    folder.mkdir()
    path = folder / "a.sqlite"
    open_database(path).close()
    assert sqlite_integrity_check(path) == []
    path.write_bytes(path.read_bytes()[:3000] + b"\x00" * 1096)  # damaged pages
    assert sqlite_integrity_check(path) != []
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]


@pytest.mark.skipif(running_as_root, reason="root can write read-only files")
def test_read_only_file_opens_read_only(db_path):
    db_path.chmod(0o444)
    try:
        database = open_database(db_path)
        assert database.readonly
        with database.read() as session:
            assert session.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_HEAD
        with pytest.raises(ReadOnlyError, match="只读模式"), database.unit_of_work():
            pass
        database.close()
    finally:
        db_path.chmod(0o644)


def test_read_only_open_is_enforced_by_sqlite(db_path):
    """Whatever the file system says, a database opened read-only cannot be written."""
    database = open_database(db_path, readonly=True)
    assert database.readonly
    with database.engine.connect() as conn, pytest.raises(Exception, match="readonly"):
        conn.execute(text("INSERT INTO settings(key, value) VALUES ('x', 'y')"))
    database.close()


def test_read_only_database_needing_migration_is_refused(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy(ROOT / "tests" / "data" / "schema_0001.sqlite", path)
    before = path.read_bytes()
    with pytest.raises(ReadOnlyError, match="需要升级"):
        open_database(path, readonly=True)
    assert path.read_bytes() == before


def test_locked_database_gives_a_clear_message_and_loses_nothing(db_path):
    # GIVEN another program holding a write transaction on the file
    database = open_database(db_path, busy_timeout_ms=100)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO settings(key, value) VALUES ('other', 'theirs')")
    try:
        # WHEN the user saves something
        with pytest.raises(DatabaseLockedError, match="正被其他程序占用"), database.unit_of_work("save") as session:
            session.add(Setting(key="mine", value="1"))
    finally:
        other.execute("COMMIT")
        other.close()
    # THEN the other program's write is kept, and the user can simply try again
    with database.unit_of_work("again") as session:
        session.add(Setting(key="mine", value="1"))
    with database.read() as session:
        assert {s.key for s in session.query(Setting)} == {"other", "mine"}
    database.close()


def test_up_to_date_start_needs_neither_alembic_nor_qt(db_path):
    """One SELECT at start: Alembic is not imported when nothing is pending; app and db load without Qt."""
    code = (
        "import sys; import app, db, app.orgs, app.settings, app.demo, app.backup, app.workbench;"
        "from app.database import open_app_database;"
        f"d = open_app_database({str(db_path)!r}); d.close();"
        "assert 'PySide6' not in sys.modules, 'Qt loaded';"
        "assert 'alembic' not in sys.modules, 'alembic loaded';"
        "assert 'reportlab' not in sys.modules, 'reportlab loaded';"
        "print('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("folder_writable", [True, False])
def test_file_the_user_cannot_write_opens_read_only(db_path, monkeypatch, folder_writable):
    """As root the file system never says no, so ask os.access the way a normal user's would."""
    real_access = os.access

    def access(path, mode, *args, **kwargs):
        if mode == os.W_OK and (Path(path) == db_path.resolve() or not folder_writable):
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr("db.database.os.access", access)
    database = open_database(db_path)
    assert database.readonly
    assert ("immutable=1" in str(database.engine.url)) is (not folder_writable)
    with database.read() as session:
        assert session.execute(text("SELECT version_num FROM alembic_version")).scalar() == SCHEMA_HEAD
    with pytest.raises(ReadOnlyError, match="只读模式"), database.unit_of_work():
        pass
    database.close()


def test_a_unit_of_work_waits_for_a_busy_writer_instead_of_failing(db_path):
    """Units of work BEGIN IMMEDIATE: one that reads before it writes still waits out the lock."""
    import threading

    database = open_database(db_path, busy_timeout_ms=3000)
    other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO settings(key, value) VALUES ('other', 'theirs')")
    threading.Timer(0.3, lambda: (other.execute("COMMIT"), other.close())).start()
    with database.unit_of_work("read then write") as session:
        assert session.get(Setting, "other") is not None  # it waited for the other commit
        session.add(Setting(key="mine", value="1"))
    with database.read() as session:
        assert {s.key for s in session.query(Setting)} == {"other", "mine"}
    database.close()
