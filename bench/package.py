"""Measures an existing PyInstaller build (builds nothing): folder size and start-up time.

    pyinstaller --noconfirm build.spec
    python bench/package.py [--dist dist/dangjian] [--runs 7]

Prints the size of the folder in MB, then — like bench/startup.py, but for the built program —
generates the demo community with ``dangjian-cli demo`` in a temporary folder and times, as
separate processes, ``dangjian-cli gui --db DEMO --page workbench --screenshot OUT.png``: the
median and min/max of the whole process and of the time from launch to the filled window as the
program itself reports it (``filled-window-seconds``, from ``DANGJIAN_LAUNCHED_AT``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def folder_mb(folder: Path) -> float:
    """Bytes of the regular files under ``folder`` (symbolic links not followed), in MB (2**20)."""
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
    return total / 2**20


def program(dist: Path) -> Path:
    name = "dangjian-cli.exe" if sys.platform.startswith("win") else "dangjian-cli"
    return dist / name


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float | None]:
    """(whole process, launch to filled window as the program reports it) in seconds."""
    start = time.perf_counter()
    env = dict(env, DANGJIAN_LAUNCHED_AT=repr(time.time()))
    result = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, encoding="utf-8",
                            errors="replace")
    whole = time.perf_counter() - start
    filled = [line.split()[1] for line in result.stderr.splitlines() if line.startswith("filled-window-seconds")]
    return whole, float(filled[0]) if filled else None


def report(label: str, samples: list[float]) -> None:
    if samples:
        print(f"{label:24s} median {statistics.median(samples):.3f} s  "
              f"(min {min(samples):.3f}, max {max(samples):.3f}, n={len(samples)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist" / "dangjian", help="the built folder")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    exe = program(args.dist)
    if not exe.is_file():
        print(f"找不到 {exe}：请先运行 pyinstaller --noconfirm build.spec", file=sys.stderr)
        return 1

    print(f"folder {args.dist}: {folder_mb(args.dist):.1f} MB")

    work = Path(tempfile.mkdtemp(prefix="bench-package-"))
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               DANGJIAN_DATA_DIR=str(work / "data"))
    demo = work / "demo.sqlite"
    subprocess.run([str(exe), "demo", "--db", str(demo)], env=env, check=True, capture_output=True)
    cmd = [str(exe), "gui", "--db", str(demo), "--page", "workbench", "--screenshot", str(work / "gui.png")]
    timed(cmd, env)  # warm the file cache once
    runs = [timed(cmd, env) for _ in range(args.runs)]
    report("whole process", [whole for whole, _ in runs])
    report("launch to filled window", [filled for _, filled in runs if filled is not None])
    try:
        load = os.getloadavg()[0]
        print(f"load average (1 min) after the runs: {load:.2f} on {os.cpu_count()} CPUs")
    except (AttributeError, OSError):  # not on Windows
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
