"""The base of every page: loads lazily when first shown, reloads only for changes it shows."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from app.changes import Changes


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

    def reload(self) -> None:  # pragma: no cover - every page overrides it
        raise NotImplementedError

    def save_state(self) -> None:
        """Remember what the user arranged on this page (column widths …) when the window closes."""
