"""DESIGN.md's guard for the PySide6 pin (<6.12).

PySide6 6.12.0 under CPython 3.11 drops a reference to ``None`` on every setter call (``setText``,
``setPos`` …); after a few thousand calls ``None``'s count reaches zero and the process dies with
"Fatal Python error: none_dealloc". Here 20,000 calls of each setter must leave the count exactly
as it was: measured on 6.11.3 it does not move at all, so no tolerance is allowed (a leak of one
reference per call would show as -20,000). On CPython 3.12+ ``None`` is immortal and its count
never changes, so the test passes there whatever PySide does; the pin matters for 3.11.
"""

from __future__ import annotations

import sys

import PySide6
from PySide6.QtWidgets import QGraphicsRectItem, QLabel

CALLS = 20_000


def test_pyside_version_is_within_the_pin():
    major, minor = (int(part) for part in PySide6.__version__.split(".")[:2])
    assert (6, 8) <= (major, minor) < (6, 12), PySide6.__version__


def test_setters_keep_the_reference_count_of_none(qapp):
    label = QLabel()
    item = QGraphicsRectItem(0, 0, 10, 10)
    for _ in range(100):  # warm up: caches, lazily created signatures
        label.setText("热身")
        item.setPos(1.0, 2.0)

    before = sys.getrefcount(None)
    for _ in range(CALLS):
        label.setText("党组织")
    after_text = sys.getrefcount(None)
    for _ in range(CALLS):
        item.setPos(1.5, 2.5)
    after_pos = sys.getrefcount(None)

    assert after_text == before, f"QLabel.setText changed None's reference count by {after_text - before}"
    assert after_pos == before, f"QGraphicsRectItem.setPos changed None's reference count by {after_pos - after_text}"
