"""Import benchmark: a 10,000-row 花名册 (10 % bad rows) read, validated and imported.

    python bench/import_members.py [--rows 10000] [--runs 5]

Generates the sheet (17 columns, like an office's) and an organisation tree in a temporary folder,
then times each run in a fresh process (so pypinyin's dictionary load, which the first import in a
session pays, is counted) on a fresh copy of the database:
- ``read``: python-calamine reads the sheet (header found, merges filled) — and rows/s;
- ``validate``: every row parsed and checked (``members_import.build_preview``);
- ``import``: the good rows inserted in one transaction, the error report written (``apply``).
Prints the median (min–max) of each, in seconds, and once, for comparison, openpyxl's read-only
reading of the same sheet.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = date(2026, 11, 22)


def prepare(folder: Path, rows: int) -> tuple[Path, Path, int]:
    from app import orgs
    from app.database import open_app_database
    from tests.data.make_excel_fixtures import ORG_TREE, big_roster

    sheet = folder / "花名册.xlsx"
    bad = big_roster(sheet, rows)
    template = folder / "template.sqlite"
    database = open_app_database(template)
    try:
        ids: dict[str, int] = {}
        with database.unit_of_work("tree") as session:
            for path, kind in ORG_TREE:
                parent, _, name = path.rpartition("/")
                ids[path], _ = orgs.create(session, ids.get(parent), orgs.OrgInput(name=name, kind=kind), today=TODAY)
    finally:
        database.close()
    return sheet, template, bad


def one_run(sheet: Path, db: Path) -> dict[str, float]:
    """Runs in its own process: the timings of one import, as JSON on stdout."""
    from app import members_import
    from app.database import open_app_database

    database = open_app_database(db)
    try:
        start = time.perf_counter()
        book = members_import.read_workbook(sheet)
        read = time.perf_counter()
        with database.read() as session:
            ready = members_import.build_preview(session, book, today=TODAY)
        validated = time.perf_counter()
        result = members_import.apply(database, ready)
        imported = time.perf_counter()
    finally:
        database.close()
    return {
        "read": read - start, "validate": validated - read, "import": imported - validated,
        "total": imported - start, "rows": sum(len(s.rows) for s in book.sheets),
        "added": result.added, "rejected": result.rejected,
    }


def openpyxl_read(sheet: Path) -> tuple[float, int]:
    from openpyxl import load_workbook

    start = time.perf_counter()
    book = load_workbook(sheet, read_only=True)
    count = sum(1 for _ in book.active.iter_rows(values_only=True))
    book.close()
    return time.perf_counter() - start, count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--one", nargs=2, metavar=("SHEET", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_run(Path(args.one[0]), Path(args.one[1]))))
        return

    work = Path(tempfile.mkdtemp(prefix="bench-import-"))
    os.environ["DANGJIAN_DATA_DIR"] = str(work / "data")
    try:
        sheet, template, bad = prepare(work, args.rows)
        runs = []
        for n in range(args.runs):
            db = work / f"run{n}.sqlite"
            shutil.copy(template, db)
            done = subprocess.run([sys.executable, __file__, "--one", str(sheet), str(db)], cwd=ROOT,
                                  env=os.environ, check=True, capture_output=True, text=True)
            runs.append(json.loads(done.stdout))
        first = runs[0]
        print(f"{first['rows']:,} 行（其中 {bad:,} 行有错），{args.runs} 次，每次新进程、新数据库：")
        print(f"  新增 {first['added']:,} 人，拒绝 {first['rejected']:,} 行")
        for key, label in (("read", "读取 (calamine)"), ("validate", "解析与校验"), ("import", "写入与错误报告"),
                           ("total", "合计")):
            values = [r[key] for r in runs]
            print(f"  {label:<16} 中位数 {statistics.median(values):6.2f} s（{min(values):.2f}–{max(values):.2f}）")
        read = statistics.median(r["read"] for r in runs)
        print(f"  calamine 读取速度：{first['rows'] / read:,.0f} 行/秒")
        seconds, count = openpyxl_read(sheet)
        print(f"  对比 openpyxl（只读模式）：{count / seconds:,.0f} 行/秒")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
