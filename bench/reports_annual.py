"""党员年度档案 benchmark: the annual files of 1,000 members with realistic records, collected and rendered.

    python bench/reports_annual.py [--db PATH] [--members 1000] [--year 2025] [--today 2026-01-20]
                                   [--runs 3] [--workers 2] [--only batch,per-member,toc] [--keep DIR]
                                   [--profile]

Builds the demo community (``python -m app demo --db FILE --members N --today T``, in a separate
process) in a temporary folder, or reuses ``--db`` when that file already holds members (a new ``--db`` is
built there and kept). The demo brings meetings with attendance and dues payments; the file is then topped
up, once, with the rest of a year's record for every member on the roll: the eight notes (quarterly
summaries, half-year feedback, 年底考核 of 60–260 characters, a 书记评语), 0–12 volunteer activities, a
双报到 for a third of them, a dues base (so months unpaid are arrears), a reward or discipline for one in
ten, a photo (JPEG, 295 × 413 px) for four in five, and the year's evaluation — scores, grades (one in four
优秀 per branch), approved through ``app.evaluation_year.approve`` so the four- and five-star members have
certificate numbers. Plain sqlite3 for the records (a benchmark's own file).

Then, with the user data in a temporary folder, it measures the median over ``--runs`` runs of the whole
job as the 档案打印 page runs it (``collect_annual`` from a fresh session, then the renderer):
- ``batch``: one PDF without a table of contents — target ≥ 60 pages/s;
- ``per-member``: one PDF per member with ``--workers`` processes (2) — target ≥ 40 pages/s;
- ``toc``: one PDF with the table of contents (reported).
``--profile`` prints a cProfile summary of one batch render of 100 members; for a sampling profile run
``py-spy record -o OUT.svg -- python bench/reports_annual.py --db FILE --only batch --runs 1``.
On a 2-core machine another busy process moves the medians by half: compare the minimums too.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.ledger import members_in  # noqa: E402  (after the path set-up)

BATCH_PAGES_S = 60.0
PER_MEMBER_PAGES_S = 40.0
TOP_UP_MARK = "bench/reports_annual.py"  # the written_by of the notes the top-up added

PHRASES = (
    "认真学习习近平新时代中国特色社会主义思想", "按时参加支部党员大会和主题党日活动", "积极参与社区志愿服务",
    "带头做好楼栋邻里调解工作", "主动联系服务困难群众", "按时足额交纳党费", "参加“三会一课”从不缺席",
    "在疫情防控和防汛工作中冲锋在前", "认真撰写学习心得体会", "积极参加党员先锋岗认领", "协助网格员开展入户走访",
    "对照党章党规查找差距，及时整改", "发挥先锋模范作用，得到居民好评", "参与垃圾分类宣传和环境整治",
)
ACTIVITIES = ("社区环境整治", "垃圾分类宣传", "为老人理发", "楼栋安全巡查", "关爱空巢老人走访", "政策宣讲进楼栋",
              "文明交通劝导", "义务植树", "防诈骗宣传", "助老助残服务", "党员先锋岗值守", "社区议事协商会")
EMPLOYERS = ("北京市朝阳区人民医院", "国网北京市电力公司", "朝阳区第一中学", "中国工商银行北京分行", "某某街道办事处")
REWARDS = (("奖励", "优秀共产党员", "社区党委"), ("奖励", "优秀志愿者", "街道党工委"), ("奖励", "先进个人", "社区党委"),
           ("处分", "党内警告", "社区党委"))


# ---------------------------------------------------------------- the data


def build_demo(path: Path, members: int, today: date) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "app", "demo", "--db", str(path), "--members", str(members),
                    "--today", today.isoformat()], cwd=ROOT, env=os.environ.copy(), check=True, capture_output=True)
    return time.perf_counter() - start


def _photos(count: int, rng: random.Random) -> list[bytes]:
    from PIL import Image, ImageDraw, ImageFilter

    photos = []
    for _ in range(count):
        image = Image.new("RGB", (295, 413), (rng.randint(40, 90), rng.randint(90, 140), rng.randint(150, 210)))
        draw = ImageDraw.Draw(image)
        skin = (rng.randint(215, 245), rng.randint(180, 210), rng.randint(150, 185))
        draw.ellipse((80, 70, 215, 235), fill=skin)
        draw.rectangle((40, 250, 255, 413), fill=(rng.randint(10, 60),) * 3)
        image = image.filter(ImageFilter.GaussianBlur(1.2))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85)
        photos.append(out.getvalue())
    return photos


def _text(rng: random.Random, low: int, high: int) -> str:
    target = rng.randint(low, high)
    parts = []
    while sum(len(p) + 1 for p in parts) < target:
        parts.append(rng.choice(PHRASES))
    return "，".join(parts) + "。"


def top_up(path: Path, year: int, today: date, seed: int = 8) -> bool:
    """The rest of the year's record (see the module's doc), once; True when it added it now."""
    from app import dues_rules
    from app.evaluation import DEFAULT_SCHEME, FULL_MEMBER
    from app.evaluation_records import NOTE_KINDS

    rng = random.Random(seed)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if conn.execute("SELECT count(*) FROM annual_notes WHERE written_by = ?", (TOP_UP_MARK,)).fetchone()[0]:
            return False
        first, last = date(year, 1, 1), date(year, 12, 31)
        people = conn.execute(
            "SELECT id, org_id, joined_on, category, confirmed_on, status, left_on, occupation FROM members"
            " WHERE joined_on <= ? AND (left_on IS NULL OR left_on >= ?) ORDER BY id",
            (last.isoformat(), first.isoformat())).fetchall()
        stamp = f"{today.isoformat()} 09:00:00.000000"
        photos = _photos(24, rng)
        notes, services, reports, rewards, bases, pictures, scores, grades = [], [], [], [], [], [], [], []
        branch_of = _branches(conn)
        excellent: dict[int, int] = {}
        for member_id, org_id, joined, category, confirmed, _status, _left, occupation in people:
            joined_on = date.fromisoformat(joined)
            start = max(joined_on, first)
            for kind, when in zip(NOTE_KINDS, (date(year, 4, 3), date(year, 7, 3), date(year, 10, 9),
                                               date(year, 12, 29), date(year, 7, 6), date(year, 12, 30),
                                               date(year, 12, 31), date(year, 12, 31)), strict=True):
                if when >= start:
                    notes.append((member_id, year, kind, _text(rng, 60, 260), TOP_UP_MARK, when.isoformat(), stamp))
            for _ in range(rng.choice((0, 1, 2, 3, 4, 5, 6, 8, 10, 12))):
                day = start + timedelta(days=rng.randint(0, (last - start).days))
                services.append((member_id, day.isoformat(), rng.choice(ACTIVITIES), rng.choice((10, 15, 20, 30, 40)),
                                 "", stamp))
            if rng.random() < 0.33 and occupation != "离退休人员":
                reports.append((member_id, rng.choice(EMPLOYERS), date(year - 1, 3, 1).isoformat(),
                                "义诊、政策宣讲、结对帮扶", None, "", stamp))
            if rng.random() < 0.1:
                kind, title, by = rng.choice(REWARDS)
                rewards.append((member_id, kind, date(year, rng.randint(1, 12), 15).isoformat(), title, by, "", stamp))
            retired = occupation == "离退休人员"
            category_due = dues_rules.RETIRED if retired else dues_rules.WORKING
            bases.append((member_id, joined_on.replace(day=1).isoformat() if joined_on > date(year - 1, 1, 1)
                           else date(year - 1, 1, 1).isoformat(), category_due, rng.randint(250, 1200) * 1000, None,
                           "", stamp))
            if rng.random() < 0.8:
                pictures.append((member_id, rng.choice(photos), "image/jpeg"))
            level = rng.choice((13, 15, 16, 17, 17, 18, 18, 19))
            for criterion, evaluator in DEFAULT_SCHEME.cells():
                scores.append((year, member_id, criterion, evaluator,
                               max(0, min(200, level * 10 + rng.randint(-15, 15)))))
            graded = category == FULL_MEMBER and (confirmed is None or confirmed <= last.isoformat())
            if graded:
                branch = branch_of.get(org_id)
                count = excellent.get(branch, 0)
                excellent[branch] = count + 1
                grade = "优秀" if count % 4 == 3 else ("基本合格" if count % 17 == 5 else "合格")
                grades.append((year, member_id, grade, date(year, 12, 20).isoformat()))
        conn.execute("BEGIN")
        conn.executemany("INSERT OR IGNORE INTO annual_notes (member_id, year, kind, text, written_by, written_on, updated_at)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?)", notes)
        conn.executemany("INSERT INTO volunteer_services (member_id, served_on, activity, hours_tenths, note,"
                         " created_at) VALUES (?, ?, ?, ?, ?, ?)", services)
        conn.executemany("INSERT INTO dual_reports (member_id, employer, reported_on, wishes, ended_on, note,"
                         " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", reports)
        conn.executemany("INSERT INTO rewards_discipline (member_id, kind, decided_on, title, decided_by, note,"
                         " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rewards)
        conn.executemany("INSERT OR IGNORE INTO dues_bases (member_id, effective_from, category, base_fen,"
                         " farmer_amount_fen, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)", bases)
        conn.executemany("INSERT OR REPLACE INTO member_photos (member_id, data, mime) VALUES (?, ?, ?)", pictures)
        conn.execute("INSERT OR IGNORE INTO evaluation_years (year, scheme, approved_on, approved_by, updated_at)"
                     " VALUES (?, ?, NULL, '', ?)", (year, _scheme_json(), stamp))
        conn.executemany("INSERT OR REPLACE INTO evaluation_scores VALUES (?, ?, ?, ?, ?)", scores)
        conn.executemany("INSERT OR REPLACE INTO evaluation_grades VALUES (?, ?, ?, ?)", grades)
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    finally:
        conn.close()
    _approve(path, year, today)
    return True


def _branches(conn: sqlite3.Connection) -> dict[int, int | None]:
    from app.members import BRANCH_KINDS

    orgs = {oid: (parent, kind) for oid, parent, kind in conn.execute("SELECT id, parent_id, kind FROM organizations")}
    found = {}
    for org_id in orgs:
        current = org_id
        while current is not None and orgs[current][1] not in BRANCH_KINDS:
            current = orgs[current][0]
        found[org_id] = current
    return found


def _scheme_json() -> str:
    import json

    from app.evaluation import DEFAULT_SCHEME, scheme_to_dict

    return json.dumps(scheme_to_dict(DEFAULT_SCHEME), ensure_ascii=False, sort_keys=True)


def _approve(path: Path, year: int, today: date) -> None:
    from app import evaluation_year
    from app.database import open_app_database

    database = open_app_database(path)
    try:
        with database.unit_of_work("bench") as session:
            evaluation_year.approve(session, year, today=today)
    finally:
        database.close()


def counts(path: Path, year: int) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        parts = []
        for label, sql in (("members", "SELECT count(*) FROM members"),
                           ("notes", f"SELECT count(*) FROM annual_notes WHERE year = {year}"),
                           ("note chars", f"SELECT sum(length(text)) FROM annual_notes WHERE year = {year}"),
                           ("volunteer", "SELECT count(*) FROM volunteer_services"),
                           ("双报到", "SELECT count(*) FROM dual_reports"),
                           ("meetings", "SELECT count(*) FROM meetings"),
                           ("attendance rows", "SELECT count(*) FROM meeting_attendees"),
                           ("dues payments", "SELECT count(*) FROM dues_payments"),
                           ("photos", "SELECT count(*) FROM member_photos"),
                           ("certificates", f"SELECT count(*) FROM star_certificates WHERE year = {year}")):
            parts.append(f"{label} {conn.execute(sql).fetchone()[0]}")
    return ", ".join(parts)


# ---------------------------------------------------------------- measuring


def collect(database, year: int, today: date):
    from app import settings
    from app.reports.annual_data import collect_annual

    with database.read() as session:
        return collect_annual(session, year, today=today), settings.load(session)


def run_batch(database, year: int, today: date, out: Path, toc: bool) -> tuple[float, float, int, int]:
    """(collect s, render s, pages, members) of one whole job."""
    from app.reports.annual_file import render_annual_file

    start = time.perf_counter()
    files, community = collect(database, year, today)
    collected = time.perf_counter()
    pages = render_annual_file(files, out, settings=community, toc=toc)
    return collected - start, time.perf_counter() - collected, pages, len(files)


def run_per_member(database, year: int, today: date, folder: Path, workers: int) -> tuple[float, float, int, int]:
    from pypdf import PdfReader

    from app.reports.annual_file import render_per_member

    shutil.rmtree(folder, ignore_errors=True)
    start = time.perf_counter()
    files, community = collect(database, year, today)
    collected = time.perf_counter()
    paths = render_per_member(files, folder, settings=community, workers=workers)
    rendered = time.perf_counter()
    pages = sum(len(PdfReader(p).pages) for p in paths)
    return collected - start, rendered - collected, pages, len(paths)


def report(label: str, results: list[tuple[float, float, int, int]], target: float | None) -> float:
    totals = [c + r for c, r, _, _ in results]
    pages, people = results[0][2], results[0][3]
    rates = [pages / t for t in totals]
    median = statistics.median(totals)
    rate = pages / median
    goal = "" if target is None else f"  target ≥ {target:.0f} pages/s  {'met' if rate >= target else 'MISSED'}"
    print(f"{label:28s} {people} members, {pages} pages: median {median:6.1f} s (collect "
          f"{statistics.median(c for c, _, _, _ in results):.2f} s, render {statistics.median(r for _, r, _, _ in results):.1f} s)"
          f" → {rate:5.1f} pages/s (best {max(rates):.1f}, n={len(results)}){goal}")
    return rate


def profile_batch(database, year: int, today: date, out: Path) -> None:
    from app.reports.annual_file import render_annual_file

    files, community = collect(database, year, today)
    profiler = cProfile.Profile()
    profiler.enable()
    render_annual_file(files[:100], out, settings=community)
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).strip_dirs().sort_stats("tottime").print_stats(25)
    print("\ncProfile — render_annual_file of 100 members, by own time\n" + text.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a demo database to reuse (built there when it has no members)")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 1, 20))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="batch,per-member,toc")
    parser.add_argument("--keep", type=Path, help="write the PDFs here (kept) instead of a temporary folder")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    os.environ["DANGJIAN_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-annual-data-")
    path = args.db or Path(tempfile.mkdtemp(prefix="bench-annual-")) / "demo.sqlite"
    if path.exists() and members_in(path):
        print(f"reusing {path} ({members_in(path)} members)")
    else:
        seconds = build_demo(path, args.members, args.today)
        print(f"built {path}: demo with {args.members} members on {args.today} in {seconds:.1f} s")
    start = time.perf_counter()
    if top_up(path, args.year, args.today):
        print(f"topped up with the {args.year} records in {time.perf_counter() - start:.1f} s")
    print("holds:", counts(path, args.year))
    print(f"cpus: {os.cpu_count()}")

    from app.database import open_app_database

    out = args.keep or Path(tempfile.mkdtemp(prefix="bench-annual-out-"))
    out.mkdir(parents=True, exist_ok=True)
    database = open_app_database(path)
    only = set(args.only.split(","))
    rates = {}
    try:
        if args.profile:
            profile_batch(database, args.year, args.today, out / "profile.pdf")
        if "batch" in only:
            results = [run_batch(database, args.year, args.today, out / "batch.pdf", False) for _ in range(args.runs)]
            rates["batch"] = report("one PDF, no contents", results, BATCH_PAGES_S)
        if "per-member" in only:
            results = [run_per_member(database, args.year, args.today, out / "members", args.workers)
                       for _ in range(args.runs)]
            rates["per-member"] = report(f"per member, {args.workers} workers", results, PER_MEMBER_PAGES_S)
        if "toc" in only:
            results = [run_batch(database, args.year, args.today, out / "toc.pdf", True) for _ in range(args.runs)]
            rates["toc"] = report("one PDF with contents", results, None)
    finally:
        database.close()
    print("\ntargets:")
    if "batch" in rates:
        print(f"  one PDF ≥ {BATCH_PAGES_S:.0f} pages/s: {rates['batch']:.1f} — "
              f"{'met' if rates['batch'] >= BATCH_PAGES_S else 'MISSED'}")
    if "per-member" in rates:
        print(f"  per member ≥ {PER_MEMBER_PAGES_S:.0f} pages/s: {rates['per-member']:.1f} — "
              f"{'met' if rates['per-member'] >= PER_MEMBER_PAGES_S else 'MISSED'}")
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
