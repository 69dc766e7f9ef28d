"""星级党员证书 benchmark: a batch of certificates rendered on plain paper (the whole design drawn) and, for
comparison, on pre-printed paper (the fields only).

    python bench/reports_certificates.py [--count 200] [--runs 5] [--keep DIR] [--db PATH --year 2025]
                                         [--profile]

The certificates are plain data (the renderer never sees a session): ``--count`` members with names
drawn from common surnames and given names, one in twenty a long ethnic-minority name (shrunk to fit) and
one in twenty with a rare character from CJK Extension A/B (䶮 𠮷 㛃, set in the fallback font), four or
five stars, numbers ``2025-0001`` on. With ``--db`` (a file whose ``--year`` is approved) the batch is
collected from it instead (``collect_certificates``), and the collection is timed too.

It measures, with the user data in a temporary folder and after one warm-up run (font registration), the
median and the minimum over ``--runs`` runs of ``render_certificates`` writing one PDF:
- ``plain``: target 3 s for 200 certificates;
- ``preprinted`` (reported).
Set ``DANGJIAN_SYSTEM_FONTS_DIR`` to a folder holding a 楷体 (simkai.ttf, or ukai.ttc on Linux) to time
with the system font the certificates prefer. ``--profile`` prints a cProfile summary of one plain run.
On a 2-core machine another busy process moves the medians by half: compare the minimums too.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PLAIN_S = 3.0  # for 200 certificates
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "建国秀英志强丽华明军桂兰海燕玉梅文杰春生晓东红霞德胜淑珍立新永红金凤国强凤英丽娟宏伟小平雪梅"
LONG_NAMES = ("阿卜杜热合曼·买买提依明·艾则孜·托合提", "古丽巴哈尔·阿不都热依木·吐尔逊", "扎西尼玛·次仁多吉·格桑平措")
RARE = ("李䶮", "𠮷祥", "王㛃", "张喆", "刘堃", "陈䶮明")


def batch(count: int, seed: int = 0):
    from app.reports.certificate import CertificateBatch, CertificateItem

    rng = random.Random(seed)
    approved = date(2026, 1, 20)
    items = []
    for n in range(1, count + 1):
        if n % 20 == 7:
            name = LONG_NAMES[n % len(LONG_NAMES)]
        elif n % 20 == 13:
            name = RARE[n % len(RARE)]
        else:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        items.append(CertificateItem(name, rng.choice((4, 5, 5)), 2025, f"2025-{n:04d}", "第一网格党支部",
                                     "中共幸福里社区委员会", approved))
    return CertificateBatch(2025, tuple(items), approved)


def from_db(path: Path, year: int):
    from app.database import open_app_database
    from app.reports.certificate import collect_certificates

    database = open_app_database(path)
    try:
        start = time.perf_counter()
        with database.read() as session:
            found = collect_certificates(session, year)
        print(f"collect_certificates: {len(found.items)} certificates in {time.perf_counter() - start:.2f} s")
        return found
    finally:
        database.close()


def timed(call, runs: int) -> list[float]:
    call()  # warm-up: fonts registered, modules imported
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="write the PDFs into this folder and keep them")
    parser.add_argument("--db", type=Path, help="collect the batch from this database")
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DANGJIAN_DATA_DIR", tempfile.mkdtemp(prefix="dangjian-bench-"))

    from app.reports.base import preferred_font
    from app.reports.certificate import render_certificates

    certificates = from_db(args.db, args.year) if args.db else batch(args.count)
    count = len(certificates.items)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="dangjian-certificates-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{count} certificates, font {preferred_font('kai')!r}, {args.runs} runs after a warm-up")

    results = {}
    for paper in ("plain", "preprinted"):
        out = folder / f"certificates-{paper}.pdf"
        times = timed(lambda out=out, paper=paper: render_certificates(certificates, out, paper=paper), args.runs)
        results[paper] = times
        size = out.stat().st_size / 1024
        print(f"{paper:>10}: median {statistics.median(times):.2f} s, min {min(times):.2f} s "
              f"({count / statistics.median(times):.0f} pages/s, {size:.0f} KiB)")
    target = PLAIN_S * count / 200
    median = statistics.median(results["plain"])
    print(f"plain target {target:.1f} s for {count}: {'met' if median <= target else 'MISSED'}")
    if args.keep:
        print(f"kept in {folder}")

    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        render_certificates(certificates, folder / "profile.pdf")
        profile.disable()
        stream = io.StringIO()
        pstats.Stats(profile, stream=stream).sort_stats("cumulative").print_stats(20)
        print(stream.getvalue())
    return 0 if median <= target else 1


if __name__ == "__main__":
    sys.exit(main())
