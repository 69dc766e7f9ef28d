"""档案打印 GUI benchmark: does the window stay responsive (no freeze over 100 ms) while the page works?

    python bench/reports_gui.py [--db PATH] [--members 1000] [--year 2025] [--runs 3] [--preview-runs 5]
                                [--show-runs 3] [--only show,preview,batch,per-member,certificates]
                                [--min-stars N] [--stall-ms 50] [--gc default|unfrozen|off] [--keep DIR]

Builds the demo community (``python -m app demo --db FILE --members N``, in a separate process) in a
temporary folder, or reuses ``--db`` when that file already holds members (a new ``--db`` is built there
and kept). The demo's last year (``--year``, 2025) is approved, with certificate numbers. Then, in this one
process, with Qt offscreen and the user data in a temporary folder (``DANGJIAN_DATA_DIR``), it builds a real
``MainWindow`` at 1280×800 and drives the 档案打印 page (``ui/reports/page.py``) as a user would: from inside
a running event loop (a single-shot timer calls the action, as a click's slot is called), with
``QFileDialog`` answering a path at once and ``QMessageBox`` recording its text instead of blocking.

Throughout each case a ``QTimer`` (precise, every 10 ms) on the GUI thread records its ticks; the gaps
between them are how long the GUI thread could not handle an event. Per case: the longest gap, the 99th
percentile, and the number of gaps over 100 ms (a freeze, against the issue's "the UI stays responsive
throughout"), over the case's own span — from the action's start to its return (the show and the
previews: until the preview has arrived). The ticks are counted
while the progress dialog of ``ui/worker.py`` is up (it is modal, ``run_with_progress`` runs a local
``QEventLoop``): they must keep coming (a nested loop dispatches timers).
- ``show``: the first show of the page (a click on 档案打印 in the navigation, ``reload()``, the paint, then
  the preview of the first document, rendered in the page's preview thread, until its pages are shown) —
  cold (the first in the process: ReportLab, fonts, warmed in that thread) and the median over
  ``--show-runs`` freshly built windows; phases: ``painted`` (the click to the page painted), ``gui`` (the
  preview's part in the GUI thread), ``sample`` and ``raster`` (in the preview thread);
- ``preview``: what happens when an option changes: the year, then each document in turn; the page's own
  350 ms timer then starts the preview, rendered in the preview thread, until the page's ``preview_ready``.
  Its duration (from ``preview()`` to the pages shown) is split into ``sample`` (collect and render the
  sample PDF, ``documents.render_sample``, in the thread), ``raster`` (pdfium, the first pages as images, in
  the thread), ``pane`` (the GUI thread: scaling, labels) and the rest (waiting: the thread, the queued
  signal); ``delay`` is the page's timer; median over ``--preview-runs``;
- ``batch``: 保存 PDF of 党员年度档案 for everyone in ``--year``, one PDF;
- ``per-member``: the same, 每人一个 PDF into a folder (the page's 2 worker processes);
- ``certificates``: 保存 PDF of 星级党员证书 of ``--year`` (all, or ``--min-stars``), one PDF.
The three batches run ``--runs`` times each; their rows give medians (the longest gap: the worst run too) and
the pages per second as the user sees it (the whole action, dialog included; pages counted with pypdf).
Each batch is split into phases: ``pre`` (GUI thread, from the action to the worker's start), ``collect`` and
``render`` (in the worker), ``post`` (GUI thread, after the worker), with the cyclic garbage collections of
5 ms or more (``gc.callbacks``: a collection holds the GIL, so the GUI thread waits for it whichever thread
runs it) and the process's RSS (before, peak, after). A watchdog thread samples the GUI thread's Python stack
whenever it has not ticked for ``--stall-ms`` (an in-process py-spy; no sample at all means the watchdog could
not run either: another thread held the GIL), and every gap over 100 ms is listed with its phase, the
collections in it and where the GUI thread was. ``gc.collect()`` of the app at rest is timed too.
The page freezes the collector's view of the objects alive at a job's start (``ui.worker.frozen_gc``: the
batches, the preview, the warm-up) and, in a batch, again after the collect; ``--gc unfrozen`` turns that
off (as before it was added), ``--gc off`` disables the collector during a batch instead — see
``Bench._gc_policy``. For a sampling profile of the whole run:
``py-spy record -r 200 -f speedscope -o OUT.json -- python bench/reports_gui.py --db FILE --only batch``.
The load average is printed: on a 2-core machine a busy neighbour lengthens the gaps.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.ledger import members_in  # noqa: E402  (after the path set-up)

TICK_MS = 10
FREEZE_MS = 100.0
SETTLE_MS = 150  # the event loop runs this long after a case, so the last gap is closed by a tick
CASES = ("show", "preview", "batch", "per-member", "certificates")


def build_demo(path: Path, members: int) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "app", "demo", "--db", str(path), "--members", str(members)],
                   cwd=ROOT, env=os.environ.copy(), check=True, capture_output=True)
    return time.perf_counter() - start


def rss_mb() -> dict[str, float]:
    """VmRSS and VmHWM (the peak) of this process, MB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def reset_peak() -> None:
    """VmHWM set back to the current RSS (Linux: clear_refs 5), so a batch's own peak is read."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def full_collection(runs: int = 3) -> tuple[int, float]:
    """(objects tracked, median ms of ``gc.collect()``): what any full collection costs the app at rest."""
    objects = len(gc.get_objects())
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        gc.collect()
        times.append((time.perf_counter() - start) * 1000)
    return objects, statistics.median(times)


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# ---------------------------------------------------------------- probes


@dataclass
class Mark:
    name: str
    start: float
    end: float
    gui: bool = True  # on the GUI thread (else a worker thread)


class Marks:
    """Intervals of the page's functions (wrapped module or instance attributes), from any thread."""

    def __init__(self) -> None:
        self.items: list[Mark] = []
        self.lock = threading.Lock()
        self.gui = threading.get_ident()
        self.collecting: dict[int, float] = {}
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict) -> None:
        """Each cyclic garbage collection of 5 ms or more, any generation (it holds the GIL throughout: every
        other thread waits)."""
        thread = threading.get_ident()
        if phase == "start":
            self.collecting[thread] = time.perf_counter()
        elif thread in self.collecting:
            start, end = self.collecting.pop(thread), time.perf_counter()
            if end - start >= 0.005:
                with self.lock:
                    self.items.append(Mark(f"gc{info.get('generation')}", start, end, thread == self.gui))

    def wrap(self, owner, attr: str, name: str) -> None:
        original = getattr(owner, attr)

        def wrapped(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                with self.lock:
                    self.items.append(Mark(name, start, time.perf_counter(), threading.get_ident() == self.gui))

        setattr(owner, attr, wrapped)

    def between(self, start: float, end: float, name: str | None = None) -> list[Mark]:
        with self.lock:
            return [m for m in self.items if m.end >= start and m.start <= end and (name is None or m.name == name)]

    def total(self, start: float, end: float, name: str) -> float:
        return sum(m.end - m.start for m in self.between(start, end, name))


class Ticks:
    """A precise 10 ms QTimer on the GUI thread recording when it fires, and a watchdog thread sampling the
    GUI thread's stack while it has not fired for ``stall_ms``."""

    def __init__(self, stall_ms: float) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.times: list[float] = []
        self.modal: list[bool] = []  # whether a modal widget (the progress dialog) was up at the tick
        self.samples: list[tuple[float, tuple[str, ...]]] = []  # (when, the GUI thread's stack, innermost last)
        self.stall_s = stall_ms / 1000
        self.last = time.perf_counter()
        self.running = False
        self.gui = threading.get_ident()
        self.watchdog = threading.Thread(target=self._watch, name="bench-watchdog", daemon=True)
        self.watchdog.start()

    def _tick(self) -> None:
        from PySide6.QtWidgets import QApplication

        self.last = now = time.perf_counter()
        self.times.append(now)
        self.modal.append(QApplication.activeModalWidget() is not None)

    def start(self) -> None:
        self.times, self.modal, self.samples = [], [], []
        self.last = time.perf_counter()
        self.times.append(self.last)
        self.modal.append(False)
        self.running = True
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        self.running = False

    def _watch(self) -> None:
        while True:
            time.sleep(0.01)
            if not self.running or time.perf_counter() - self.last < self.stall_s:
                continue
            frame = sys._current_frames().get(self.gui)
            if frame is not None:
                stack = tuple(f"{_short(f.filename)}:{f.lineno} {f.name}" for f in traceback.extract_stack(frame))
                self.samples.append((time.perf_counter(), stack))

    def gaps(self, start: float, end: float) -> list[tuple[float, float]]:
        """(from, to) of every interval between two ticks that overlaps [start, end]."""
        return [(a, b) for a, b in zip(self.times, self.times[1:], strict=False) if b >= start and a <= end]

    def modal_ticks(self, start: float, end: float) -> int:
        return sum(1 for t, m in zip(self.times, self.modal, strict=True) if m and start <= t <= end)

    def where(self, start: float, end: float) -> str:
        """Where the GUI thread was in the samples taken within [start, end], the most frequent first."""
        found = Counter(_blame(stack) for when, stack in self.samples if start <= when <= end)
        total = sum(found.values())
        if not total:
            return "no sample: another thread held the GIL"
        return "; ".join(f"{text} {n * 100 // total}%" for text, n in found.most_common(3))


def _short(filename: str) -> str:
    path = Path(filename)
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        parts = path.parts
        if "site-packages" in parts:
            return "/".join(parts[parts.index("site-packages") + 1:])
        return path.name


def _blame(stack: tuple[str, ...]) -> str:
    """The project's calls below the page's (or the window's) frame: the first and the innermost one, as
    module.function — e.g. ``documents.render_sample › member_roster.collect_roster``; the innermost frame
    when the stack has no project frame below the page's (the event loop, Qt)."""
    def name(entry: str) -> str:
        where, _, function = entry.partition(" ")
        return f"{Path(where.split(':')[0]).stem}.{function}"

    own = [s for s in stack if s.startswith(("app/", "ui/", "db/"))]
    below = own
    for index, entry in enumerate(own):
        if entry.startswith(("ui/reports/page.py", "ui/page.py", "ui/main_window.py", "ui/worker.py")):
            below = own[index + 1:]
    if not below:
        return f"{name(own[-1]) if own else '?'} (in Qt or waiting for the GIL)"
    first, last = name(below[0]), name(below[-1])
    return first if first == last else f"{first} › {last}"


# ---------------------------------------------------------------- results


@dataclass
class Run:
    wall: float  # s, the action (or the preview, the show)
    gaps: list[float]  # ms, the gaps overlapping it
    modal_ticks: int = 0
    pages: int = 0
    phases: dict[str, float] = field(default_factory=dict)  # s
    freezes: list[tuple[float, str]] = field(default_factory=list)  # (ms, where)
    memory: tuple[float, float, float] = (0.0, 0.0, 0.0)  # MB: RSS before, peak during, RSS after

    @property
    def longest(self) -> float:
        return max(self.gaps, default=0.0)

    @property
    def p99(self) -> float:
        if not self.gaps:
            return 0.0
        ordered = sorted(self.gaps)
        return ordered[max(math.ceil(0.99 * len(ordered)) - 1, 0)]

    @property
    def over(self) -> int:
        return sum(1 for g in self.gaps if g > FREEZE_MS)


@dataclass
class Row:
    group: str
    label: str
    runs: list[Run] = field(default_factory=list)
    load: str = ""

    def med(self, get: Callable[[Run], float]) -> float:
        return statistics.median(get(r) for r in self.runs)

    def phase(self, name: str) -> float:
        return self.med(lambda r: r.phases.get(name, 0.0))


# ---------------------------------------------------------------- the bench


class Bench:
    def __init__(self, database, year: int, stall_ms: float, out: Path, min_stars: int | None,
                 gc_policy: str = "default") -> None:
        from PySide6.QtWidgets import QApplication

        self.gc_policy = gc_policy
        self.app = QApplication.instance()
        self.database = database
        self.year = year
        self.out = out
        self.min_stars = min_stars
        self.window = None
        self.marks = Marks()
        self.ticks = Ticks(stall_ms)
        self.messages: list[str] = []
        self._patch()

    # ------------------------------------------------------------ set-up

    def _patch(self) -> None:
        from PySide6.QtWidgets import QFileDialog, QMessageBox

        from ui.reports import documents, printing
        from ui.reports import page as page_module

        if self.gc_policy not in ("default", "freeze"):
            self._gc_policy(documents)

        self.save_to: Path | None = None
        QFileDialog.getSaveFileName = staticmethod(lambda *_a, **_k: (str(self.save_to), "PDF 文件 (*.pdf)"))
        QFileDialog.getExistingDirectory = staticmethod(lambda *_a, **_k: str(self.save_to))
        for kind in ("information", "warning", "critical"):
            setattr(QMessageBox, kind, staticmethod(
                lambda _parent, title, text, *_a, k=kind, **_kw: self.messages.append(f"{k}: {title}: {text}")
                or QMessageBox.StandardButton.Ok))
        self.marks.wrap(page_module, "run_with_progress", "worker")
        for name in ("render_document", "render_per_member", "collect_annual_files", "collect_certificates",
                     "render_sample"):
            self.marks.wrap(documents, name, name)
        self.marks.wrap(printing, "preview_images", "raster")

    def _gc_policy(self, documents) -> None:
        """What-if for the collector: ``unfrozen`` — the page's ``frozen_gc()`` (batches, previews, warm-up)
        and the batches' freeze after the collect do nothing, as before they were added; ``off`` — that, and
        the cyclic collector disabled for a batch (``render_document``, ``render_per_member``).
        (``freeze``, the old what-if, is what the page does now: the same as ``default``.)"""
        from ui import worker
        from ui.reports import page as page_module

        @contextlib.contextmanager
        def unfrozen():
            yield

        class NoFreeze:
            def __getattr__(self, name):
                return (lambda: None) if name == "freeze" else getattr(gc, name)

        for module in (worker, documents, page_module):
            module.frozen_gc = unfrozen
        documents.gc = NoFreeze()
        if self.gc_policy != "off":
            return

        def job(original):
            def wrapped(*args, **kwargs):
                gc.disable()
                try:
                    return original(*args, **kwargs)
                finally:
                    gc.enable()
            return wrapped

        for name in ("render_document", "render_per_member"):
            setattr(documents, name, job(getattr(documents, name)))

    def new_window(self):
        """A freshly built main window at 1280×800, shown on the 工作台 (as the program opens)."""
        from PySide6.QtCore import QEvent

        from ui.main_window import MainWindow

        if self.window is not None:  # hidden, not closed: closing would save its state into ui.ini
            self.window.hide()
            self.window.deleteLater()
            self.app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        window = MainWindow(self.database)
        window.resize(1280, 800)
        window.show_page("workbench")
        window.show()
        self.app.processEvents()
        self.window = window
        return window

    @property
    def page(self):
        return self.window.pages["reports"]

    def wire_page(self) -> None:
        """The page's preview (its start), the preview pane's update and the progress line timed (instance
        attributes: the page looks them up), and the moments the previews arrive (``preview_ready``)."""
        self.marks.wrap(self.page, "preview", "preview")
        self.marks.wrap(self.page.preview_pane, "show_pages", "pane")
        self.marks.wrap(self.page.preview_pane, "show_refusal", "pane")
        self.marks.wrap(self.page, "_count", "count")
        self.ready: list[float] = []
        self.page.preview_ready.connect(lambda _ok: self.ready.append(time.perf_counter()))

    def wait_preview(self, timeout_s: float = 120.0) -> None:
        """The event loop run (untimed) until the page's preview has arrived."""
        deadline = time.perf_counter() + timeout_s
        while self.page.preview_pending and time.perf_counter() < deadline:
            self.app.processEvents()
            time.sleep(0.002)
        assert not self.page.preview_pending, "the preview did not arrive"
        self.app.processEvents()

    # ------------------------------------------------------------ driving

    def drive(self, act: Callable[[], object], done: Callable[[], bool] | None = None,
              timeout_s: float = 3600.0) -> tuple[float, float, object]:
        """``act`` called from the running event loop (as a click's slot is), with the ticks recording;
        then the loop runs on until ``done()`` (if given) and SETTLE_MS more. (start, end, result) of ``act``
        — or, with ``done``, of the span up to the moment it became true."""
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        span: dict[str, object] = {}
        deadline = time.perf_counter() + timeout_s

        def finish() -> None:
            QTimer.singleShot(SETTLE_MS, loop.quit)

        def poll() -> None:
            if done is None or done() or time.perf_counter() > deadline:
                span["end"] = span.get("end") if done is None else time.perf_counter()
                finish()
            else:
                QTimer.singleShot(5, poll)

        def go() -> None:
            span["start"] = time.perf_counter()
            span["result"] = act()
            span["end"] = time.perf_counter()
            poll()

        self.ticks.start()
        QTimer.singleShot(30, go)
        loop.exec()
        self.ticks.stop()
        return span["start"], span["end"], span.get("result")

    def run_of(self, start: float, end: float, label: str) -> Run:
        gaps = self.ticks.gaps(start, end)
        run = Run(end - start, [(b - a) * 1000 for a, b in gaps], self.ticks.modal_ticks(start, end))
        for a, b in gaps:
            if (b - a) * 1000 > FREEZE_MS:
                run.freezes.append(((b - a) * 1000, f"{label}: {self.phase_at(a, b, start, end)}{self.gc_in(a, b)}"
                                                    f" — GUI thread at: {self.ticks.where(a, b)}"))
        return run

    def gc_in(self, a: float, b: float) -> str:
        found = [m for m in self.marks.between(a, b) if m.name.startswith("gc")]
        return "".join(f"; gen-{m.name[2:]} GC {(m.end - m.start) * 1000:.0f} ms in "
                       f"{'the GUI' if m.gui else 'another'} thread" for m in found)

    def phase_at(self, a: float, b: float, start: float, end: float) -> str:
        """The phase a gap (a, b) falls in: the preview, before/after the worker, or the worker's step."""
        if self.marks.between(a, b, "preview") or self.marks.between(a, b, "pane"):
            return "preview (GUI thread)"
        if [m for m in self.marks.between(a, b) if m.name in ("render_sample", "raster") and not m.gui]:
            return "preview rendering in its thread"
        worker = self.marks.between(start, end, "worker")
        if not worker:
            return "GUI thread"
        w = worker[0]
        if b <= w.start or a < w.start:
            return "pre: before the worker starts (GUI thread)"
        if a >= w.end or b > w.end:
            return "post: after the worker (GUI thread)"
        steps = [m.name for m in self.marks.between(a, b) if m.name in ("collect_annual_files",
                                                                         "collect_certificates")]
        step = "collect" if steps else "render"
        counts = len(self.marks.between(a, b, "count"))
        return (f"nested loop, worker in {step} (+{a - w.start:.1f} s of {w.end - w.start:.1f} s)"
                f"{f', {counts} progress updates' if counts else ''}")

    def phases(self, start: float, end: float) -> dict[str, float]:
        worker = self.marks.between(start, end, "worker")
        if not worker:
            return {}
        w = worker[0]
        collect = (self.marks.total(start, end, "collect_annual_files")
                   + self.marks.total(start, end, "collect_certificates"))
        inner = (self.marks.between(start, end, "render_document") + self.marks.between(start, end, "render_per_member"))
        work = sum(m.end - m.start for m in inner)
        return {"pre": w.start - start, "collect": collect, "render": work - collect, "post": end - w.end,
                "count": self.marks.total(start, end, "count"), "GC ≥ 5 ms": sum(self.marks.total(start, end, f"gc{g}") for g in range(3))}

    # ------------------------------------------------------------ cases

    def show(self, cold: bool) -> Run:
        """A click on 档案打印 in the navigation (from the 工作台) until the page is painted and its first
        preview shown."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        window = self.new_window()
        self.wire_page()
        nav = window.nav
        item = nav.findItems("档案打印", Qt.MatchFlag.MatchExactly)[0]

        def act() -> None:
            QTest.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                             nav.visualItemRect(item).center())
            self.app.processEvents()
            grab_start = time.perf_counter()
            self.page.grab()
            with self.marks.lock:
                self.marks.items.append(Mark("grab", grab_start, time.perf_counter()))

        def shown() -> bool:
            return not self.page.preview_pending and bool(self.page.preview_pane.page_labels())

        start, end, _ = self.drive(act, shown, timeout_s=120)
        assert window.stack.currentWidget() is self.page, "the click did not open 档案打印"
        assert self.page.preview_pane.page_labels(), "no preview pages shown"
        run = self.run_of(start, end, "show" + (" (cold)" if cold else ""))
        painted = self.marks.between(start, end, "grab")
        run.phases = {"painted": (painted[0].end - start) if painted else 0.0,
                      "gui": self.marks.total(start, end, "preview") + self.marks.total(start, end, "pane"),
                      "sample": self.marks.total(start, end, "render_sample"),
                      "raster": self.marks.total(start, end, "raster")}
        return run

    def settle_preview(self) -> None:
        """The options' change previewed now (untimed), the page's timer stopped."""
        self.page.preview_timer.stop()
        self.page.preview()
        self.wait_preview()

    def preview_change(self, change: Callable[[], None], label: str) -> Run:
        """An option changed from the event loop; the loop runs until the preview the page's timer started
        has arrived (``preview_ready``)."""
        before, arrived = len(self.marks.items), len(self.ready)

        def previewed() -> bool:
            return len(self.ready) > arrived and not self.page.preview_pending

        start, _, _ = self.drive(change, previewed, timeout_s=60)
        previews = [m for m in self.marks.items[before:] if m.name == "preview"]
        assert previews and len(self.ready) > arrived, f"{label}: no preview"
        p, ready = previews[0], self.ready[arrived]
        run = self.run_of(start, ready, label)  # the gaps from the change on
        run.wall = ready - p.start
        sample = self.marks.total(p.start, ready, "render_sample")
        raster = self.marks.total(p.start, ready, "raster")
        pane = self.marks.total(p.start, ready, "pane") + (p.end - p.start)
        run.phases = {"sample": sample, "raster": raster, "pane": pane,
                      "waiting": max(run.wall - sample - raster - pane, 0.0), "delay": p.start - start}
        if not self.page.preview_pane.page_labels():
            self.messages.append(f"{label}: preview refused: {self.page.preview_pane.message.text()}")
        return run

    def previews(self, runs: int) -> list[Row]:
        from ui.reports.documents import ANNUAL, CERTIFICATES, PUBLICITY, ROSTER

        page = self.page
        other = self.year + 1 if page.year_box.findData(self.year + 1) >= 0 else self.year - 1
        steps = ((f"preview: year {other} → {self.year} (党员年度档案)", lambda: page.set_year(self.year)),
                 ("preview: → 星级党员证书", lambda: page.set_document(CERTIFICATES)),
                 ("preview: → 评定结果公示", lambda: page.set_document(PUBLICITY)),
                 ("preview: → 党员花名册", lambda: page.set_document(ROSTER)),
                 ("preview: → 党员年度档案", lambda: page.set_document(ANNUAL)))
        rows = [Row("preview", label) for label, _ in steps]
        for _ in range(runs):
            page.set_document(ANNUAL)
            page.set_year(other)
            self.settle_preview()
            for row, (label, change) in zip(rows, steps, strict=True):
                row.runs.append(self.preview_change(change, label))
        for row in rows:
            row.load = load()
        return rows

    def save(self, label: str, target: Path, per_member: bool) -> Run:
        """保存 PDF (Ctrl+S, the page's action) to ``target``: a file, or a fresh folder."""
        from pypdf import PdfReader

        if per_member:
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
        else:
            target.unlink(missing_ok=True)
        self.save_to = target
        shown = len(self.messages)
        rss_before = rss_mb()["VmRSS"]
        reset_peak()
        start, end, result = self.drive(self.page.actions_["save"].trigger)
        memory = rss_mb()
        saved = self.page.last_saved
        problems = self.messages[shown:]
        assert saved == target and not [m for m in problems if m.startswith(("warning", "critical"))], \
            f"{label}: not saved ({problems})"
        run = self.run_of(start, end, label)
        run.phases = self.phases(start, end)
        run.memory = (rss_before, memory["VmHWM"], memory["VmRSS"])
        files = sorted(target.glob("*.pdf")) if per_member else [target]
        run.pages = sum(len(PdfReader(f).pages) for f in files)
        del result
        return run

    def batch(self, runs: int, key: str) -> Row:
        from ui.reports.documents import ANNUAL, CERTIFICATES

        page = self.page
        if key == "certificates":
            page.set_document(CERTIFICATES)
            page.set_year(self.year)
            index = page.min_stars.findData(self.min_stars)
            page.min_stars.setCurrentIndex(max(index, 0))
            label = f"保存 PDF: {self.year} 星级党员证书 ({page.min_stars.currentText()}), one PDF"
        else:
            page.set_document(ANNUAL)
            page.set_year(self.year)
            page.set_scope(None)
            (page.per_member if key == "per-member" else page.one_pdf).setChecked(True)
            page.toc.setChecked(False)
            label = (f"保存 PDF: {self.year} 党员年度档案, "
                     + ("每人一个 PDF (2 processes)" if key == "per-member" else "one PDF"))
        self.settle_preview()
        row = Row(key, label)
        target = self.out / {"batch": "annual.pdf", "per-member": "members", "certificates": "certificates.pdf"}[key]
        for _ in range(runs):
            row.runs.append(self.save(label, target, key == "per-member"))
            self.settle_preview()
        row.load = load()
        page.one_pdf.setChecked(True)
        return row


# ---------------------------------------------------------------- the report


def pad(text: str, width: int) -> str:
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 0)


def table(rows: list[Row]) -> list[str]:
    lines = ["| case | n | duration (median) | pages/s | ticks under the dialog | longest gap (median / worst) "
             "| p99 gap | gaps > 100 ms (median / total) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        wall = row.med(lambda r: r.wall)
        duration = f"{wall:.1f} s" if wall >= 10 else f"{wall * 1000:.0f} ms"
        pages = row.med(lambda r: r.pages)
        rate = f"{pages / wall:.1f} ({pages:.0f} p)" if pages else ""
        modal = f"{row.med(lambda r: r.modal_ticks):.0f}" if row.group in ("batch", "per-member",
                                                                          "certificates") else ""
        worst = max(r.longest for r in row.runs)
        lines.append(f"| {row.label} | {len(row.runs)} | {duration} | {rate} | {modal} | "
                     f"{row.med(lambda r: r.longest):.0f} / {worst:.0f} ms | {row.med(lambda r: r.p99):.0f} ms | "
                     f"{row.med(lambda r: r.over):.0f} / {sum(r.over for r in row.runs)} |")
    return lines


def phase_lines(rows: list[Row]) -> list[str]:
    lines = []
    for row in rows:
        if not row.runs or not row.runs[0].phases:
            continue
        names = list(row.runs[0].phases)
        text = ", ".join(f"{n} {row.phase(n) * 1000:.0f} ms" for n in names)
        if row.runs[0].memory[1]:
            before, peak, after = (row.med(lambda r, i=i: r.memory[i]) for i in range(3))
            text += f"; RSS {before:.0f} → peak {peak:.0f} → {after:.0f} MB"
        lines.append(f"  {pad(row.label, 58)} {text}   (load {row.load})")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a demo database to reuse (built there when it has no members)")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--year", type=int, default=2025, help="the approved year printed")
    parser.add_argument("--runs", type=int, default=3, help="runs of each batch")
    parser.add_argument("--preview-runs", type=int, default=5)
    parser.add_argument("--show-runs", type=int, default=3)
    parser.add_argument("--only", default=",".join(CASES))
    parser.add_argument("--min-stars", type=int, choices=(4, 5), help="certificates: only 4 (or 5) stars and up")
    parser.add_argument("--stall-ms", type=float, default=50.0, help="sample the GUI thread's stack after this")
    parser.add_argument("--gc", choices=("default", "unfrozen", "off", "freeze"), default="default",
                        help="what-if: the cyclic collector during the page's jobs (see Bench._gc_policy)")
    parser.add_argument("--keep", type=Path, help="write the PDFs here (kept) instead of a temporary folder")
    args = parser.parse_args()
    only = set(args.only.split(","))
    unknown = only - set(CASES)
    if unknown:
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}")

    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ["DANGJIAN_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-reports-gui-data-")
    path = args.db or Path(tempfile.mkdtemp(prefix="bench-reports-gui-")) / "demo.sqlite"
    if path.exists() and members_in(path):
        print(f"reusing {path} ({members_in(path)} members)")
    else:
        seconds = build_demo(path, args.members)
        print(f"built {path}: demo with {args.members} members in {seconds:.1f} s")
    out = args.keep or Path(tempfile.mkdtemp(prefix="bench-reports-gui-out-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"cpus {os.cpu_count()}, load average {load()}, GIL switch interval {sys.getswitchinterval() * 1000:.0f} ms, "
          f"gc thresholds {gc.get_threshold()}")

    from app.database import open_app_database
    from ui.application import create_application

    create_application()
    database = open_app_database(path)
    bench = Bench(database, args.year, args.stall_ms, out, args.min_stars, args.gc)
    rows: list[Row] = []
    try:
        # the page is shown once in any case (the rest needs it): that first show, cold, is measured
        rows.append(Row("show", "first show of 档案打印 (cold: first in the process)", [bench.show(cold=True)],
                        load()))
        at_rest = full_collection()
        if "show" in only and args.show_runs > 0:
            warm = Row("show", "first show of 档案打印 (fresh window)")
            for _ in range(args.show_runs):
                warm.runs.append(bench.show(cold=False))
            warm.load = load()
            rows.append(warm)
        if "preview" in only:
            rows += bench.previews(args.preview_runs)
        for key in ("batch", "per-member", "certificates"):
            if key in only:
                rows.append(bench.batch(args.runs, key))
                print(f"  done: {rows[-1].label} (load {load()})", flush=True)
    finally:
        bench.window.hide()
        database.close()

    print(f"\n{members_in(path)} members, year {args.year}; a {TICK_MS} ms QTimer on the GUI thread; gc {args.gc}; "
          f"load average at the end {load()}\n")
    print("\n".join(table(rows)))
    print("\nphases (medians, s → ms):")
    print("\n".join(phase_lines(rows)))
    print(f"\na full collection (gc.collect()) of the app at rest, the page shown: {at_rest[1]:.0f} ms "
          f"({at_rest[0]} objects tracked)")
    freezes = [(ms, where) for row in rows for run in row.runs for ms, where in run.freezes]
    print(f"\nfreezes over {FREEZE_MS:.0f} ms: {len(freezes)}")
    for ms, where in sorted(freezes, reverse=True)[:40]:
        print(f"  {ms:7.0f} ms  {where}")
    if bench.messages:
        print("\nmessages the page showed:")
        for text in dict.fromkeys(bench.messages):
            print("  " + text.replace("\n", " ")[:300])
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
