"""Start-up benchmark: whole process, from launch to the filled main window (then exit).

    python bench/startup.py [--runs 9]

Generates the demo community in a temporary folder, then times, as separate processes:
- ``bare``: a bare PySide6 window shown and grabbed (the floor for any Qt program here);
- ``gui``: ``python -m app gui --db DEMO --page workbench --screenshot OUT.png`` — opens the
  database (one SELECT, no migration), builds the main window, fills the 工作台, grabs it, quits.
Prints the median and min/max of each, in seconds: the whole process (exit included), and for
``gui`` the time from launch to the grabbed, filled window as the program itself reports it.
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

BARE = (
    "import sys; from PySide6.QtWidgets import QApplication, QLabel;"
    "app = QApplication(sys.argv); w = QLabel('党组织'); w.resize(1280, 800); w.show();"
    "app.processEvents(); w.grab().save(sys.argv[1])"
)


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float | None]:
    """(whole process, launch to filled window as the program reports it) in seconds."""
    start = time.perf_counter()
    env = dict(env, DANGJIAN_LAUNCHED_AT=repr(time.time()))
    result = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    whole = time.perf_counter() - start
    filled = [line.split()[1] for line in result.stderr.splitlines() if line.startswith("filled-window-seconds")]
    return whole, float(filled[0]) if filled else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DANGJIAN_DATA_DIR=str(work / "data"))
    demo = work / "demo.sqlite"
    subprocess.run([sys.executable, "-m", "app", "demo", "--db", str(demo)], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    cases = {
        "bare": [sys.executable, "-c", BARE, str(work / "bare.png")],
        "gui": [sys.executable, "-m", "app", "gui", "--db", str(demo), "--page", "workbench",
                "--screenshot", str(work / "gui.png")],
    }
    for case in cases.values():  # warm the file cache once
        timed(case, env)
    for name, cmd in cases.items():
        runs = [timed(cmd, env) for _ in range(args.runs)]
        for label, samples in (("whole process", [w for w, _ in runs]),
                               ("launch to filled window", [f for _, f in runs if f is not None])):
            if samples:
                print(f"{name:5s} {label:24s} median {statistics.median(samples):.3f} s  "
                      f"(min {min(samples):.3f}, max {max(samples):.3f}, n={len(samples)})")


if __name__ == "__main__":
    main()
