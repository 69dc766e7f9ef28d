"""Regenerates tests/data/schema_0001.sqlite: a database as revision 0001 left it, with a tree.

Run from the project root: python tests/data/make_schema_0001.py
"""

import sqlite3
from pathlib import Path

from sqlalchemy import text

from db.engine import make_engine
from db.migrate import upgrade

OUT = Path(__file__).with_name("schema_0001.sqlite")


def main() -> None:
    OUT.unlink(missing_ok=True)
    engine = make_engine(OUT, foreign_keys=False)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO settings(key, value) VALUES ('community_name', '旧版社区')"))
        rows = [
            (1, None, "旧版社区党委", "党委", 0),
            (2, 1, "第一网格党支部", "党支部", 0),
            (3, 2, "1号楼党小组", "党小组", 0),
            (4, 2, "2号楼党小组", "党小组", 1),
            (5, 1, "离退休党员党支部", "党支部", 1),
        ]
        for row in rows:
            conn.execute(
                text("INSERT INTO organizations(id, parent_id, name, kind, sort_order, dissolved_reason, created_at)"
                     " VALUES (:id, :p, :n, :k, :s, '', '2025-01-01 08:00:00')"),
                dict(zip(("id", "p", "n", "k", "s"), row, strict=True)),
            )
    engine.dispose()
    with sqlite3.connect(OUT) as conn:  # one self-contained file, no -wal beside it
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()


if __name__ == "__main__":
    main()
