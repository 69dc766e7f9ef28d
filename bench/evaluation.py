"""星级评定 benchmark: the scoring grid (评分表) and the year's records over a 3,000-member community.

    python bench/evaluation.py [--db PATH] [--members 3000] [--runs 9] [--edits 41] [--facts-runs 5]
                               [--today YYYY-MM-DD] [--profile]

Builds the demo community (``python -m app demo --db FILE --members N --today T``, in a separate process)
in a temporary folder, or reuses ``--db`` when that file already holds members (a new ``--db`` is built
there and kept). The demo brings a realistic tree (党委, several 党支部 with their 党小组), members, 三会一课
with attendance, 党费 payments for the last 18 months, and (as it grows) its own 年度记实 and evaluation.
Then, once per file, the year before T is opened with the default scheme (``app.evaluation_year.open_year``;
unlocked when the demo approved it, since edits are timed) and what it lacks is filled by bulk inserts (a
benchmark's own file: the application's checks are not needed to write it), each kind of row only when the
year has none of it: every cell for 92 % of the participants, some cells for 4 %, nothing for the rest;
民主评议 grades for the 正式党员 (about one in five 优秀); star adjustments with reasons for 1 %; volunteer
hours (0–6 entries a member); a few quarter summaries; and a 党费 base for every member without one (so that
the facts count months in arrears).

Then, with Qt offscreen and the user data in a temporary folder, it measures (medians after one warm-up):
1. ``grid open``: ``ScoreGrid.load(year)`` on a shown 1280×700 widget until the view is filled —
   ``processEvents()`` and one ``viewport().grab()`` — with its phases: ``grid()`` (the SQL and the rows),
   the model reset and column set-up, the paint. Target 0.5 s.
2. ``one edit``: ``model.setData(index, "15"/"16")`` on a score cell — ``check_score``, ``set_scores`` in one
   unit of work (commit included), ``grid_row`` for that row, the row's ``dataChanged`` — alternating values
   on rows spread through the grid, with ``processEvents()`` (the repaint) after each; and, for comparison,
   ``grid_row`` alone and ``set_scores`` alone (one cell, one unit of work). Target 16 ms.
3. ``year facts``: ``app.evaluation_records.year_facts(session, year, ids)`` for every participant (what
   the 支部评定 pre-fill reads). Target 2 s. There is no bulk year-record function; ``year_record`` for 100
   members is timed and scaled to all of them, for information.
Each line gives the wall-clock median, minimum and maximum and the median CPU time of this process (on a
shared machine the wall clock stretches with the others' load, the CPU time much less).
``--profile`` prints a cProfile summary of one more run of each measurement that missed its target; for a
sampling profile run ``py-spy record -f raw -o OUT -- python bench/evaluation.py --db FILE``.
On a 2-core machine another busy process moves the medians by half: compare the minimums too.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.ledger import members_in  # noqa: E402  (after the path set-up)

OPEN_MS = 500.0
EDIT_MS = 16.0
FACTS_MS = 2000.0
FULL, SOME = 0.92, 0.04  # shares of participants with every cell, with some cells
ACTIVITIES = ("社区环境整治", "助老服务", "政策宣讲", "垃圾分类引导", "疫苗接种服务", "文明交通劝导", "关爱儿童")


# ---------------------------------------------------------------- the data


def build_demo(path: Path, members: int, today: date) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "app", "demo", "--db", str(path), "--members", str(members),
                    "--today", today.isoformat()], cwd=ROOT, env=os.environ.copy(), check=True, capture_output=True)
    return time.perf_counter() - start


def fill_year(database, year: int, today: date, seed: int = 11) -> dict[str, int]:
    """Open ``year`` and fill what it lacks (see the module's notes): each kind of row only when the year
    has none of it yet, so a file is filled once and a demo that brings its own evaluation keeps it. An
    approved year is unlocked (the edits are timed). Returns what was added."""
    from sqlalchemy import func, insert, select

    from app import evaluation_year as ey
    from app.evaluation import BASIC, EXCELLENT, FAIL, PASS
    from app.evaluation_records import Q1, Q2, Q3, Q4
    from db.models import (
        AnnualNote,
        EvaluationGrade,
        EvaluationScore,
        MemberDuesBase,
        StarAdjustment,
        VolunteerService,
    )

    rng = random.Random(seed)
    added: dict[str, int] = {}
    with database.unit_of_work("bench: fill the year") as session:
        ey.open_year(session, year, today=today)
        if ey.is_locked(session, year):
            ey.unlock(session, year, "bench/evaluation.py：评分表编辑计时")
            added["unlocked"] = 1

        def has(model, *where) -> bool:
            return bool(session.scalar(select(func.count()).select_from(model).where(*where)))

        start, end = date(year, 1, 1), date(year, 12, 31)
        wanted = {
            "scores": not has(EvaluationScore, EvaluationScore.year == year),
            "grades": not has(EvaluationGrade, EvaluationGrade.year == year),
            "adjustments": not has(StarAdjustment, StarAdjustment.year == year),
            "volunteer": not has(VolunteerService, VolunteerService.served_on.between(start, end)),
            "notes": not has(AnnualNote, AnnualNote.year == year),
        }
        people = ey.participants(session, year)
        cells = ey.scheme(session, year).cells()
        with_base = set(session.scalars(select(MemberDuesBase.member_id).distinct()))
        rows: dict[str, list[dict]] = {name: [] for name in (*wanted, "dues bases")}
        for p in people:
            luck = rng.random()
            level = rng.gauss(16.5, 1.8)  # a member's usual score of 20
            chosen = cells if luck < FULL else rng.sample(cells, rng.randint(1, len(cells) - 1)) \
                if luck < FULL + SOME else []
            for criterion, evaluator in chosen:
                tenths = round(min(max(level + rng.gauss(0, 1.2), 8), 20) * 10)
                rows["scores"].append(dict(year=year, member_id=p.member_id, criterion=criterion,
                                           evaluator=evaluator, score_tenths=tenths))
            if p.graded and rng.random() < 0.97:
                grade = rng.choices((EXCELLENT, PASS, BASIC, FAIL), (20, 75, 4, 1))[0]
                rows["grades"].append(dict(year=year, member_id=p.member_id, grade=grade, decided_on=date(year, 12, 20)))
            if rng.random() < 0.01:
                rows["adjustments"].append(dict(year=year, member_id=p.member_id, stars=rng.randint(2, 5),
                                                reason="支部委员会研究决定：年内表现突出（测试数据）", made_by="bench"))
            for _ in range(rng.choice((0, 0, 1, 2, 3, 4, 6))):
                day = start + timedelta(days=rng.randint(0, 364))
                rows["volunteer"].append(dict(member_id=p.member_id, served_on=day, activity=rng.choice(ACTIVITIES),
                                              hours_tenths=rng.choice((10, 15, 20, 30, 40)), note="",
                                              created_at=datetime(year, 12, 31, 9)))
            for kind in (Q1, Q2, Q3, Q4):
                if rng.random() < 0.3:
                    rows["notes"].append(dict(member_id=p.member_id, year=year, kind=kind, written_by="bench",
                                              text="按时参加组织生活，完成志愿服务。", written_on=end,
                                              updated_at=datetime(year, 12, 31, 9)))
            if p.member_id not in with_base:  # a dues base, so that year_facts counts arrears
                retired = rng.random() < 0.4
                rows["dues bases"].append(dict(
                    member_id=p.member_id, effective_from=max(date(2020, 1, 1), p.joined_on.replace(day=1)),
                    category="离退休" if retired else "在职", farmer_amount_fen=None, note="",
                    base_fen=rng.randint(250_000, 800_000) if retired else rng.randint(300_000, 1_500_000),
                    created_at=datetime(year, 1, 1, 9)))
        models = {"scores": EvaluationScore, "grades": EvaluationGrade, "adjustments": StarAdjustment,
                  "volunteer": VolunteerService, "notes": AnnualNote, "dues bases": MemberDuesBase}
        for name, model in models.items():
            if not wanted.get(name, True) or not rows[name]:
                continue
            for first in range(0, len(rows[name]), 5000):
                session.execute(insert(model), rows[name][first:first + 5000])
            added[name] = len(rows[name])
    if added:
        with database.engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
    return added


def counts(database, year: int) -> str:
    from sqlalchemy import func, select

    from db.models import (
        DuesPayment,
        EvaluationGrade,
        EvaluationScore,
        Meeting,
        MeetingAttendee,
        Member,
        Organization,
        VolunteerService,
    )

    with database.read() as session:
        def n(model, *where) -> int:
            return session.scalar(select(func.count()).select_from(model).where(*where))

        return (f"members {n(Member)}, organisations {n(Organization)}, meetings {n(Meeting)}, attendance rows "
                f"{n(MeetingAttendee)}, dues payments {n(DuesPayment)}, volunteer rows {n(VolunteerService)}; "
                f"{year}: scores {n(EvaluationScore, EvaluationScore.year == year)}, grades "
                f"{n(EvaluationGrade, EvaluationGrade.year == year)}")


# ---------------------------------------------------------------- measuring


class Samples(list):
    """Wall-clock milliseconds (the list) and this process's CPU milliseconds (``cpu``) of each run: on a
    machine shared with other busy processes the wall clock stretches, the CPU time much less."""

    def __init__(self) -> None:
        super().__init__()
        self.cpu: list[float] = []

    @contextlib.contextmanager
    def run(self, keep: bool = True) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        if keep:
            self.append((time.perf_counter() - wall) * 1000)
            self.cpu.append((time.process_time() - cpu) * 1000)


def timed(run: Callable[[], object], runs: int) -> tuple[Samples, object]:
    result = run()  # warm-up: page cache, prepared statements
    samples = Samples()
    for _ in range(runs):
        with samples.run():
            result = run()
    return samples, result


def line(label: str, samples: list[float], extra: str = "", target: float | None = None) -> str:
    median = statistics.median(samples)
    mark = "" if target is None else ("  met" if median <= target else "  MISSED")
    goal = f"  target {target:.0f} ms" if target is not None else ""
    cpu = f"  cpu {statistics.median(samples.cpu):7.1f}" if getattr(samples, "cpu", None) else ""
    return (f"{label:34s} median {median:8.1f} ms  min {min(samples):8.1f}  max {max(samples):8.1f}{cpu}"
            f"  (n={len(samples)}){extra}{goal}{mark}")


def profile(label: str, run: Callable[[], object]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(22)
    print(f"\ncProfile — {label}\n{out.getvalue()}")


class GridBench:
    """A shown ScoreGrid, offscreen, with ``grid()`` timed inside ``load``."""

    def __init__(self, database) -> None:
        from app import evaluation_year as ey
        from ui.application import create_application
        from ui.evaluation.grid import ScoreGrid

        self.app = create_application()
        self.spent = 0.0
        original = ey.grid

        def grid(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - start

        ey.grid = grid  # the widget calls it through the module
        self.widget = ScoreGrid(database)
        self.widget.resize(1280, 700)
        self.widget.show()
        self.app.processEvents()

    def load(self, year: int) -> tuple[float, tuple[float, float, float], float]:
        """(total, (grid(), the rest of load, paint), total CPU) in ms."""
        self.spent = 0.0
        cpu = time.process_time()
        start = time.perf_counter()
        self.widget.load(year)
        loaded = time.perf_counter()
        self.app.processEvents()
        self.widget.view.viewport().grab()
        end = time.perf_counter()
        phases = (self.spent * 1000, (loaded - start - self.spent) * 1000, (end - loaded) * 1000)
        return (end - start) * 1000, phases, (time.process_time() - cpu) * 1000


def measure_grid(database, year: int, runs: int, edits: int, want_profile: bool) -> dict[str, float]:
    from app import evaluation_year as ey
    from app.evaluation import score_from_tenths
    from ui.evaluation.grid import FIRST_SCORE

    bench = GridBench(database)
    cold = bench.load(year)
    loads = [bench.load(year) for _ in range(runs)]
    model = bench.widget.model
    rows = model.rowCount()
    print(f"\nthe grid: {rows} rows × {model.columnCount()} columns ({len(model.layout.cells)} score cells), "
          f"{model.complete_count()} complete; widget 1280×700")
    phases = [statistics.median(p[i] for _, p, _ in loads) for i in range(3)]
    opened = Samples()
    opened.extend(t for t, _, _ in loads)
    opened.cpu.extend(c for _, _, c in loads)
    first = Samples()
    first.append(cold[0])
    first.cpu.append(cold[2])
    print(line("grid open, cold (first load)", first,
               "  [grid() {:.0f}, reset {:.0f}, paint {:.0f} ms]".format(*cold[1])))
    print(line("grid open (load → view filled)", opened,
               "  [grid() {:.0f}, reset {:.0f}, paint {:.0f} ms]".format(*phases), OPEN_MS))

    # one edit: rows spread through the grid, the first score cell, alternating values
    picks = [round(i * (rows - 1) / max(edits - 1, 1)) for i in range(edits)]
    edit_samples, errors = Samples(), []
    model.error.connect(errors.append)
    for n, row in enumerate([picks[0], *picks]):  # the first is a warm-up
        index = model.index(row, FIRST_SCORE)
        value = "15" if model.data(index) != "15" else "16"
        with edit_samples.run(keep=n > 0):
            ok = model.setData(index, value)
            bench.app.processEvents()
        assert ok, errors[-1] if errors else "setData refused"
    member_ids = [model.rows[r].member_id for r in picks]
    cell = model.cell_of(FIRST_SCORE)
    row_samples, write_samples = Samples(), Samples()
    with database.read() as session:
        for n, member_id in enumerate([member_ids[0], *member_ids]):
            with row_samples.run(keep=n > 0):
                ey.grid_row(session, year, member_id)
    for n, member_id in enumerate([member_ids[0], *member_ids]):
        tenths = model.rows[model.row_of(member_id)].scores.get(cell)
        with write_samples.run(keep=n > 0), database.unit_of_work("bench: one score") as session:
            ey.set_scores(session, year, [(member_id, *cell, score_from_tenths(tenths) if tenths else None)])
    print(line("one edit (setData → row repainted)", edit_samples, target=EDIT_MS))
    print(line("  grid_row alone", row_samples))
    print(line("  set_scores alone (1 cell, commit)", write_samples))
    print(f"  undo steps recorded: {bench.widget.undo_stack.count()}")

    if want_profile:
        if statistics.median(opened) > OPEN_MS:
            profile("ScoreGrid.load", lambda: bench.load(year))
        if statistics.median(edit_samples) > EDIT_MS:
            def edit() -> None:
                index = model.index(picks[len(picks) // 2], FIRST_SCORE)
                model.setData(index, "15" if model.data(index) != "15" else "16")
                bench.app.processEvents()
            profile("one edit", edit)
    bench.widget.hide()
    return {"open": statistics.median(opened), "edit": statistics.median(edit_samples),
            "open cpu": statistics.median(opened.cpu), "edit cpu": statistics.median(edit_samples.cpu)}


def measure_facts(database, year: int, today: date, runs: int, want_profile: bool) -> tuple[float, float]:
    from app import evaluation_records as records
    from app import evaluation_year as ey

    with database.read() as session:
        ids = [p.member_id for p in ey.participants(session, year)]
        samples, facts = timed(lambda: records.year_facts(session, year, ids, today=today), runs)
        rated = sum(1 for f in facts.values() if f.attendance_rate is not None)
        hours = sum(1 for f in facts.values() if f.volunteer_hours_tenths)
        arrears = sum(1 for f in facts.values() if f.months_in_arrears)
        print(f"\nyear facts of {len(ids)} participants: {rated} with meetings held, {hours} with volunteer hours, "
              f"{arrears} with dues in arrears")
        print(line("year_facts (every participant)", samples, target=FACTS_MS))
        sample = ids[:: max(len(ids) // 100, 1)][:100]
        start = time.perf_counter()
        for member_id in sample:
            records.year_record(session, member_id, year, today=today)
        each = (time.perf_counter() - start) * 1000 / len(sample)
        print(f"{'year_record, one member':34s} {each:8.1f} ms each over {len(sample)} members "
              f"(≈ {each * len(ids) / 1000:.1f} s for all {len(ids)}; no bulk year-record function)")
        if want_profile and statistics.median(samples) > FACTS_MS:
            profile("year_facts", lambda: records.year_facts(session, year, ids, today=today))
    return statistics.median(samples), statistics.median(samples.cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a demo database to reuse (built there when it has no members)")
    parser.add_argument("--members", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--edits", type=int, default=41)
    parser.add_argument("--facts-runs", type=int, default=5)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--profile", action="store_true", help="cProfile what missed its target")
    args = parser.parse_args()

    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["DANGJIAN_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-evaluation-data-")
    path = args.db or Path(tempfile.mkdtemp(prefix="bench-evaluation-")) / "demo.sqlite"
    if path.exists() and members_in(path):
        print(f"reusing {path} ({members_in(path)} members)")
    else:
        seconds = build_demo(path, args.members, args.today)
        print(f"built {path}: demo with {args.members} members on {args.today} in {seconds:.1f} s")
    year = args.today.year - 1

    from app.database import open_app_database

    database = open_app_database(path)
    try:
        start = time.perf_counter()
        filled = fill_year(database, year, args.today)
        if filled:
            print(f"filled {year} in {time.perf_counter() - start:.1f} s, added: "
                  + ", ".join(f"{k} {v}" for k, v in filled.items()))
        print("holds:", counts(database, year))
        grid = measure_grid(database, year, args.runs, args.edits, args.profile)
        facts = measure_facts(database, year, args.today, args.facts_runs, args.profile)
    finally:
        database.close()
    verdict = {True: "met", False: "MISSED"}
    print("\ntargets (medians; the CPU time of this process beside, for a machine that was busy):")
    for label, (wall, cpu), target in (("grid open ≤ 500 ms", (grid["open"], grid["open cpu"]), OPEN_MS),
                                       ("one edit ≤ 16 ms", (grid["edit"], grid["edit cpu"]), EDIT_MS),
                                       ("year facts ≤ 2 s", facts, FACTS_MS)):
        print(f"  {label:24s} {wall:8.1f} ms (cpu {cpu:7.1f} ms) — {verdict[wall <= target]}")


if __name__ == "__main__":
    main()
