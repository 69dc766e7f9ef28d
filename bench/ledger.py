"""Ledger benchmark: the member queries of the 党员台账 over a district-sized demo (100,000 members).

    python bench/ledger.py [--db PATH] [--members 100000] [--runs 9] [--explain]

Builds the demo community with ``--members`` members in a temporary folder (or reuses ``--db``
when that file already holds members; a new ``--db`` is built there and kept), then times, as
the ledger page runs them, the median (and min/max) over ``--runs`` runs after one warm-up:
- the id list of the default view (``members.ordered_ids`` with ``MemberFilter()``: 在册, in
  organisation tree order) — an ORDER BY over the whole ledger;
- the same sorted by each column, ascending (and by name descending);
- the filters: an organisation subtree, a category, an identity;
- one keystroke of each search kind: a 1-character name prefix, a 2-character part of a name,
  pinyin initials, a phone prefix, an ID-number tail, a 3-character substring (FTS5 trigram);
- one page of 200 rows with ``members.rows``.
Targets (issue 3): a keystroke's query within 30 ms median, a sort within 0.1 s. A case that
misses its target has its ``EXPLAIN QUERY PLAN`` printed (``--explain`` prints every plan).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TODAY = date(2026, 11, 22)
KEYSTROKE_MS = 30.0
SORT_MS = 100.0
SEARCHES = (  # (label, text)
    ("1-char name prefix", "张"),
    ("2-char name part", "建国"),
    ("pinyin initials", "zj"),
    ("pinyin initials, 3 letters", "zjg"),
    ("phone prefix", "1381"),
    ("ID-number tail", "0012"),
    ("3-char substring (FTS)", "智联云"),
    ("3-char substring, every row (FTS)", "幸福里"),
)


def members_in(path: Path) -> int:
    """How many members a database file holds (0 for none or no file): reuse it or build one."""
    import sqlite3

    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT count(*) FROM members").fetchone()[0]
    except sqlite3.Error:
        return 0


def build_demo(path: Path, members: int) -> float:
    from app import demo
    from app.database import open_app_database

    start = time.perf_counter()
    database = open_app_database(path)
    try:
        with database.unit_of_work("生成示例社区") as session:
            demo.build(session, seed=0, today=TODAY, members=members)
    finally:
        database.close()
    return time.perf_counter() - start


def timed(run: Callable[[], object], runs: int) -> tuple[list[float], object]:
    result = run()  # warm-up: page cache, prepared statements, pinyin import
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        result = run()
        samples.append((time.perf_counter() - start) * 1000)
    return samples, result


def explain(session, stmt) -> list[str]:
    from sqlalchemy.dialects import sqlite

    sql = str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    return [row[-1] for row in session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a demo database to reuse (built there when it has no members)")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--explain", action="store_true", help="print the query plan of every case")
    args = parser.parse_args()

    os.environ.setdefault("DANGJIAN_DATA_DIR", tempfile.mkdtemp(prefix="bench-ledger-data-"))
    path = args.db or Path(tempfile.mkdtemp(prefix="bench-ledger-")) / "demo.sqlite"
    if members_in(path) if path.exists() else 0:
        print(f"reusing {path} ({members_in(path)} members)")
    else:
        seconds = build_demo(path, args.members)
        print(f"built {path}: demo with {args.members} members in {seconds:.1f} s")

    from app import members, orgs
    from app.database import open_app_database
    from app.members import MemberFilter

    database = open_app_database(path)
    with database.read() as session:
        nodes = orgs.list_tree(session)
        grid = next(n for n in nodes if n.name == "第一网格党支部")
        retired = next(n for n in nodes if n.name == "离退休党员党支部")
        cases: list[tuple[str, str, Callable[[], object], object, float | None]] = []

        def case(group: str, label: str, flt: MemberFilter, sort: str = "org", descending: bool = False,
                 target: float | None = None) -> None:
            cases.append((group, label, lambda: members.ordered_ids(session, flt, sort, descending),
                          (flt, sort, descending), target))

        case("view", "default view (在册, tree order)", MemberFilter(), target=SORT_MS)
        for column in members.SORT_COLUMNS:
            case("sort", f"sort by {column}", MemberFilter(), column, target=SORT_MS)
        case("sort", "sort by name, descending", MemberFilter(), "name", True, target=SORT_MS)
        case("filter", f"subtree {grid.name}", MemberFilter(org_id=grid.id), target=SORT_MS)
        case("filter", f"subtree {retired.name}", MemberFilter(org_id=retired.id), target=SORT_MS)
        case("filter", "category 预备党员", MemberFilter(category="预备党员"), target=SORT_MS)
        case("filter", "identity 流动党员", MemberFilter(identity="流动党员"), target=SORT_MS)
        case("filter", "all statuses", MemberFilter(statuses=()), target=SORT_MS)
        for label, text in SEARCHES:
            case("search", f"{label} “{text}”", MemberFilter(text=text), target=KEYSTROKE_MS)
        case("search", "“zj” within 第一网格 subtree", MemberFilter(org_id=grid.id, text="zj"), target=KEYSTROKE_MS)

        print(f"\n{'case':46s} {'rows':>7s} {'median':>9s} {'min':>8s} {'max':>8s} {'target':>7s}")
        missed = []
        for _group, label, run, spec, target in cases:
            samples, result = timed(run, args.runs)
            median = statistics.median(samples)
            ok = target is None or median <= target
            mark = "" if ok else "  MISSED"
            print(f"{label:46s} {len(result):7d} {median:7.1f}ms {min(samples):6.1f}ms {max(samples):6.1f}ms "
                  f"{target or 0:5.0f}ms{mark}")
            if not ok or args.explain:
                missed.append((label, spec))

        default_ids = members.ordered_ids(session, MemberFilter())
        middle = len(default_ids) // 2
        page = default_ids[middle:middle + 200]
        samples, result = timed(lambda: members.rows(session, page), args.runs)
        print(f"{'one page of 200 rows (members.rows)':46s} {len(result):7d} {statistics.median(samples):7.1f}ms "
              f"{min(samples):6.1f}ms {max(samples):6.1f}ms")

        for label, (flt, sort, descending) in missed:
            print(f"\nEXPLAIN QUERY PLAN — {label}")
            for line in explain(session, members.query(session, flt, sort, descending)):
                print("   ", line)
    database.close()


if __name__ == "__main__":
    main()
