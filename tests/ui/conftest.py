"""Fixtures for the Qt tests: the real application set-up, a user data folder per test, windows."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox


@pytest.fixture(scope="session", autouse=True)
def application(qapp):
    """The QApplication as the program sets it up: bundled fonts, style sheet, zh_CN translations."""
    from ui.application import create_application

    return create_application()


@pytest.fixture(autouse=True)
def user_data(tmp_path, monkeypatch):
    """Each test its own user data folder, so ui.ini and the sample database never leak between tests."""
    folder = tmp_path / "user-data"
    folder.mkdir()
    monkeypatch.setenv("DANGJIAN_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def make_window(qtbot):
    """Build a MainWindow on a database; the window is closed (and any database it switched to
    is closed) at the end of the test."""
    from ui.main_window import MainWindow

    windows = []

    def make(database, *, sample=False, page=None, show=True):
        window = MainWindow(database, sample=sample)
        qtbot.addWidget(window)
        window.restore_state(page)
        if show:
            window.show()
            qtbot.waitExposed(window)
        windows.append((window, database))
        return window

    yield make
    for window, database in windows:
        if window.database is not database:
            window.database.close()


@pytest.fixture
def demo_window(make_window, tree_database):
    return make_window(tree_database)


@pytest.fixture(autouse=True)
def no_unexpected_modal_boxes(monkeypatch):
    """A message box nobody expected would wait for a click forever: fail the test instead."""

    def unexpected(*args, **_kwargs):
        texts = [a for a in args if isinstance(a, str)]
        raise AssertionError(f"unexpected message box: {' / '.join(texts) or args}")

    for kind in ("warning", "information", "critical", "question"):
        monkeypatch.setattr(QMessageBox, kind, unexpected)
    monkeypatch.setattr(QMessageBox, "exec", lambda self: unexpected(self.windowTitle(), self.text()))


@pytest.fixture
def message_boxes(monkeypatch):
    """QMessageBox.warning/information/critical record (kind, title, text) instead of blocking."""
    said: list[tuple[str, str, str]] = []

    def record(kind):
        def box(_parent, title, text, *_args, **_kwargs):
            said.append((kind, title, text))
            return QMessageBox.StandardButton.Ok
        return box

    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    return said
