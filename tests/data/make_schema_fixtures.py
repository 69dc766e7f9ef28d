"""Regenerates the saved databases of earlier revisions that tests/db/test_migrations.py upgrades.

Run from the project root: python tests/data/make_schema_fixtures.py
Each file is what that revision left on disk, with a small tree (and, from 0002, committee rows;
from 0003, tree ranks and three members, one flagged 流动 and one flagged only 失联 in the ledger's
old plain columns, which 0005 turns into records).
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
TREE_RANKS = {1: 0, 2: 1, 3: 2, 4: 3, 5: 4}  # pre-order, as 0003 numbers an existing tree
# (id, org_id, name, name_sort, sex, id_number, birth_date, joined_on, confirmed_on, floating, floating_destination,
#  lost_contact, lost_contact_on)
MEMBERS = [
    (1, 3, "王建国", "wang2 jian4 guo2", "男", "110105197003011237", "1970-03-01", "1995-07-01", "1996-07-01", 0, "",
     0, None),
    (2, 5, "李秀英", "li3 xiu4 ying1", "女", "110105198205064227", "1982-05-06", "2010-06-30", "2011-06-30", 1,
     "广东省 深圳市", 0, None),
    (3, 4, "赵刚", "zhao4 gang1", "男", "110105197508121239", "1975-08-12", "2001-07-01", "2002-07-01", 0, "",
     1, "2025-03-01"),
]
MEMBER_COLUMNS = ("id", "org_id", "name", "name_sort", "sex", "id_number", "birth_date", "joined_on", "confirmed_on",
                  "floating", "floating_destination", "lost_contact", "lost_contact_on")


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
        if revision >= "0003":
            for org_id, rank in TREE_RANKS.items():
                conn.execute(text("UPDATE organizations SET tree_rank = :r WHERE id = :i"), {"r": rank, "i": org_id})
            for row in MEMBERS:
                values = dict(zip(MEMBER_COLUMNS, row, strict=True))
                conn.execute(
                    text("INSERT INTO members(id, org_id, name, name_sort, sex, id_number, id_reversed, ethnicity,"
                         " birth_date, native_place, education, degree, category, joined_on, confirmed_on,"
                         " probation_extended, occupation, employer, report_unit, party_post, mobile, landline,"
                         " address, standing, lost_contact, lost_contact_on, floating, floating_destination, in_hardship,"
                         " introducers, note, status, left_reason, transferred_to, created_at, updated_at)"
                         " VALUES (:id, :org_id, :name, :name_sort, :sex, :id_number, :id_reversed, '汉族',"
                         " :birth_date, '', '', '', '正式党员', :joined_on, :confirmed_on, 0, '', '', '', '', '',"
                         " '', '', '正常', :lost_contact, :lost_contact_on, :floating, :floating_destination, 0, '', '',"
                         " '在册', '', '',"
                         " '2025-01-01 08:00:00', '2025-01-01 08:00:00')"),
                    {**values, "id_reversed": values["id_number"][::-1]},
                )
    engine.dispose()
    conn = sqlite3.connect(out)  # one self-contained file, no -wal beside it
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    return out


if __name__ == "__main__":
    for revision in ("0001", "0002", "0003", "0004", "0005"):
        print(make(revision))
