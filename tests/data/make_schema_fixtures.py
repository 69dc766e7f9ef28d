"""Regenerates the saved databases of earlier revisions that tests/db/test_migrations.py upgrades.

Run from the project root: python tests/data/make_schema_fixtures.py
Each file is what that revision left on disk, with a small tree (and, from 0002, committee rows).
"""

import sqlite3
from pathlib import Path

from sqlalchemy import text

from db.engine import make_engine
from db.migrate import upgrade

HERE = Path(__file__).parent
ORGS = [
    (1, None, "旧版社区党委", "党委", 0),
    (2, 1, "第一网格党支部", "党支部", 0),
    (3, 2, "1号楼党小组", "党小组", 0),
    (4, 2, "2号楼党小组", "党小组", 1),
    (5, 1, "离退休党员党支部", "党支部", 1),
]
COMMITTEE = [(1, 1, "书记", "王建国", 0), (2, 1, "副书记", "李秀英", 1), (3, 2, "书记", "张伟", 0)]


def make(revision: str) -> Path:
    out = HERE / f"schema_{revision}.sqlite"
    out.unlink(missing_ok=True)
    engine = make_engine(out, foreign_keys=False)
    upgrade(engine, revision)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO settings(key, value) VALUES ('community_name', '旧版社区')"))
        for row in ORGS:
            conn.execute(
                text("INSERT INTO organizations(id, parent_id, name, kind, sort_order, dissolved_reason, created_at)"
                     " VALUES (:id, :p, :n, :k, :s, '', '2025-01-01 08:00:00')"),
                dict(zip(("id", "p", "n", "k", "s"), row, strict=True)),
            )
        if revision >= "0002":
            for row in COMMITTEE:
                conn.execute(
                    text("INSERT INTO org_committee_members(id, org_id, role, name, sort_order)"
                         " VALUES (:id, :o, :r, :n, :s)"),
                    dict(zip(("id", "o", "r", "n", "s"), row, strict=True)),
                )
    engine.dispose()
    conn = sqlite3.connect(out)  # one self-contained file, no -wal beside it
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    return out


if __name__ == "__main__":
    for revision in ("0001", "0002"):
        print(make(revision))
