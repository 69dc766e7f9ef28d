"""The base of every page: loads lazily when first shown, reloads only for changes it shows."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QToolBar, QWidget

from app.changes import Changes
from app.errors import AppError, DatabaseError

T = TypeVar("T")
# (key, text, shortcut or "", slot) of a page's toolbar action
ActionSpec = tuple[str, str, str, Callable[[], object]]


def run_action(parent: QWidget, database, action: str, work: Callable[..., T]) -> T | None:
    """One user action in one unit of work; a refused action is explained, nothing is lost."""
    try:
        with database.unit_of_work(action) as session:
            return work(session)
    except (AppError, DatabaseError) as exc:
        QMessageBox.warning(parent, action, str(exc))
        return None


class Page(QWidget):
    area = ""
    nav_title = ""
    changed = Signal(object)  # Changes made on this page, for the others to follow

    def __init__(self, window) -> None:
        super().__init__()
        self.setObjectName(f"{self.area}_page")
        self.window_ = window
        self._loaded = False
        self._stale = False

    @property
    def database(self):
        return self.window_.database

    def shows(self, changes: Changes) -> bool:
        """Whether this page displays anything that ``changes`` touched."""
        return changes.any

    def ensure_loaded(self) -> None:
        if not self._loaded or self._stale:
            self._loaded = True
            self._stale = False
            self.reload()

    def on_changes(self, changes: Changes) -> None:
        if not self.shows(changes):
            return
        if self.isVisible():
            self.reload()
            self._stale = False
        else:
            self._stale = True

    @property
    def pending(self) -> bool:
        """Whether work the page started in the background is still to be shown (``--screenshot`` waits)."""
        return False

    def reload(self) -> None:  # pragma: no cover - every page overrides it
        raise NotImplementedError

    def run(self, action: str, work: Callable[..., T]) -> T | None:
        return run_action(self, self.database, action, work)

    def add_actions(self, toolbar: QToolBar, specs: Sequence[ActionSpec]) -> dict[str, QAction]:
        """Toolbar actions with their shortcuts (working anywhere on the page), named ``action_<key>``."""
        actions = {}
        for key, text, shortcut, slot in specs:
            action = QAction(text, self)
            action.setObjectName(f"action_{key}")
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                action.setToolTip(f"{text}（{shortcut}）")
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, s=slot: s())
            self.addAction(action)
            toolbar.addAction(action)
            actions[key] = action
        return actions

    def save_state(self) -> None:
        """Remember what the user arranged on this page (column widths …) when the window closes."""
