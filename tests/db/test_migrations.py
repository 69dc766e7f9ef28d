"""Migrations: the head constant, upgrading saved databases, and failing safely."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from db import SCHEMA_HEAD, SCHEMA_REVISIONS
from db.database import open_database
from db.engine import make_engine
from db.errors import MigrationError
from db.migrate import MIGRATIONS_DIR, script_head, upgrade

DATA = Path(__file__).resolve().parent.parent / "data"


def test_head_constant_matches_alembic_head():
    from alembic.script import ScriptDirectory

    from db.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    assert script_head() == SCHEMA_HEAD
    chain = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert tuple(chain) == SCHEMA_REVISIONS


def test_migrations_match_the_models(tmp_path):
    """The schema the migrations build is the schema the models describe."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from db.models import Base

    def not_fts(name, type_, _parent_names) -> bool:  # the FTS5 index is SQL-only, not a model
        return not (type_ == "table" and name.startswith("members_fts"))

    database = open_database(tmp_path / "x.sqlite")
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": not_fts})
        diff = compare_metadata(context, Base.metadata)
    database.close()
    assert diff == []


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("revision", [r for r in SCHEMA_REVISIONS if r != SCHEMA_HEAD])
def test_saved_database_of_each_earlier_revision_upgrades_intact(tmp_path, revision):
    # GIVEN a database saved by an earlier revision, with a tree (children point at their
    # parents) and, from 0002, committee rows (later revisions copy that table in batch mode)
    path = tmp_path / "old.sqlite"
    shutil.copy(DATA / f"schema_{revision}.sqlite", path)
    tree_sql = "SELECT id, parent_id, name, kind, sort_order FROM organizations ORDER BY id"
    before = _rows(path, tree_sql)
    committee_sql = "SELECT id, org_id, role, name FROM org_committee_members ORDER BY id"
    committee_before = _rows(path, committee_sql) if revision >= "0002" else []
    backups: list[tuple[Path, str | None]] = []
    # WHEN the program opens it
    database = open_database(path, before_migrate=lambda p, rev: backups.append((p, rev)))
    database.close()
    # THEN every node, parent link and committee row is still there, and the backup hook ran first
    assert _rows(path, tree_sql) == before
    assert _rows(path, committee_sql) == committee_before
    assert _rows(path, "SELECT version_num FROM alembic_version") == [(SCHEMA_HEAD,)]
    assert _rows(path, "SELECT place, note FROM organizations WHERE id = 3") == [("", "")]
    assert _rows(path, "SELECT id, tree_rank FROM organizations ORDER BY tree_rank") == [
        (1, 0), (2, 1), (3, 2), (4, 3), (5, 4)
    ]
    assert _rows(path, "PRAGMA foreign_key_check") == []
    assert backups == [(path.resolve(), revision)]
    assert database.migrated_from == revision


NEXT = f"{int(SCHEMA_HEAD) + 1:04d}"  # a revision after the real head, for test-only migrations
BATCH_NEXT = (
    "from alembic import op\nimport sqlalchemy as sa\n"
    f"revision = '{NEXT}'\ndown_revision = '{SCHEMA_HEAD}'\nbranch_labels = None\ndepends_on = None\n"
    "def upgrade():\n"
    "    with op.batch_alter_table('organizations', recreate='always') as b:\n"
    "        b.add_column(sa.Column('extra', sa.Integer))\n"
    "def downgrade():\n    pass\n"
)


def _scripts_with(tmp_path: Path, name: str, body: str) -> Path:
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / name).write_text(body, encoding="utf-8")
    return scripts


def test_batch_migration_that_copies_tables_keeps_child_rows(tmp_path, demo_db_path):
    """A batch migration copies and drops ``organizations`` while committee rows (ON DELETE
    CASCADE) and child nodes point at it: with the recipe, every row survives."""
    scripts = _scripts_with(tmp_path, f"{NEXT}_batch.py", BATCH_NEXT)
    committee_before = _rows(demo_db_path, "SELECT org_id, role, name FROM org_committee_members ORDER BY id")
    tree_before = _rows(demo_db_path, "SELECT id, parent_id, name FROM organizations ORDER BY id")
    assert committee_before and len(tree_before) > 20
    upgrade(make_engine(demo_db_path, foreign_keys=False), script_location=scripts)
    assert _rows(demo_db_path, "SELECT org_id, role, name FROM org_committee_members ORDER BY id") == committee_before
    assert _rows(demo_db_path, "SELECT id, parent_id, name FROM organizations ORDER BY id") == tree_before
    assert _rows(demo_db_path, "SELECT version_num FROM alembic_version") == [(NEXT,)]


def test_same_migration_with_foreign_keys_on_is_refused_and_rolled_back(tmp_path, demo_db_path):
    """Why the recipe matters: with foreign keys on, dropping the copied table trips the
    constraints (or would cascade); the runner rolls back and the data stays."""
    scripts = _scripts_with(tmp_path, f"{NEXT}_batch.py", BATCH_NEXT)
    committee_before = _rows(demo_db_path, "SELECT org_id, role, name FROM org_committee_members ORDER BY id")
    with pytest.raises(MigrationError, match="数据库保持原样"):
        upgrade(make_engine(demo_db_path, foreign_keys=True), script_location=scripts)
    assert _rows(demo_db_path, "SELECT org_id, role, name FROM org_committee_members ORDER BY id") == committee_before
    assert _rows(demo_db_path, "SELECT version_num FROM alembic_version") == [(SCHEMA_HEAD,)]


def test_failing_migration_leaves_the_file_as_it_was(tmp_path):
    # GIVEN the real migrations plus a broken one that changes things before it fails
    scripts = _scripts_with(
        tmp_path,
        f"{NEXT}_broken.py",
        "from alembic import op\nimport sqlalchemy as sa\n"
        f"revision = '{NEXT}'\ndown_revision = '{SCHEMA_HEAD}'\nbranch_labels = None\ndepends_on = None\n"
        "def upgrade():\n"
        "    op.create_table('half_done', sa.Column('id', sa.Integer, primary_key=True))\n"
        "    op.execute(\"UPDATE organizations SET name = 'CHANGED'\")\n"
        "    with op.batch_alter_table('organizations') as b:\n"
        "        b.add_column(sa.Column('extra', sa.Integer))\n"
        "    raise RuntimeError('disk full')\n"
        "def downgrade():\n    pass\n",
    )
    path = tmp_path / "old.sqlite"
    shutil.copy(DATA / "schema_0001.sqlite", path)
    original = path.read_bytes()
    # WHEN the upgrade runs all the way to the broken revision
    engine = make_engine(path, foreign_keys=False)
    with pytest.raises(MigrationError, match="数据库保持原样"):
        upgrade(engine, script_location=scripts)
    engine.dispose()
    # THEN not even the successful real revisions stayed: one transaction, rolled back whole
    assert _rows(path, "SELECT version_num FROM alembic_version") == [("0001",)]
    assert ("CHANGED",) not in _rows(path, "SELECT name FROM organizations")
    tables = {r[0] for r in _rows(path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert "half_done" not in tables and "change_log" not in tables
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    assert _rows(path, "SELECT id, name FROM organizations ORDER BY id") == [
        (1, "旧版社区党委"), (2, "第一网格党支部"), (3, "1号楼党小组"), (4, "2号楼党小组"), (5, "离退休党员党支部")
    ]
    assert len(path.read_bytes()) == len(original)


@pytest.mark.parametrize("revision", ["0003", "0004"])
def test_ledger_flags_become_records_to_complete(tmp_path, revision):
    # GIVEN a database from before 0005: 李秀英 flagged 流动 to 深圳, 赵刚 flagged only 失联 since 1 March 2025
    path = tmp_path / "old.sqlite"
    shutil.copy(DATA / f"schema_{revision}.sqlite", path)
    # WHEN it is upgraded
    open_database(path).close()
    # THEN 李秀英 has one open record marked 待补全 with the old destination, dated the day records began
    records = _rows(path, "SELECT member_id, destination_address, returned_on, incomplete, left_on FROM floating_records")
    assert [r[:4] for r in records] == [(2, "广东省 深圳市", None, 1)]
    assert records[0][4] == date.today().isoformat()
    # AND 赵刚 keeps a 失联 mark with its date, to be confirmed; the ledger's flags are unchanged
    assert _rows(path, "SELECT member_id, kind, happened_on, to_confirm FROM lost_contact_events") == [
        (3, "确认失联", "2025-03-01", 1)
    ]
    assert _rows(path, "SELECT id, floating, floating_destination, lost_contact, lost_contact_on FROM members"
                       " ORDER BY id") == [
        (1, 0, "", 0, None), (2, 1, "广东省 深圳市", 0, None), (3, 0, "", 1, "2025-03-01")
    ]
    assert _rows(path, "SELECT count(*) FROM contact_logs WHERE is_report") == [(0,)]


def test_migrated_constraint_names_match_the_models(tmp_path):
    # compare_metadata does not look at CHECK constraints: a name the migration mangled went unseen
    import re

    from sqlalchemy import create_engine

    import db.models  # noqa: F401
    from db.base import Base

    migrated = tmp_path / "migrated.sqlite"
    open_database(migrated).close()
    fresh = tmp_path / "fresh.sqlite"
    engine = create_engine(f"sqlite:///{fresh}")
    Base.metadata.create_all(engine)
    engine.dispose()

    def names(path: Path) -> set[str]:
        found = set()
        for (sql,) in _rows(path, "SELECT sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL"):
            found.update(re.findall(r"CONSTRAINT (ck_\w+)", sql))
        return found

    assert names(migrated) == names(fresh) and "ck_dues_payments_positive_amount" in names(fresh)
