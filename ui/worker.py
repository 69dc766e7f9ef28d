"""Long work (imports, exports, batch printing) in a QThreadPool worker, with a progress dialog and 取消.

The work is a function taking ``progress(done, total)`` and ``cancelled()``; it opens its own
session (never the GUI's). ``run_with_progress`` returns its result or raises its exception.

The job runs inside ``frozen_gc()``. A cyclic garbage collection holds the GIL throughout, whichever thread
runs it, so the GUI thread waits for it: a full collection of the running program (about 170,000 objects
once the windows, SQLAlchemy and ReportLab are loaded) takes about 100 ms, and a job allocating as a batch
does sets several off. ``gc.freeze()`` moves every object alive at the job's start out of the collector's
sight, so the job's collections only look at what the job (and the GUI meanwhile) made; ``gc.unfreeze()``
puts them back when the last frozen job ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

Work = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]

_gc_lock = threading.Lock()
_gc_holders = 0  # jobs inside frozen_gc() now (any thread)


@contextmanager
def frozen_gc() -> Iterator[None]:
    """The objects alive now frozen (``gc.freeze()``) for the block: the collections it sets off skip them.

    Nesting and overlapping (a preview in one thread, a batch in another) are harmless: every entry
    freezes what is alive then, and only the last one out calls ``gc.unfreeze()``, which hands everything
    frozen since back to the collector's oldest generation at once. A ``gc.freeze()`` of its own inside
    the block (``documents`` freezes the collected data before rendering it) is undone by that too — and
    so would be one made outside any block (say at start-up): there is one permanent generation."""
    global _gc_holders
    with _gc_lock:
        _gc_holders += 1
        gc.freeze()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0:
                gc.unfreeze()


class _Signals(QObject):
    progressed = Signal(int, int)
    finished = Signal(object, object)  # (result, exception)


class _Job(QRunnable):
    def __init__(self, work: Work, signals: _Signals, stop: threading.Event) -> None:
        super().__init__()
        self.work, self.signals, self.stop = work, signals, stop

    def run(self) -> None:
        try:
            with frozen_gc():
                result = self.work(lambda done, total: self.signals.progressed.emit(done, total),
                                   self.stop.is_set)
        except BaseException as exc:  # handed to the GUI thread, which re-raises it
            self.signals.finished.emit(None, exc)
        else:
            self.signals.finished.emit(result, None)


def run_with_progress(parent: QWidget | None, title: str, label: str, work: Work, *, minimum_ms: int = 300) -> Any:
    """Run ``work`` off the GUI thread behind a modal progress dialog; 取消 asks it to stop."""
    signals = _Signals()
    stop = threading.Event()
    dialog = QProgressDialog(label, "取消", 0, 0, parent)
    dialog.setObjectName("progress_dialog")
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(minimum_ms)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    outcome: dict[str, Any] = {}
    loop = QEventLoop()

    def progressed(done: int, total: int) -> None:
        if total > 0:
            dialog.setMaximum(total)
            dialog.setValue(min(done, total))
            dialog.setLabelText(f"{label}（{done}/{total}）")

    def finished(result: Any, error: BaseException | None) -> None:
        outcome["result"], outcome["error"] = result, error
        loop.quit()

    def cancel() -> None:
        stop.set()
        dialog.setLabelText("正在取消…")

    signals.progressed.connect(progressed)
    signals.finished.connect(finished)
    dialog.canceled.connect(cancel)
    QThreadPool.globalInstance().start(_Job(work, signals, stop))
    loop.exec()
    dialog.close()
    dialog.deleteLater()
    if outcome["error"] is not None:
        raise outcome["error"]
    return outcome["result"]
